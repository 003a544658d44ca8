/** One 考核 result: units ranked with each indicator's points and the figure they came from,
 * 一票否决 and 先进 marks; manual items while a draft; 公示 with its window; objections and their
 * answers; final; 约谈 of the units at the bottom. */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { itemValueText, manualPoints, pointsText, rankedScores, unitIn, unitKey } from '../../../actions/oversight-logic';
import { me } from '../../../api/flags';
import { ApiError } from '../../../api/http';
import { computeResult, finaliseResult, getResult, postResult, setManual, type Indicator, type ResultOut, type ScoreOut } from '../../../api/oversight';
import { lang, t } from '../../../i18n';
import { Refusal, when } from './AreaParts';
import { ResultStateBadge } from './Assessment';
import { Interviews, Objections, UnitSelect } from './AssessmentTalks';
import { ConfirmedStep } from './SurveysParts';

export function ResultPage(props: { id: number; token: string; signOut: () => void }) {
  const [result, setResult] = useState<ResultOut | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Supervisors and admins take the result's steps; a unit's staff read it and object.
  const [leader, setLeader] = useState(false);
  useEffect(() => {
    getResult(props.token, props.id).then(setResult, (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e)));
    me(props.token).then(
      (u) => setLeader(u.role === 'supervisor' || u.role === 'admin'),
      () => setLeader(false),
    );
  }, [props.token, props.id]);
  if (!result)
    return (
      <section>
        <Refusal error={error} />
        {error ? null : <p class="hint">{t('common.loading')}</p>}
      </section>
    );
  const r = result;
  const scores = rankedScores(r.scores);
  return (
    <section data-testid="result-page" data-result-id={r.id} data-state={r.state}>
      <div class="section-head">
        <h2>
          {r.schemeName} · {r.period.label}
        </h2>
        <a href="#/assessment" class="button-link">
          {t('oversight.assessment')}
        </a>
      </div>
      <dl class="facts">
        <dt>{t('oversight.state')}</dt>
        <dd>
          <ResultStateBadge state={r.state} />
        </dd>
        <dt>{t('oversight.scope')}</dt>
        <dd>{r.regionName}</dd>
        <dt>{t('oversight.period')}</dt>
        <dd>
          {r.period.from} – {r.period.to}
        </dd>
        <dt>{t('oversight.computedAt')}</dt>
        <dd>{when(r.computedAt)}</dd>
        {r.objectionUntil ? (
          <>
            <dt>{t('oversight.objectionUntil')}</dt>
            <dd data-testid="objection-until">{when(r.objectionUntil)}</dd>
          </>
        ) : null}
      </dl>
      <ScoreTable result={r} scores={scores} />
      {leader ? <Steps token={props.token} result={r} onResult={setResult} /> : null}
      {leader && r.state === 'draft' ? <ManualItem token={props.token} result={r} scores={scores} onResult={setResult} /> : null}
      <Objections token={props.token} result={r} scores={scores} leader={leader} onResult={setResult} />
      {r.state !== 'draft' ? <Interviews token={props.token} result={r} scores={scores} leader={leader} onResult={setResult} /> : null}
    </section>
  );
}

function indicatorName(i: Indicator): string {
  return lang() === 'en' && i.nameEn ? i.nameEn : i.name;
}

/** Units by rank: total, marks, and each indicator's points over the figure it came from. */
function ScoreTable(props: { result: ResultOut; scores: ScoreOut[] }) {
  const [open, setOpen] = useState<string | null>(null);
  const indicators = props.result.indicators;
  const noData = t('oversight.noData');
  return (
    <div class="table-wrap">
      <table class="dense" data-testid="score-table">
        <thead>
          <tr>
            <th scope="col">{t('oversight.rank')}</th>
            <th scope="col">{t('oversight.unit')}</th>
            <th scope="col">{t('oversight.total')}</th>
            {indicators.map((i) => (
              <th key={i.key} scope="col" title={`${i.weight}`}>
                {indicatorName(i)} ({pointsText(i.weight)})
              </th>
            ))}
            <th scope="col">{t('oversight.marks')}</th>
          </tr>
        </thead>
        <tbody>
          {props.scores.map((s) => {
            const key = unitKey(s.unit);
            return (
              <Fragment key={key}>
                <tr
                  data-testid="score-row"
                  data-unit={key}
                  data-rank={s.rank}
                  data-total={s.total}
                  data-vetoed={String(s.vetoed)}
                  data-eligible={String(s.eligible)}
                  data-bottom={String(s.atBottom)}
                  class={s.vetoed ? 'vetoed' : ''}
                >
                  <td>{s.rank}</td>
                  <th scope="row">
                    <button type="button" class="link" data-testid="score-open" aria-expanded={open === key} onClick={() => setOpen(open === key ? null : key)}>
                      {s.unit.name}
                    </button>
                  </th>
                  <td data-testid="score-total">{pointsText(s.total)}</td>
                  {indicators.map((i) => {
                    const item = s.breakdown.find((b) => b.key === i.key);
                    return (
                      <td key={i.key} data-testid={`score-item-${i.key}`} data-no-data={String(Boolean(item?.noData))} title={item ? itemValueText(item, noData) : ''}>
                        {item ? pointsText(item.points) : '—'}
                        {item?.noData ? <span class="muted"> {noData}</span> : null}
                      </td>
                    );
                  })}
                  <td>
                    {s.vetoed ? (
                      <span class="overdue" data-testid="score-vetoed" title={s.vetoReasons.join('；')}>
                        {t('oversight.vetoed')}
                      </span>
                    ) : null}
                    {!s.eligible ? (
                      <span class="muted" data-testid="score-not-eligible">
                        {' '}
                        {t('oversight.notEligible')}
                      </span>
                    ) : null}
                    {s.atBottom ? (
                      <span class="muted" data-testid="score-bottom">
                        {' '}
                        {t('oversight.atBottom')}
                      </span>
                    ) : null}
                  </td>
                </tr>
                {open === key ? (
                  <tr data-testid="score-breakdown">
                    <td colSpan={indicators.length + 4}>
                      <dl class="facts">
                        {s.breakdown.map((b) => {
                          const ind = indicators.find((i) => i.key === b.key);
                          return (
                            <Fragment key={b.key}>
                              <dt>{ind ? indicatorName(ind) : b.key}</dt>
                              <dd data-testid={`breakdown-${b.key}`}>
                                {pointsText(b.points)} / {pointsText(b.weight)} · {t('oversight.value')} {itemValueText(b, noData)}
                                {b.reason ? ` · ${b.reason}` : ''}
                              </dd>
                            </Fragment>
                          );
                        })}
                        {s.vetoReasons.length ? (
                          <>
                            <dt>{t('oversight.vetoed')}</dt>
                            <dd>{s.vetoReasons.join('；')}</dd>
                          </>
                        ) : null}
                      </dl>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** 公示 (with the days for objections) of a draft; final of a posted result. */
function Steps(props: { token: string; result: ResultOut; onResult: (r: ResultOut) => void }) {
  const [days, setDays] = useState('7');
  const r = props.result;
  if (r.state === 'final') return null;
  return (
    <div class="area-head-actions" data-testid="result-steps">
      {r.state === 'draft' ? (
        <>
          <label class="field inline">
            <span>{t('oversight.objectionDays')}</span>
            <input type="text" inputMode="numeric" size={3} data-testid="post-days" value={days} onInput={(e) => setDays(e.currentTarget.value)} />
          </label>
          <ConfirmedStep id="result-post" label="oversight.post" question="oversight.postQuestion" run={() => postResult(props.token, r.id, Number(days)).then(props.onResult)} onDone={() => {}} />
          <ConfirmedStep
            id="result-recompute"
            label="oversight.recompute"
            question="oversight.recomputeQuestion"
            run={() => computeResult(props.token, r.schemeId, r.period.label).then(props.onResult)}
            onDone={() => {}}
          />
        </>
      ) : (
        <ConfirmedStep id="result-final" label="oversight.final" question="oversight.finalQuestion" run={() => finaliseResult(props.token, r.id).then(props.onResult)} onDone={() => {}} />
      )}
    </div>
  );
}

/** A manual item's points for one unit, within 0..weight, with the reason. */
function ManualItem(props: { token: string; result: ResultOut; scores: ScoreOut[]; onResult: (r: ResultOut) => void }) {
  const manual = props.result.indicators.filter((i) => i.source === 'manual');
  const [unit, setUnit] = useState(props.scores[0] ? unitKey(props.scores[0].unit) : '');
  const [key, setKey] = useState(manual[0]?.key ?? '');
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [bad, setBad] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!manual.length || !props.scores.length) return null;
  const weight = manual.find((i) => i.key === key)?.weight ?? 0;
  const go = async () => {
    setError(null);
    const n = manualPoints(points, weight);
    const score = props.scores.find((s) => unitKey(s.unit) === unit);
    if (n === null || !score) return setBad(true);
    setBad(false);
    setBusy(true);
    try {
      props.onResult(await setManual(props.token, props.result.id, { unit: unitIn(score.unit), key, points: n, reason: reason.trim() }));
      setPoints('');
      setReason('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form area-form" data-testid="manual-form" onSubmit={(e) => (e.preventDefault(), void go())}>
      <h3>{t('oversight.manualItem')}</h3>
      <div class="form-grid">
        <UnitSelect id="manual-unit" scores={props.scores} value={unit} onChoose={setUnit} />
        <label class="field">
          <span>{t('oversight.indicatorName')}</span>
          <select data-testid="manual-key" value={key} onChange={(e) => setKey(e.currentTarget.value)}>
            {manual.map((i) => (
              <option key={i.key} value={i.key}>
                {indicatorName(i)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('oversight.pointsUpTo', { weight: pointsText(weight) })}</span>
          <input type="text" inputMode="decimal" data-testid="manual-points" value={points} onInput={(e) => setPoints(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('oversight.reason')}</span>
          <input type="text" data-testid="manual-reason" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
      </div>
      {bad ? (
        <p class="problem" role="alert" data-testid="manual-problem">
          {t('oversight.pointsProblem', { weight: pointsText(weight) })}
        </p>
      ) : null}
      <Refusal error={error} testId="manual-problem" />
      <button type="submit" class="primary-inline" data-testid="manual-submit" disabled={busy}>
        {t('oversight.saveManual')}
      </button>
    </form>
  );
}
