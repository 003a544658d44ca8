/** What a posted 考核 result draws: 异议 from its units and their answers, and 约谈 of the units
 * at the bottom. */
import { useState } from 'preact/hooks';
import { unitIn, unitKey } from '../../../actions/oversight-logic';
import { answerObjection, objectToResult, recordInterview, type ResultOut, type ScoreOut } from '../../../api/oversight';
import { t } from '../../../i18n';
import { Refusal, when } from './AreaParts';

/** A unit of the result, chosen by its key. */
export function UnitSelect(props: { id: string; scores: readonly ScoreOut[]; value: string; onChoose: (key: string) => void }) {
  return (
    <label class="field">
      <span>{t('oversight.unit')}</span>
      <select data-testid={props.id} value={props.value} onChange={(e) => props.onChoose(e.currentTarget.value)}>
        {props.scores.map((s) => (
          <option key={unitKey(s.unit)} value={unitKey(s.unit)}>
            {s.unit.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** 异议 raised while the result is shown, and their answers. */
export function Objections(props: { token: string; result: ResultOut; scores: ScoreOut[]; leader: boolean; onResult: (r: ResultOut) => void }) {
  const r = props.result;
  const [unit, setUnit] = useState(props.scores[0] ? unitKey(props.scores[0].unit) : '');
  const [text, setText] = useState('');
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (step: () => Promise<ResultOut>) => {
    setError(null);
    setBusy(true);
    try {
      props.onResult(await step());
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const raise = async () => {
    const score = props.scores.find((s) => unitKey(s.unit) === unit);
    if (score && (await run(() => objectToResult(props.token, r.id, unitIn(score.unit), text.trim())))) setText('');
  };
  if (r.state === 'draft' && !r.objections.length) return null;
  return (
    <section data-testid="objections">
      <h3>{t('oversight.objections')}</h3>
      <ul class="cards compact">
        {r.objections.map((o) => (
          <li key={o.id} class="card" data-testid="objection" data-objection-id={o.id} data-answered={String(o.answer !== null)}>
            <span>
              {o.unit.name} · {when(o.raisedAt)} — {o.text}
            </span>
            {o.answer !== null ? (
              <p data-testid="objection-answer">
                {t('oversight.answer')}: {o.answer}
              </p>
            ) : !props.leader ? null : (
              <form class="filters" onSubmit={(e) => (e.preventDefault(), void run(() => answerObjection(props.token, r.id, o.id, (answers[o.id] ?? '').trim())))}>
                <input type="text" data-testid="objection-answer-text" aria-label={t('oversight.answer')} maxLength={2000} value={answers[o.id] ?? ''} onInput={(e) => setAnswers({ ...answers, [o.id]: e.currentTarget.value })} />
                <button type="submit" class="small" data-testid="objection-answer-submit" disabled={busy}>
                  {t('oversight.answer')}
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {r.state === 'posted' ? (
        <form class="move-form" data-testid="objection-form" onSubmit={(e) => (e.preventDefault(), void raise())}>
          <div class="form-grid">
            <UnitSelect id="objection-unit" scores={props.scores} value={unit} onChoose={setUnit} />
            <label class="field">
              <span>{t('oversight.objectionText')}</span>
              <input type="text" data-testid="objection-text" maxLength={2000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
            </label>
          </div>
          <button type="submit" class="small" data-testid="objection-submit" disabled={busy}>
            {t('oversight.raiseObjection')}
          </button>
        </form>
      ) : null}
      <Refusal error={error} testId="objection-problem" />
    </section>
  );
}

/** 约谈 records; the server holds them to the units at the bottom. */
export function Interviews(props: { token: string; result: ResultOut; scores: ScoreOut[]; leader: boolean; onResult: (r: ResultOut) => void }) {
  const r = props.result;
  const bottom = props.scores.filter((s) => s.atBottom);
  const [unit, setUnit] = useState(bottom[0] ? unitKey(bottom[0].unit) : props.scores[0] ? unitKey(props.scores[0].unit) : '');
  const [at, setAt] = useState('');
  const [who, setWho] = useState('');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setError(null);
    const score = props.scores.find((s) => unitKey(s.unit) === unit);
    const when_ = at ? new Date(at) : new Date();
    if (!score) return;
    setBusy(true);
    try {
      props.onResult(await recordInterview(props.token, r.id, { unit: unitIn(score.unit), at: when_.toISOString(), who: who.trim(), notes: notes.trim() }));
      setNotes('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section data-testid="interviews">
      <h3>{t('oversight.interviews')}</h3>
      <ul class="cards compact">
        {r.interviews.map((i) => (
          <li key={i.id} class="card" data-testid="interview" data-unit={unitKey(i.unit)}>
            {i.unit.name} · {when(i.at)} · {i.who} — {i.notes}
          </li>
        ))}
      </ul>
      {props.leader ? (
        <form class="move-form" data-testid="interview-form" onSubmit={(e) => (e.preventDefault(), void go())}>
          <div class="form-grid">
            <UnitSelect id="interview-unit" scores={props.scores} value={unit} onChoose={setUnit} />
            <label class="field">
              <span>{t('oversight.interviewAt')}</span>
              <input type="datetime-local" data-testid="interview-at" value={at} onInput={(e) => setAt(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>{t('oversight.interviewWho')}</span>
              <input type="text" data-testid="interview-who" maxLength={200} value={who} onInput={(e) => setWho(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>{t('oversight.interviewNotes')}</span>
              <input type="text" data-testid="interview-notes" maxLength={2000} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
            </label>
          </div>
          <Refusal error={error} testId="interview-problem" />
          <button type="submit" class="small" data-testid="interview-submit" disabled={busy}>
            {t('oversight.recordInterview')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
