/** 督导检查 typed in at the desk: kind, team, target, photos, and the findings row by row (Enter
 * in a row's last field starts the next one, the focus on its first field). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { newClientId, sha256Hex } from '../../../actions/ids';
import { shrinkPhoto } from '../../../actions/image';
import { blankFinding, defaultDeadline, inspectionBody, rowsToFindings, type FindingProblem, type FindingRow, type InspectionDraft } from '../../../actions/oversight-logic';
import { isoDay } from '../../../actions/survey-logic';
import { uploadTaskPhoto } from '../../../api/areas';
import { FOCUSES, MANNERS, PLAN_KINDS, fileInspection } from '../../../api/oversight';
import { t, type MessageKey } from '../../../i18n';
import { label, Refusal, RegionChoices } from './AreaParts';
import { UnitChoices } from './OversightParts';

const DEADLINE_DAYS = 7;

function problemText(p: FindingProblem): string {
  return t('oversight.rowProblem', { row: p.row, field: t(`oversight.field.${p.field}` as MessageKey), problem: t(`oversight.problem.${p.problem}` as MessageKey) });
}

/** 督导检查 filed at the desk: what, where, by whom, and the findings row by row. */
export function NewInspection(props: { token: string; onFiled: (id: number) => void }) {
  const [draft, setDraft] = useState<InspectionDraft>({
    manner: 'open',
    plan: 'scheduled',
    focus: 'general',
    team: '',
    regionCode: '',
    departmentId: '',
    day: isoDay(new Date()),
    note: '',
  });
  const [rows, setRows] = useState<FindingRow[]>([blankFinding(defaultDeadline(new Date(), DEADLINE_DAYS))]);
  const [problems, setProblems] = useState<FindingProblem[]>([]);
  const [photos, setPhotos] = useState<File[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // One clientId per inspection being typed: a second press after a lost answer lands once.
  const clientId = useRef(newClientId());
  const focusRow = useRef<number | null>(null);
  const table = useRef<HTMLTableSectionElement>(null);

  useEffect(() => {
    if (focusRow.current === null) return;
    const input = table.current?.querySelectorAll<HTMLInputElement>('[data-testid="finding-text"]')[focusRow.current];
    focusRow.current = null;
    input?.focus();
  }, [rows.length]);

  const set = <K extends keyof InspectionDraft>(key: K, value: InspectionDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setRow = (i: number, patch: Partial<FindingRow>) => setRows((had) => had.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const addRow = () => {
    focusRow.current = rows.length;
    setRows((had) => [...had, blankFinding(had[had.length - 1]?.deadline ?? defaultDeadline(new Date(), DEADLINE_DAYS))]);
  };
  const removeRow = (i: number) => setRows((had) => (had.length > 1 ? had.filter((_, j) => j !== i) : had));

  const submit = async () => {
    setError(null);
    const checked = rowsToFindings(rows, new Date());
    if ('problems' in checked) {
      setProblems(checked.problems);
      return;
    }
    setProblems([]);
    setBusy(true);
    try {
      // Each photo is keyed by its bytes: sent again after a lost answer, it is the same photo.
      const mediaIds: string[] = [];
      for (const file of photos) {
        const shrunk = await shrinkPhoto(file);
        mediaIds.push((await uploadTaskPhoto(props.token, shrunk.bytes, shrunk.type, await sha256Hex(shrunk.bytes))).id);
      }
      const filed = await fileInspection(props.token, inspectionBody(clientId.current, draft, checked.findings, mediaIds));
      props.onFiled(filed.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="move-form area-form" data-testid="inspection-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <div class="form-grid">
        <Choice name="manner" values={MANNERS} value={draft.manner} onChoose={(v) => set('manner', v)} />
        <Choice name="plan" values={PLAN_KINDS} value={draft.plan} onChoose={(v) => set('plan', v)} />
        <Choice name="focus" values={FOCUSES} value={draft.focus} onChoose={(v) => set('focus', v)} />
        <label class="field">
          <span>{t('oversight.team')}</span>
          <input type="text" data-testid="inspection-team" required maxLength={200} value={draft.team} onInput={(e) => set('team', e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('oversight.targetRegion')}</span>
          <input type="text" list="inspection-regions" data-testid="inspection-region" required value={draft.regionCode} onInput={(e) => set('regionCode', e.currentTarget.value)} />
          <RegionChoices token={props.token} id="inspection-regions" />
        </label>
        <label class="field">
          <span>{t('oversight.targetDepartment')}</span>
          <input type="text" inputMode="numeric" list="inspection-units" data-testid="inspection-department" value={draft.departmentId} onInput={(e) => set('departmentId', e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('oversight.day')}</span>
          <input type="date" data-testid="inspection-day" required value={draft.day} onInput={(e) => set('day', e.currentTarget.value)} />
        </label>
      </div>
      <label class="field">
        <span>{t('oversight.note')}</span>
        <textarea data-testid="inspection-note" rows={2} maxLength={2000} value={draft.note} onInput={(e) => set('note', e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('oversight.photos')}</span>
        <input type="file" accept="image/*" multiple data-testid="inspection-photo-input" onChange={(e) => setPhotos(Array.from(e.currentTarget.files ?? []).slice(0, 9))} />
      </label>
      <UnitChoices token={props.token} id="inspection-units" />
      <div class="table-wrap">
        <table class="dense" data-testid="finding-rows">
          <caption>{t('oversight.findingRowsHint')}</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('oversight.field.text')}</th>
              <th scope="col">{t('oversight.field.unit')}</th>
              <th scope="col">{t('oversight.field.deadline')}</th>
              <th scope="col">{t('oversight.category')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody ref={table}>
            {rows.map((r, i) => (
              <tr key={i} data-testid="finding-row">
                <td>{i + 1}</td>
                <td>
                  <input type="text" data-testid="finding-text" maxLength={500} aria-label={t('oversight.field.text')} value={r.text} onInput={(e) => setRow(i, { text: e.currentTarget.value })} />
                </td>
                <td>
                  <input type="text" list="inspection-units" data-testid="finding-unit" aria-label={t('oversight.field.unit')} value={r.unit} onInput={(e) => setRow(i, { unit: e.currentTarget.value })} />
                </td>
                <td>
                  <input type="datetime-local" data-testid="finding-deadline" aria-label={t('oversight.field.deadline')} value={r.deadline} onInput={(e) => setRow(i, { deadline: e.currentTarget.value })} />
                </td>
                <td>
                  <input
                    type="text"
                    data-testid="finding-category"
                    aria-label={t('oversight.category')}
                    value={r.category}
                    onInput={(e) => setRow(i, { category: e.currentTarget.value })}
                    onKeyDown={(e) => {
                      if (e.key !== 'Enter') return;
                      e.preventDefault();
                      addRow();
                    }}
                  />
                </td>
                <td>
                  <button type="button" class="small" data-testid="finding-remove" aria-label={t('oversight.removeRow', { row: i + 1 })} onClick={() => removeRow(i)}>
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {problems.length ? (
        <ul class="problem" role="alert" data-testid="finding-problems">
          {problems.map((p) => (
            <li key={`${p.row}-${p.field}`}>{problemText(p)}</li>
          ))}
        </ul>
      ) : null}
      <Refusal error={error} testId="inspection-problem" />
      <div class="area-head-actions">
        <button type="button" class="small" data-testid="finding-add" onClick={addRow}>
          {t('oversight.addFinding')}
        </button>
        <button type="submit" class="primary" data-testid="inspection-submit" disabled={busy}>
          {t('oversight.file')}
        </button>
      </div>
    </form>
  );
}

function Choice<V extends string>(props: { name: 'manner' | 'plan' | 'focus'; values: readonly V[]; value: V; onChoose: (v: V) => void }) {
  return (
    <label class="field">
      <span>{t(`oversight.${props.name}` as MessageKey)}</span>
      <select data-testid={`inspection-${props.name}`} value={props.value} onChange={(e) => props.onChoose(e.currentTarget.value as V)}>
        {props.values.map((v) => (
          <option key={v} value={v}>
            {label(`oversight.${props.name}`, v)}
          </option>
        ))}
      </select>
    </label>
  );
}
