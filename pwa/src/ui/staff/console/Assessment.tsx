/** 考核 at the desk: the year's schemes and a new one indicator by indicator, a period's result
 * computed from them, the results so far, and 一票否决 set on a region with its reason. */
import { useEffect, useState } from 'preact/hooks';
import { resultHash } from '../../../actions/oversight-logic';
import { startedQuarters } from '../../../actions/survey-logic';
import { ApiError } from '../../../api/http';
import { computeResult, listMyResults, listResults, listSchemes, setVeto, type ResultSummary, type SchemeOut } from '../../../api/oversight';
import { lang, t } from '../../../i18n';
import { label, Refusal, RegionChoices, when } from './AreaParts';
import { NewScheme } from './SchemeForm';

const QUARTERS_OFFERED = 8;

export function Assessment(props: { token: string; signOut: () => void }) {
  const [schemes, setSchemes] = useState<SchemeOut[] | null>(null);
  const [results, setResults] = useState<ResultSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [version, setVersion] = useState(0);
  // A unit's own staff (a department, a street) see only the results that score their unit.
  const [unitOnly, setUnitOnly] = useState(false);
  const fail = (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e));
  useEffect(() => {
    listResults(props.token).then(setResults, (e: unknown) => {
      if (!(e instanceof ApiError && e.status === 403)) return fail(e);
      setUnitOnly(true);
      listMyResults(props.token).then(setResults, fail);
    });
    listSchemes(props.token).then(setSchemes, (e: unknown) => (e instanceof ApiError && e.status === 403 ? setSchemes([]) : fail(e)));
  }, [props.token, version]);
  const en = lang() === 'en';
  if (unitOnly) return <MyResults results={results} error={error} />;

  return (
    <section data-testid="assessment">
      <div class="section-head">
        <h2>{t('oversight.assessment')}</h2>
        <button type="button" class="primary-inline" data-testid="scheme-new-open" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          {t('oversight.newScheme')}
        </button>
      </div>
      {creating ? <NewScheme token={props.token} onCreated={() => (setCreating(false), setVersion((n) => n + 1))} /> : null}
      <Refusal error={error} testId="assessment-problem" />
      <h3>{t('oversight.schemes')}</h3>
      <div class="table-wrap">
        <table class="dense" data-testid="scheme-table">
          <thead>
            <tr>
              <th scope="col">{t('oversight.year')}</th>
              <th scope="col">{t('oversight.schemeName')}</th>
              <th scope="col">{t('oversight.scope')}</th>
              <th scope="col">{t('oversight.indicators')}</th>
            </tr>
          </thead>
          <tbody>
            {(schemes ?? []).map((s) => (
              <tr key={s.id} data-testid="scheme-row" data-scheme-id={s.id}>
                <td>{s.year}</td>
                <th scope="row">{s.name}</th>
                <td>{s.regionName}</td>
                <td>{s.indicators.map((i) => `${en && i.nameEn ? i.nameEn : i.name} ${i.weight}`).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {schemes?.length === 0 ? (
          <p class="hint" data-testid="schemes-empty">
            {t('oversight.noSchemes')}
          </p>
        ) : null}
      </div>
      {schemes?.length ? <Compute token={props.token} schemes={schemes} /> : null}
      <h3>{t('oversight.results')}</h3>
      <ResultTable results={results ?? []} />
      <Veto token={props.token} />
    </section>
  );
}

/** The results that score the caller's own unit, to read and, while posted, to object to. */
function MyResults(props: { results: ResultSummary[] | null; error: unknown }) {
  return (
    <section data-testid="assessment">
      <div class="section-head">
        <h2>{t('oversight.myResults')}</h2>
      </div>
      <Refusal error={props.error} testId="assessment-problem" />
      <ResultTable results={props.results ?? []} />
      {props.results?.length === 0 ? (
        <p class="hint" data-testid="results-empty">
          {t('oversight.noResults')}
        </p>
      ) : null}
    </section>
  );
}

function ResultTable(props: { results: readonly ResultSummary[] }) {
  return (
    <div class="table-wrap">
      <table class="dense" data-testid="result-table">
        <thead>
          <tr>
            <th scope="col">{t('oversight.period')}</th>
            <th scope="col">{t('oversight.schemeName')}</th>
            <th scope="col">{t('oversight.scope')}</th>
            <th scope="col">{t('oversight.state')}</th>
            <th scope="col">{t('oversight.computedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {props.results.map((r) => (
            <tr key={r.id} data-testid="result-row" data-result-id={r.id} data-state={r.state}>
              <th scope="row">
                <a href={resultHash(r.id)} data-testid="result-link">
                  {r.period.label}
                </a>
              </th>
              <td>{r.schemeName}</td>
              <td>{r.regionName}</td>
              <td>
                <ResultStateBadge state={r.state} />
              </td>
              <td>{when(r.computedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ResultStateBadge(props: { state: string }) {
  return (
    <span class={`area-state result-state-${props.state}`} data-testid="result-state" data-state={props.state}>
      {label('oversight.resultState', props.state)}
    </span>
  );
}

/** A period's result of a scheme, computed as a draft (again while it is one). */
function Compute(props: { token: string; schemes: readonly SchemeOut[] }) {
  const quarters = startedQuarters(new Date(), QUARTERS_OFFERED);
  const [schemeId, setSchemeId] = useState(String(props.schemes[0]!.id));
  // A result is posted once its period is over: the quarter just ended is the one to assess.
  const ended = quarters[1] ?? quarters[0]!;
  const [period, setPeriod] = useState(`${ended.year}-Q${ended.quarter}`);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setError(null);
    setBusy(true);
    try {
      const made = await computeResult(props.token, Number(schemeId), period.trim());
      location.hash = resultHash(made.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="filters" data-testid="compute-form" onSubmit={(e) => (e.preventDefault(), void go())}>
      <label class="field inline">
        <span>{t('oversight.schemeName')}</span>
        <select data-testid="compute-scheme" value={schemeId} onChange={(e) => setSchemeId(e.currentTarget.value)}>
          {props.schemes.map((s) => (
            <option key={s.id} value={String(s.id)}>
              {s.year} · {s.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field inline">
        <span>{t('oversight.period')}</span>
        <input type="text" list="compute-periods" data-testid="compute-period" size={9} value={period} onInput={(e) => setPeriod(e.currentTarget.value)} />
        <datalist id="compute-periods">
          {quarters.map((q) => (
            <option key={`${q.year}-${q.quarter}`} value={`${q.year}-Q${q.quarter}`} />
          ))}
        </datalist>
      </label>
      <button type="submit" class="primary-inline" data-testid="compute-submit" disabled={busy}>
        {t('oversight.compute')}
      </button>
      <Refusal error={error} testId="compute-problem" />
    </form>
  );
}

/** 一票否决 on a region for a year, with its reason. */
function Veto(props: { token: string }) {
  const [region, setRegion] = useState('');
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setError(null);
    setDone(false);
    setBusy(true);
    try {
      await setVeto(props.token, { regionCode: region.trim(), year: Number(year), reason: reason.trim() });
      setDone(true);
      setReason('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form area-form" data-testid="veto-form" onSubmit={(e) => (e.preventDefault(), void go())}>
      <h3>{t('oversight.veto')}</h3>
      <div class="form-grid">
        <label class="field">
          <span>{t('areas.regionCode')}</span>
          <input type="text" list="veto-regions" data-testid="veto-region" required value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
          <RegionChoices token={props.token} id="veto-regions" />
        </label>
        <label class="field">
          <span>{t('oversight.year')}</span>
          <input type="text" inputMode="numeric" data-testid="veto-year" required value={year} onInput={(e) => setYear(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('oversight.reason')}</span>
          <input type="text" data-testid="veto-reason" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
      </div>
      <Refusal error={error} testId="veto-problem" />
      {done ? (
        <p class="ok-note" role="status" data-testid="veto-done">
          {t('oversight.vetoSet')}
        </p>
      ) : null}
      <button type="submit" class="primary-inline" data-testid="veto-submit" disabled={busy}>
        {t('oversight.setVeto')}
      </button>
    </form>
  );
}
