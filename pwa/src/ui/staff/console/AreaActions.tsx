/** The steps an area's state allows, each a small form; a refusal is shown in both languages. */
import { useEffect, useState } from 'preact/hooks';
import { unitChoice, unitValue, type AreaAction } from '../../../actions/area-logic';
import {
  AREA_LEVELS,
  areaPeople,
  areaUnits,
  confirmRecurrence,
  decideAcceptance,
  decideExtension,
  moveArea,
  putPlan,
  requestExtension,
  type Area,
  type AreaLevel,
  type Person,
  type StaffChoice,
  type TransitionAction,
  type UnitChoices,
  type UnitIn,
} from '../../../api/key-areas';
import { lang, t, type MessageKey } from '../../../i18n';
import { label, Refusal } from './AreaParts';

const MOVES = new Set<AreaAction>(['propose', 'dismiss', 'list', 'flag']);

export function AreaActions(props: { area: Area; token: string; actions: AreaAction[]; extensionId: number | null; onDone: () => void }) {
  const [open, setOpen] = useState<AreaAction | null>(null);
  if (props.actions.length === 0) return null;
  const done = () => {
    setOpen(null);
    props.onDone();
  };
  return (
    <div class="area-actions" data-testid="area-actions">
      <div class="area-head-actions">
        {props.actions.map((a) => (
          <button
            key={a}
            type="button"
            class={open === a ? 'small active' : 'small'}
            aria-expanded={open === a}
            data-testid={`area-action-${a}`}
            onClick={() => setOpen(open === a ? null : a)}
          >
            {t(`areaAction.${a}` as MessageKey)}
          </button>
        ))}
      </div>
      {open && MOVES.has(open) ? <MoveForm key={open} area={props.area} token={props.token} action={open as TransitionAction} onDone={done} /> : null}
      {open === 'plan' ? <PlanForm area={props.area} token={props.token} onDone={done} /> : null}
      {open === 'acceptance' ? (
        <ReasonForm testId="acceptance" token={props.token} optional run={(note) => decideAcceptance(props.token, props.area.id, note)} onDone={done} />
      ) : null}
      {open === 'extension' ? <ExtensionForm area={props.area} token={props.token} onDone={done} /> : null}
      {open === 'decideExtension' && props.extensionId !== null ? (
        <ExtensionDecision token={props.token} areaId={props.area.id} extensionId={props.extensionId} onDone={done} />
      ) : null}
      {open === 'recurrence' ? <ReasonForm testId="recurrence" token={props.token} run={(reason) => confirmRecurrence(props.token, props.area.id, reason)} onDone={done} /> : null}
    </div>
  );
}

function MoveForm(props: { area: Area; token: string; action: TransitionAction; onDone: () => void }) {
  const leveled = props.action === 'list' || props.action === 'flag';
  const [level, setLevel] = useState<AreaLevel | ''>(props.area.level ?? '');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await moveArea(props.token, props.area.id, props.action, reason.trim(), leveled && level ? level : null);
      props.onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form" data-testid="move-form" data-action={props.action} onSubmit={(e) => (e.preventDefault(), void submit())}>
      {leveled ? (
        <label class="field inline">
          <span>{t('hotspots.level')}</span>
          <select data-testid="move-level" value={level} onChange={(e) => setLevel(e.currentTarget.value as AreaLevel)}>
            <option value="">—</option>
            {AREA_LEVELS.map((l) => (
              <option key={l} value={l}>
                {label('hotspots', l)}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label class="field">
        <span>{t('areas.reason')}</span>
        <input type="text" data-testid="move-reason" required minLength={2} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <Refusal error={error} testId="move-problem" />
      <button type="submit" class="primary-inline" data-testid="move-submit" disabled={busy}>
        {t(`areaAction.${props.action}` as MessageKey)}
      </button>
    </form>
  );
}

function ReasonForm(props: { testId: string; token: string; optional?: boolean; run: (text: string) => Promise<unknown>; onDone: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.run(text.trim());
      props.onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form" data-testid={`${props.testId}-form`} onSubmit={(e) => (e.preventDefault(), void submit())}>
      <label class="field">
        <span>{t(props.optional ? 'areas.note' : 'areas.reason')}</span>
        <input
          type="text"
          data-testid={`${props.testId}-reason`}
          required={!props.optional}
          minLength={props.optional ? 0 : 2}
          maxLength={500}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <Refusal error={error} testId={`${props.testId}-problem`} />
      <button type="submit" class="primary-inline" data-testid={`${props.testId}-submit`} disabled={busy}>
        {t('areas.confirm')}
      </button>
    </form>
  );
}

function ExtensionForm(props: { area: Area; token: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [deadline, setDeadline] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setError(null);
    try {
      await requestExtension(props.token, props.area.id, reason.trim(), deadline);
      props.onDone();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form class="move-form" data-testid="extension-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <label class="field">
        <span>{t('areas.reason')}</span>
        <input type="text" data-testid="extension-reason" required minLength={2} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('areas.newDeadline')}</span>
        <input type="date" data-testid="extension-deadline" required value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
      </label>
      <Refusal error={error} testId="extension-problem" />
      <button type="submit" class="primary-inline" data-testid="extension-submit">
        {t('areas.confirm')}
      </button>
    </form>
  );
}

/** A leader approves (the area is extended to the new deadline) or refuses an extension. */
function ExtensionDecision(props: { token: string; areaId: number; extensionId: number; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await decideExtension(props.token, props.areaId, props.extensionId, approve, note.trim());
      props.onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form" data-testid="extension-decision-form" onSubmit={(e) => (e.preventDefault(), void decide(true))}>
      <label class="field">
        <span>{t('areas.decisionNote')}</span>
        <input type="text" data-testid="extension-decision-note" required minLength={2} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <Refusal error={error} testId="extension-decision-problem" />
      <div class="area-head-actions">
        <button type="submit" class="primary-inline" data-testid="extension-approve" disabled={busy}>
          {t('areas.approve')}
        </button>
        <button
          type="button"
          data-testid="extension-refuse"
          disabled={busy}
          onClick={(e) => {
            if (e.currentTarget.form?.reportValidity()) void decide(false);
          }}
        >
          {t('areas.refuse')}
        </button>
      </div>
    </form>
  );
}

interface TaskRow {
  owner: string;
  unit: string;
  measure: string;
  due: string;
}

/** 一地一策: who answers for it, the units, the goals, the deadline and the tasks (倒排工期). */
function PlanForm(props: { area: Area; token: string; onDone: () => void }) {
  const plan = props.area.plan;
  const home = unitValue('region', props.area.regionCode);
  const [first, setFirst] = useState(plan ? String(plan.firstResponsible.id) : '');
  const [direct, setDirect] = useState(plan ? String(plan.directResponsible.id) : '');
  const [lead, setLead] = useState(plan ? unitValue(plan.lead.kind, plan.lead.code) : home);
  const [cooperating, setCooperating] = useState<string[]>(plan ? plan.cooperating.map((u) => unitValue(u.kind, u.code)) : []);
  const [goals, setGoals] = useState(plan?.goals ?? '');
  const [deadline, setDeadline] = useState(plan?.deadline ?? '');
  const [tasks, setTasks] = useState<TaskRow[]>([{ owner: '', unit: home, measure: '', due: '' }]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const choices = usePlanChoices(props.token, props.area.id);
  // The people the current plan names, shown even when the list does not hold them.
  const named: Person[] = plan ? [plan.firstResponsible, plan.directResponsible] : [];
  const edit = (i: number, change: Partial<TaskRow>) => setTasks((had) => had.map((row, j) => (j === i ? { ...row, ...change } : row)));
  const unit = (value: string, field: string): UnitIn => {
    const chosen = unitChoice(value);
    if (!chosen) throw new Error(`${t('areas.pickUnit')}: ${field}`);
    return chosen;
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await putPlan(props.token, props.area.id, {
        firstResponsibleId: Number(first),
        directResponsibleId: Number(direct),
        lead: unit(lead, t('areas.lead')),
        cooperating: cooperating.filter(Boolean).map((u) => unit(u, t('areas.cooperating'))),
        goals: goals.trim(),
        deadline,
        tasks: tasks.map((row) => ({
          ownerId: Number(row.owner),
          unit: unit(row.unit, t('areas.unit')),
          measure: row.measure.trim(),
          dueAt: new Date(row.due).toISOString(),
        })),
      });
      props.onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form area-form" data-testid="plan-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <div class="form-grid">
        <PersonPicker label={t('areas.firstResponsible')} testId="plan-first" token={props.token} areaId={props.area.id} base={choices.people} named={named} value={first} onChange={setFirst} />
        <PersonPicker label={t('areas.directResponsible')} testId="plan-direct" token={props.token} areaId={props.area.id} base={choices.people} named={named} value={direct} onChange={setDirect} />
        <label class="field">
          <span>{t('areas.lead')}</span>
          <UnitSelect testId="plan-lead" units={choices.units} value={lead} onChange={setLead} />
        </label>
        <label class="field">
          <span>{t('areas.deadline')}</span>
          <input type="date" data-testid="plan-deadline" required value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
        </label>
      </div>
      <fieldset class="plan-cooperating" data-testid="plan-cooperating">
        <legend>{t('areas.cooperating')}</legend>
        {cooperating.map((value, i) => (
          <span key={i} class="area-head-actions">
            <UnitSelect testId="plan-cooperating-unit" units={choices.units} value={value} onChange={(v) => setCooperating((had) => had.map((u, j) => (j === i ? v : u)))} />
            <button type="button" class="small" onClick={() => setCooperating(cooperating.filter((_, j) => j !== i))}>
              {t('areas.removeTask')}
            </button>
          </span>
        ))}
        <button type="button" class="small" data-testid="plan-add-cooperating" onClick={() => setCooperating([...cooperating, ''])}>
          {t('areas.addCooperating')}
        </button>
      </fieldset>
      <label class="field">
        <span>{t('areas.goals')}</span>
        <textarea data-testid="plan-goals" required rows={2} maxLength={2000} value={goals} onInput={(e) => setGoals(e.currentTarget.value)} />
      </label>
      <table class="dense" data-testid="plan-tasks">
        <thead>
          <tr>
            <th scope="col">{t('areas.owner')}</th>
            <th scope="col">{t('areas.unit')}</th>
            <th scope="col">{t('areas.measure')}</th>
            <th scope="col">{t('areas.due')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {tasks.map((row, i) => (
            <tr key={i} data-testid="plan-task">
              <td>
                <PersonPicker compact label={t('areas.owner')} testId="plan-task-owner" token={props.token} areaId={props.area.id} base={choices.people} named={named} value={row.owner} onChange={(owner) => edit(i, { owner })} />
              </td>
              <td>
                <UnitSelect testId="plan-task-unit" units={choices.units} value={row.unit} onChange={(value) => edit(i, { unit: value })} label={t('areas.unit')} />
              </td>
              <td>
                <input type="text" required maxLength={1000} aria-label={t('areas.measure')} data-testid="plan-task-measure" value={row.measure} onInput={(e) => edit(i, { measure: e.currentTarget.value })} />
              </td>
              <td>
                <input type="datetime-local" required aria-label={t('areas.due')} data-testid="plan-task-due" value={row.due} onInput={(e) => edit(i, { due: e.currentTarget.value })} />
              </td>
              <td>
                {tasks.length > 1 ? (
                  <button type="button" class="small" onClick={() => setTasks(tasks.filter((_, j) => j !== i))}>
                    {t('areas.removeTask')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="small" data-testid="plan-add-task" onClick={() => setTasks([...tasks, { owner: '', unit: home, measure: '', due: '' }])}>
        {t('areas.addTask')}
      </button>
      <Refusal error={error} testId="plan-problem" />
      <button type="submit" class="primary-inline" data-testid="plan-submit" disabled={busy}>
        {t('areas.savePlan')}
      </button>
    </form>
  );
}

/** The staff who can be named on this area's plan and the units that can take part, loaded once. */
function usePlanChoices(token: string, areaId: number): { people: StaffChoice[]; units: UnitChoices | null } {
  const [people, setPeople] = useState<StaffChoice[]>([]);
  const [units, setUnits] = useState<UnitChoices | null>(null);
  useEffect(() => {
    let gone = false;
    areaPeople(token, areaId).then(
      (found) => !gone && setPeople(found.items),
      (e: unknown) => console.info('people not listed', e),
    );
    areaUnits(token, areaId).then(
      (found) => !gone && setUnits(found),
      (e: unknown) => console.info('units not listed', e),
    );
    return () => {
      gone = true;
    };
  }, [token, areaId]);
  return { people, units };
}

function personLabel(p: StaffChoice): string {
  const where = p.departmentName ?? p.regionName;
  return `${p.displayName || `#${p.id}`} · ${t(`areaRole.${p.role}` as MessageKey)}${where ? ` · ${where}` : ''}`;
}

/** A person from the area's list: type the start of a name to narrow it, then choose. */
function PersonPicker(props: {
  label: string;
  testId: string;
  token: string;
  areaId: number;
  base: StaffChoice[];
  named: Person[];
  value: string;
  onChange: (id: string) => void;
  /** In a table row: the column head names it. */
  compact?: boolean;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<StaffChoice[] | null>(null);
  useEffect(() => {
    if (!query.trim()) {
      setFound(null);
      return;
    }
    let gone = false;
    areaPeople(props.token, props.areaId, query).then(
      (page) => {
        if (gone) return;
        setFound(page.items);
        // One match for what was typed: that is the person meant.
        if (page.items.length === 1) props.onChange(String(page.items[0]!.id));
      },
      (e: unknown) => console.info('people not found', e),
    );
    return () => {
      gone = true;
    };
  }, [query]);
  const list = found ?? props.base;
  const extra = props.named.filter((p) => String(p.id) === props.value && !list.some((c) => c.id === p.id));
  return (
    <span class="field person-picker">
      {props.compact ? null : <span>{props.label}</span>}
      <input type="search" data-testid={`${props.testId}-search`} aria-label={`${props.label} — ${t('areas.searchPerson')}`} placeholder={t('areas.searchPerson')} maxLength={50} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      <select data-testid={props.testId} aria-label={props.label} required value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{t('areas.pickPerson')}</option>
        {extra.map((p) => (
          <option key={p.id} value={String(p.id)}>
            {p.name}
          </option>
        ))}
        {list.map((p) => (
          <option key={p.id} value={String(p.id)}>
            {personLabel(p)}
          </option>
        ))}
      </select>
    </span>
  );
}

/** A unit from the area's list: its region, those above and beneath it, and their departments. */
function UnitSelect(props: { testId: string; units: UnitChoices | null; value: string; onChange: (value: string) => void; label?: string }) {
  const known = props.units ? [...props.units.regions.map((r) => unitValue('region', r.code)), ...props.units.departments.map((d) => unitValue('department', d.code))] : [];
  return (
    <select data-testid={props.testId} aria-label={props.label} required value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">{t('areas.pickUnit')}</option>
      {props.value && !known.includes(props.value) ? <option value={props.value}>{props.value.replace(/^\w+:/, '')}</option> : null}
      {props.units ? (
        <optgroup label={t('areas.regions')}>
          {props.units.regions.map((r) => (
            <option key={r.code} value={unitValue('region', r.code)}>
              {r.name}
            </option>
          ))}
        </optgroup>
      ) : null}
      {props.units ? (
        <optgroup label={t('areas.departments')}>
          {props.units.departments.map((d) => (
            <option key={d.code} value={unitValue('department', d.code)}>
              {lang() === 'en' ? d.nameEn : d.name}
            </option>
          ))}
        </optgroup>
      ) : null}
    </select>
  );
}
