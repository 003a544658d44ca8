/** 定期访查: what the caller's own unit owes and its filing (零报告 included), the month's reports
 * of the units in scope by state, and per unit over months how many came on time, late or not. */
import { useEffect, useState } from 'preact/hooks';
import { dueDay, recentMonths, reportBody, type ReportProblem } from '../../../actions/oversight-logic';
import { ApiError } from '../../../api/http';
import { listMonthlyReports, monthlySummary, myMonthlyReports, REPORT_STATES, submitMonthlyReport, type MonthlyReportOut, type UnitReportSummary } from '../../../api/oversight';
import { t, type MessageKey } from '../../../i18n';
import { label, Refusal, when } from './AreaParts';
import { ReportStateBadge } from './OversightParts';

const MONTHS_OFFERED = 12;

export function MonthlyReports(props: { token: string; signOut: () => void }) {
  const [version, setVersion] = useState(0);
  return (
    <section data-testid="monthly-reports">
      <div class="section-head">
        <h2>{t('oversight.monthly')}</h2>
        <button type="button" class="small" data-testid="monthly-refresh" onClick={() => setVersion((n) => n + 1)}>
          {t('common.refresh')}
        </button>
      </div>
      <MyReports token={props.token} signOut={props.signOut} version={version} onFiled={() => setVersion((n) => n + 1)} />
      <MonthTable token={props.token} version={version} />
      <Summary token={props.token} version={version} />
    </section>
  );
}

/** The caller's unit's reports; one still owed (due or missing) is filed here. Overseers with no
 * unit of their own are told so by the server and see nothing here. */
function MyReports(props: { token: string; signOut: () => void; version: number; onFiled: () => void }) {
  const [rows, setRows] = useState<MonthlyReportOut[] | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => {
    let gone = false;
    myMonthlyReports(props.token).then(
      (got) => !gone && setRows(got),
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) props.signOut();
        else if (!gone) setRows([]);
      },
    );
    return () => {
      gone = true;
    };
  }, [props.token, props.version]);
  if (!rows?.length) return null;
  return (
    <section data-testid="my-reports">
      <h3>{t('oversight.myReports')}</h3>
      <ul class="cards compact">
        {rows.map((r) => (
          <li key={r.id} class="card" data-testid="my-report" data-report-id={r.id} data-state={r.state} data-month={r.month}>
            <span>
              {r.unit.name} · {r.month} · <ReportStateBadge state={r.state} /> · {t('oversight.dueAt')} {dueDay(r.dueAt)}
            </span>
            {r.state === 'due' || r.state === 'missing' ? (
              open === r.id ? (
                <SubmitForm token={props.token} report={r} onFiled={() => (setOpen(null), props.onFiled())} />
              ) : (
                <button type="button" class="primary-inline" data-testid="report-open" onClick={() => setOpen(r.id)}>
                  {t('oversight.fileReport')}
                </button>
              )
            ) : (
              <span class="muted" data-testid="report-filed">
                {' '}
                {r.zeroReport ? t('oversight.zeroReport') : t('oversight.counts', { places: r.placesVisited ?? 0, problems: r.problemsFound ?? 0 })} · {when(r.submittedAt)}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function SubmitForm(props: { token: string; report: MonthlyReportOut; onFiled: () => void }) {
  const [places, setPlaces] = useState('');
  const [problems, setProblems] = useState('');
  const [zero, setZero] = useState(false);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<ReportProblem | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setError(null);
    const body = reportBody(places, problems, zero, note);
    if ('problem' in body) return setProblem(body.problem);
    setProblem(null);
    setBusy(true);
    try {
      await submitMonthlyReport(props.token, props.report.id, body);
      props.onFiled();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form" data-testid="report-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <div class="form-grid">
        <label class="field">
          <span>{t('oversight.placesVisited')}</span>
          <input type="text" inputMode="numeric" data-testid="report-places" required value={places} onInput={(e) => setPlaces(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('oversight.problemsFound')}</span>
          <input type="text" inputMode="numeric" data-testid="report-problems" disabled={zero} value={zero ? '0' : problems} onInput={(e) => setProblems(e.currentTarget.value)} />
        </label>
      </div>
      <label class="switch">
        <input type="checkbox" data-testid="report-zero" checked={zero} onChange={(e) => setZero(e.currentTarget.checked)} />
        <span>{t('oversight.zeroReportHint')}</span>
      </label>
      <label class="field">
        <span>{t('oversight.note')}</span>
        <textarea data-testid="report-note" rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {problem ? (
        <p class="problem" role="alert" data-testid="report-problem">
          {t(`oversight.reportProblem.${problem}` as MessageKey)}
        </p>
      ) : null}
      <Refusal error={error} testId="report-problem" />
      <button type="submit" class="primary" data-testid="report-submit" disabled={busy}>
        {t('oversight.fileReport')}
      </button>
    </form>
  );
}

/** The month's reports of the units in scope, by unit, filtered by state. */
function MonthTable(props: { token: string; version: number }) {
  const months = recentMonths(new Date(), MONTHS_OFFERED);
  const [month, setMonth] = useState(months[0]!);
  const [state, setState] = useState('');
  const [rows, setRows] = useState<MonthlyReportOut[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let gone = false;
    setError(null);
    setRows(null);
    listMonthlyReports(props.token, month, state || undefined).then(
      (got) => !gone && setRows(got),
      (e: unknown) => !gone && (setError(e), setRows([])),
    );
    return () => {
      gone = true;
    };
  }, [props.token, month, state, props.version]);
  // A unit's staff may not read the table of all units: the server's refusal is enough.
  if (error instanceof ApiError && error.status === 403) return null;
  return (
    <section data-testid="month-reports">
      <h3>{t('oversight.monthTable')}</h3>
      <div class="filters" role="group" aria-label={t('oversight.monthTable')}>
        <label class="field inline">
          <span>{t('oversight.month')}</span>
          <select data-testid="month-choice" value={month} onChange={(e) => setMonth(e.currentTarget.value)}>
            {months.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label class="field inline">
          <span>{t('oversight.state')}</span>
          <select data-testid="month-state" value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">{t('areas.all')}</option>
            {REPORT_STATES.map((s) => (
              <option key={s} value={s}>
                {label('oversight.reportState', s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Refusal error={error} testId="month-problem" />
      <div class="table-wrap">
        <table class="dense" data-testid="month-table">
          <thead>
            <tr>
              <th scope="col">{t('oversight.unit')}</th>
              <th scope="col">{t('oversight.state')}</th>
              <th scope="col">{t('oversight.dueAt')}</th>
              <th scope="col">{t('oversight.placesVisited')}</th>
              <th scope="col">{t('oversight.problemsFound')}</th>
              <th scope="col">{t('oversight.submittedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((r) => (
              <tr key={r.id} data-testid="month-row" data-report-id={r.id} data-state={r.state} data-unit={r.unit.code}>
                <th scope="row">{r.unit.name}</th>
                <td>
                  <ReportStateBadge state={r.state} />
                  {r.supervised ? <span class="overdue"> {t('oversight.supervised')}</span> : r.reminded ? <span class="overdue"> {t('oversight.reminded')}</span> : null}
                </td>
                <td class={r.overdue ? 'deadline tone-overdue' : 'deadline'} title={when(r.dueAt)}>
                  {dueDay(r.dueAt)}
                </td>
                <td>{r.placesVisited ?? '—'}</td>
                <td>{r.zeroReport ? t('oversight.zeroReport') : (r.problemsFound ?? '—')}</td>
                <td>
                  {when(r.submittedAt)}
                  {r.submittedBy ? ` · ${r.submittedBy.name}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows?.length === 0 && !error ? (
          <p class="hint" data-testid="month-empty">
            {t('oversight.noReports')}
          </p>
        ) : null}
      </div>
    </section>
  );
}

/** Per unit over a run of months: owed, on time, late, missing. */
function Summary(props: { token: string; version: number }) {
  const months = recentMonths(new Date(), MONTHS_OFFERED);
  const [from, setFrom] = useState(months[2] ?? months[0]!);
  const [to, setTo] = useState(months[0]!);
  const [rows, setRows] = useState<UnitReportSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let gone = false;
    setError(null);
    monthlySummary(props.token, from, to).then(
      (got) => !gone && setRows(got),
      (e: unknown) => !gone && setError(e),
    );
    return () => {
      gone = true;
    };
  }, [props.token, from, to, props.version]);
  if (error instanceof ApiError && error.status === 403) return null;
  const pick = (value: string, set: (v: string) => void, id: string, caption: MessageKey) => (
    <label class="field inline">
      <span>{t(caption)}</span>
      <select data-testid={id} value={value} onChange={(e) => set(e.currentTarget.value)}>
        {months.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section data-testid="report-summary">
      <h3>{t('oversight.summary')}</h3>
      <div class="filters" role="group" aria-label={t('oversight.summary')}>
        {pick(from, setFrom, 'summary-from', 'oversight.fromMonth')}
        {pick(to, setTo, 'summary-to', 'oversight.toMonth')}
      </div>
      <Refusal error={error} testId="summary-problem" />
      <div class="table-wrap">
        <table class="dense" data-testid="summary-table">
          <thead>
            <tr>
              <th scope="col">{t('oversight.unit')}</th>
              <th scope="col">{t('oversight.owed')}</th>
              <th scope="col">{t('oversight.onTime')}</th>
              <th scope="col">{t('oversight.reportState.late')}</th>
              <th scope="col">{t('oversight.reportState.missing')}</th>
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((u) => (
              <tr key={`${u.kind}${u.id}`} data-testid="summary-row" data-unit={u.code} data-owed={u.owed} data-on-time={u.onTime} data-late={u.late} data-missing={u.missing}>
                <th scope="row">{u.name}</th>
                <td>{u.owed}</td>
                <td>{u.onTime}</td>
                <td>{u.late}</td>
                <td class={u.missing ? 'overdue' : ''}>{u.missing}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
