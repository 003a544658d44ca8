/** 录入: answers taken down at 入户走访, 电话回访 or a 座谈会, one row per person, typed at speed —
 * Tab goes through a row's items, Enter starts the next person's row. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { blankRow, entryQuestions, isoDay, rowsToEntries, type EntryRow, type RowProblem } from '../../../actions/survey-logic';
import { newClientId } from '../../../actions/ids';
import { enterAnswers, FORUM_GROUPS, STAFF_CHANNELS, type ForumGroup, type StaffChannel, type SurveyDetail } from '../../../api/survey-admin';
import type { SurveyQuestion } from '../../../api/surveys';
import { lang, t } from '../../../i18n';
import { label, Refusal, RegionChoices } from './AreaParts';

/** A row as typed, with an id of its own: its marks and focus stay with it when a row above goes. */
type Row = EntryRow & { id: number };

/** A problem found on a row, held by the row's id. */
type Marked = { id: number; key: string };

/** Enter while an input method composes (拼音 candidates) picks a word: it is no command. */
function composing(e: KeyboardEvent): boolean {
  return e.isComposing || e.keyCode === 229;
}

export function EntryForm(props: { token: string; survey: SurveyDetail; onDone: () => void }) {
  const s = props.survey;
  const channels = STAFF_CHANNELS.filter((c) => s.channels.includes(c));
  const questions = entryQuestions(s.questions);
  const en = lang() === 'en';
  const [channel, setChannel] = useState<StaffChannel>(channels[0] ?? 'visit');
  const [day, setDay] = useState(isoDay(new Date()));
  const [region, setRegion] = useState(s.regionCode);
  const lastId = useRef(0);
  const newRow = (group: EntryRow['group'] = ''): Row => ({ ...blankRow(group), id: ++lastId.current });
  const [rows, setRows] = useState<Row[]>(() => [newRow()]);
  const [problems, setProblems] = useState<Marked[]>([]);
  const [nothing, setNothing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [entered, setEntered] = useState<number | null>(null);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  // The batch last sent without an answer, and its id: sent again unchanged, it keeps the id,
  // so the server counts it once even if the first one arrived; changed, it is a new batch.
  const attempt = useRef<{ sent: string; batchId: string } | null>(null);

  // A new row takes the focus at its first field, so typing goes on without the mouse.
  useEffect(() => {
    if (focusRow === null) return;
    const field = body.current?.rows[focusRow]?.querySelector<HTMLElement>('select, input');
    field?.focus();
    setFocusRow(null);
  }, [focusRow]);

  if (channels.length === 0) return null;
  const change = (i: number, next: Row) => setRows(rows.map((r, j) => (j === i ? next : r)));
  const answer = (i: number, key: string, value: string | string[]) => change(i, { ...rows[i]!, answers: { ...rows[i]!.answers, [key]: value } });
  const addRow = () => {
    // At a 座谈会 the next speaker is most likely of the same group.
    setRows([...rows, newRow(rows[rows.length - 1]?.group ?? '')]);
    setFocusRow(rows.length);
  };
  const remove = (id: number) => {
    setRows(rows.filter((r) => r.id !== id));
    setProblems(problems.filter((p) => p.id !== id));
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || composing(e) || (e.target as HTMLElement).tagName === 'BUTTON') return;
    e.preventDefault();
    addRow();
  };
  // Enter in the batch's own fields (channel, day, region) sends nothing: only the button sends.
  const holdEnter = (e: KeyboardEvent) => {
    if (e.key === 'Enter') e.preventDefault();
  };
  const submit = async () => {
    setError(null);
    setEntered(null);
    setNothing(false);
    const made = rowsToEntries(channel, rows, questions);
    if ('problems' in made) {
      setProblems(made.problems.map((p: RowProblem) => ({ id: rows[p.row - 1]?.id ?? 0, key: p.key })));
      return;
    }
    setProblems([]);
    if (made.entries.length === 0) {
      setNothing(true);
      return;
    }
    setBusy(true);
    try {
      const batch = { channel, day, regionCode: region.trim() || undefined, entries: made.entries };
      const sent = JSON.stringify(batch);
      if (attempt.current?.sent !== sent) attempt.current = { sent, batchId: newClientId() };
      const got = await enterAnswers(props.token, s.id, { ...batch, batchId: attempt.current.batchId });
      attempt.current = null;
      setEntered(got.entered);
      setRows([newRow()]);
      props.onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const wrong = (id: number, key: string) => problems.some((p) => p.id === id && p.key === key);
  const wrongRows = [...new Set(problems.map((p) => rows.findIndex((r) => r.id === p.id) + 1))].filter((n) => n > 0);
  return (
    <form class="move-form area-form" data-testid="entry-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <h3>{t('surveys.entries')}</h3>
      <div class="form-grid" onKeyDown={holdEnter}>
        <label class="field">
          <span>{t('surveys.channel')}</span>
          <select data-testid="entry-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value as StaffChannel)}>
            {channels.map((c) => (
              <option key={c} value={c}>
                {label('surveys.channel', c)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('surveys.day')}</span>
          <input type="date" data-testid="entry-day" required min={s.opensOn} max={isoDay(new Date())} value={day} onInput={(e) => setDay(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('surveys.entryRegion')}</span>
          <input type="text" list="entry-regions" data-testid="entry-region" value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
          <RegionChoices token={props.token} id="entry-regions" />
        </label>
      </div>
      <p class="hint">{t('surveys.entryHint')}</p>
      <div class="table-wrap">
        <table class="dense entry-table" data-testid="entry-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              {channel === 'forum' ? <th scope="col">{t('surveys.group')}</th> : null}
              {questions.map((q) => (
                <th scope="col" key={q.key} title={en ? q.en : q.zh}>
                  {en ? q.en : q.zh}
                  {q.required ? <span class="survey-required"> *</span> : null}
                </th>
              ))}
              <th scope="col">
                <span class="sr-only">{t('surveys.removeRow')}</span>
              </th>
            </tr>
          </thead>
          <tbody ref={body}>
            {rows.map((row, i) => (
              <tr key={row.id} data-testid="entry-row" onKeyDown={onKey}>
                <td>{i + 1}</td>
                {channel === 'forum' ? (
                  <td class={wrong(row.id, 'group') ? 'flagged' : ''}>
                    <select aria-label={t('surveys.group')} data-testid="entry-group" value={row.group} onChange={(e) => change(i, { ...row, group: e.currentTarget.value as ForumGroup })}>
                      <option value="">—</option>
                      {FORUM_GROUPS.map((g) => (
                        <option key={g} value={g}>
                          {label('surveys.group', g)}
                        </option>
                      ))}
                    </select>
                  </td>
                ) : null}
                {questions.map((q) => (
                  <td key={q.key} class={wrong(row.id, q.key) ? 'flagged' : ''}>
                    <AnswerField question={q} en={en} value={row.answers[q.key]} onChange={(v) => answer(i, q.key, v)} />
                  </td>
                ))}
                <td>
                  <button type="button" class="small" data-testid="entry-remove" aria-label={t('surveys.removeRow')} disabled={rows.length === 1} onClick={() => remove(row.id)}>
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {wrongRows.length ? (
        <p class="problem" role="alert" data-testid="entry-problems">
          {t('surveys.rowProblems', { rows: wrongRows.join(', ') })}
        </p>
      ) : null}
      {nothing ? (
        <p class="problem" role="alert" data-testid="entry-nothing">
          {t('surveys.nothingToEnter')}
        </p>
      ) : null}
      <Refusal error={error} testId="entry-problem" />
      {entered !== null ? (
        <p class="ok-note" role="status" data-testid="entry-saved" data-entered={entered}>
          {t('surveys.entered', { n: entered })}
        </p>
      ) : null}
      <div class="area-head-actions">
        <button type="button" class="small" data-testid="entry-add" onClick={addRow}>
          {t('surveys.addRow')}
        </button>
        <button type="submit" class="primary-inline" data-testid="entry-submit" disabled={busy}>
          {t('surveys.enter')}
        </button>
      </div>
    </form>
  );
}

function AnswerField(props: { question: SurveyQuestion; en: boolean; value: string | string[] | undefined; onChange: (v: string | string[]) => void }) {
  const q = props.question;
  const name = props.en ? q.en : q.zh;
  if (q.kind === 'scale5' || q.kind === 'scale10') {
    return (
      <input
        type="text"
        inputMode="numeric"
        size={3}
        maxLength={2}
        aria-label={name}
        placeholder={q.kind === 'scale5' ? '1–5' : '0–10'}
        data-testid={`entry-${q.key}`}
        value={typeof props.value === 'string' ? props.value : ''}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    );
  }
  if (q.kind === 'multiple') {
    const chosen = Array.isArray(props.value) ? props.value : [];
    return (
      <span class="entry-choices" role="group" aria-label={name} data-testid={`entry-${q.key}`}>
        {q.options.map((o) => (
          <label key={o.key}>
            <input
              type="checkbox"
              checked={chosen.includes(o.key)}
              onChange={(e) => props.onChange(e.currentTarget.checked ? [...chosen, o.key] : chosen.filter((k) => k !== o.key))}
            />
            {props.en ? o.en : o.zh}
          </label>
        ))}
      </span>
    );
  }
  return (
    <select aria-label={name} data-testid={`entry-${q.key}`} value={typeof props.value === 'string' ? props.value : ''} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">—</option>
      {q.options.map((o) => (
        <option key={o.key} value={o.key}>
          {props.en ? o.en : o.zh}
        </option>
      ))}
    </select>
  );
}
