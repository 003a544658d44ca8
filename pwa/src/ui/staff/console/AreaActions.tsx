/** The steps an area's state allows, each a small form; a refusal is shown in both languages. */
import { useState } from 'preact/hooks';
import { unitIn, type AreaAction } from '../../../actions/area-logic';
import {
  AREA_LEVELS,
  confirmRecurrence,
  decideAcceptance,
  decideExtension,
  moveArea,
  putPlan,
  requestExtension,
  type Area,
  type AreaLevel,
  type TransitionAction,
} from '../../../api/key-areas';
import { t, type MessageKey } from '../../../i18n';
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
  department: boolean;
  measure: string;
  due: string;
}

const EMPTY_TASK: TaskRow = { owner: '', unit: '', department: false, measure: '', due: '' };

/** 一地一策: who answers for it, the units, the goals, the deadline and the tasks (倒排工期). */
function PlanForm(props: { area: Area; token: string; onDone: () => void }) {
  const plan = props.area.plan;
  const [first, setFirst] = useState(plan ? String(plan.firstResponsible.id) : '');
  const [direct, setDirect] = useState(plan ? String(plan.directResponsible.id) : '');
  const [lead, setLead] = useState(plan?.lead.code ?? props.area.regionCode);
  const [leadDepartment, setLeadDepartment] = useState(plan?.lead.kind === 'department');
  const [goals, setGoals] = useState(plan?.goals ?? '');
  const [deadline, setDeadline] = useState(plan?.deadline ?? '');
  const [tasks, setTasks] = useState<TaskRow[]>([{ ...EMPTY_TASK, unit: props.area.regionCode }]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const edit = (i: number, change: Partial<TaskRow>) => setTasks(tasks.map((row, j) => (j === i ? { ...row, ...change } : row)));
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await putPlan(props.token, props.area.id, {
        firstResponsibleId: Number(first),
        directResponsibleId: Number(direct),
        lead: unitIn(lead, leadDepartment),
        cooperating: [],
        goals: goals.trim(),
        deadline,
        tasks: tasks.map((row) => ({
          ownerId: Number(row.owner),
          unit: unitIn(row.unit, row.department),
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
        <label class="field">
          <span>{t('areas.firstResponsibleId')}</span>
          <input type="number" min={1} data-testid="plan-first" required value={first} onInput={(e) => setFirst(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('areas.directResponsibleId')}</span>
          <input type="number" min={1} data-testid="plan-direct" required value={direct} onInput={(e) => setDirect(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('areas.lead')}</span>
          <input type="text" data-testid="plan-lead" required value={lead} onInput={(e) => setLead(e.currentTarget.value)} />
        </label>
        <label class="switch">
          <input type="checkbox" data-testid="plan-lead-department" checked={leadDepartment} onChange={(e) => setLeadDepartment(e.currentTarget.checked)} />
          <span>{t('areas.isDepartment')}</span>
        </label>
        <label class="field">
          <span>{t('areas.deadline')}</span>
          <input type="date" data-testid="plan-deadline" required value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
        </label>
      </div>
      <label class="field">
        <span>{t('areas.goals')}</span>
        <textarea data-testid="plan-goals" required rows={2} maxLength={2000} value={goals} onInput={(e) => setGoals(e.currentTarget.value)} />
      </label>
      <table class="dense" data-testid="plan-tasks">
        <thead>
          <tr>
            <th scope="col">{t('areas.ownerId')}</th>
            <th scope="col">{t('areas.unit')}</th>
            <th scope="col">{t('areas.isDepartment')}</th>
            <th scope="col">{t('areas.measure')}</th>
            <th scope="col">{t('areas.due')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {tasks.map((row, i) => (
            <tr key={i} data-testid="plan-task">
              <td>
                <input type="number" min={1} required aria-label={t('areas.ownerId')} data-testid="plan-task-owner" value={row.owner} onInput={(e) => edit(i, { owner: e.currentTarget.value })} />
              </td>
              <td>
                <input type="text" required aria-label={t('areas.unit')} data-testid="plan-task-unit" value={row.unit} onInput={(e) => edit(i, { unit: e.currentTarget.value })} />
              </td>
              <td>
                <input type="checkbox" aria-label={t('areas.isDepartment')} checked={row.department} onChange={(e) => edit(i, { department: e.currentTarget.checked })} />
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
      <button type="button" class="small" data-testid="plan-add-task" onClick={() => setTasks([...tasks, { ...EMPTY_TASK, unit: props.area.regionCode }])}>
        {t('areas.addTask')}
      </button>
      <Refusal error={error} testId="plan-problem" />
      <button type="submit" class="primary-inline" data-testid="plan-submit" disabled={busy}>
        {t('areas.savePlan')}
      </button>
    </form>
  );
}
