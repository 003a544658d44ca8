/** 问题台账: the findings in scope filtered, per unit how many are open, overdue and closed on
 * time, and the workbook of what is shown. */
import { useEffect, useState } from 'preact/hooks';
import { ledgerQuery, NO_LEDGER_FILTER, type LedgerFilter } from '../../../actions/oversight-logic';
import { isoDay } from '../../../actions/survey-logic';
import { ApiError } from '../../../api/http';
import { exportFindings, FINDING_STATES, findingUnits, listFindings, type FindingOut, type UnitFindings } from '../../../api/oversight';
import { t } from '../../../i18n';
import { label, Refusal } from './AreaParts';
import { FindingTable } from './Inspections';
import { UnitChoices } from './OversightParts';

export function Findings(props: { token: string; signOut: () => void }) {
  const [filter, setFilter] = useState<LedgerFilter>(NO_LEDGER_FILTER);
  const [items, setItems] = useState<FindingOut[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const fail = (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e));
  const query = ledgerQuery(filter);
  const key = JSON.stringify(query);

  useEffect(() => {
    let gone = false;
    setItems(null);
    setError(null);
    listFindings(props.token, query).then((page) => {
      if (gone) return;
      setItems(page.items);
      setNext(page.next ? String(page.next) : null);
    }, fail);
    return () => {
      gone = true;
    };
  }, [props.token, key, version]);

  const more = async () => {
    setBusy(true);
    try {
      const page = await listFindings(props.token, ledgerQuery(filter, next));
      setItems((had) => [...(had ?? []), ...page.items]);
      setNext(page.next ? String(page.next) : null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    setBusy(true);
    try {
      await exportFindings(props.token, query, `findings-${isoDay(new Date())}.xlsx`);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const set = <K extends keyof LedgerFilter>(k: K, v: LedgerFilter[K]) => setFilter((f) => ({ ...f, [k]: v }));

  return (
    <section data-testid="findings-ledger">
      <div class="section-head">
        <h2>{t('oversight.ledger')}</h2>
        <span class="area-head-actions">
          <a href="#/inspections" class="button-link">
            {t('oversight.inspections')}
          </a>
          <button type="button" class="small" data-testid="findings-export" disabled={busy} onClick={() => void save()}>
            {t('oversight.export')}
          </button>
        </span>
      </div>
      <div class="filters" role="group" aria-label={t('areas.filters')}>
        <label class="field inline">
          <span>{t('oversight.state')}</span>
          <select data-testid="findings-filter-state" value={filter.state} onChange={(e) => set('state', e.currentTarget.value as LedgerFilter['state'])}>
            <option value="">{t('areas.all')}</option>
            {FINDING_STATES.map((s) => (
              <option key={s} value={s}>
                {label('oversight.findingState', s)}
              </option>
            ))}
          </select>
        </label>
        <label class="switch">
          <input type="checkbox" data-testid="findings-filter-overdue" checked={filter.overdue} onChange={(e) => set('overdue', e.currentTarget.checked)} />
          <span>{t('oversight.onlyOverdue')}</span>
        </label>
        <label class="field inline">
          <span>{t('oversight.unitRegion')}</span>
          <input type="text" list="ledger-units" data-testid="findings-filter-region" size={14} value={filter.region} onInput={(e) => set('region', e.currentTarget.value)} />
        </label>
        <label class="field inline">
          <span>{t('oversight.unitDepartment')}</span>
          <input type="text" inputMode="numeric" list="ledger-units" data-testid="findings-filter-department" size={6} value={filter.departmentId} onInput={(e) => set('departmentId', e.currentTarget.value)} />
        </label>
        <UnitChoices token={props.token} id="ledger-units" />
        <button type="button" class="small" data-testid="findings-refresh" onClick={() => setVersion((n) => n + 1)}>
          {t('common.refresh')}
        </button>
      </div>
      <Refusal error={error} testId="findings-problem" />
      <FindingTable findings={items ?? []} withInspection />
      {items === null && !error ? <p class="hint">{t('common.loading')}</p> : null}
      {items?.length === 0 ? (
        <p class="hint" data-testid="findings-empty">
          {t('oversight.noFindings')}
        </p>
      ) : null}
      {next ? (
        <button type="button" data-testid="findings-more" disabled={busy} onClick={() => void more()}>
          {t('areas.more')}
        </button>
      ) : null}
      <UnitCounts token={props.token} version={version} onUnit={(kind, code) => setFilter({ ...NO_LEDGER_FILTER, [kind === 'region' ? 'region' : 'departmentId']: code })} />
    </section>
  );
}

/** Per responsible unit: open, overdue, closed, closed on time (findings due in the dates, if given). */
function UnitCounts(props: { token: string; version: number; onUnit: (kind: 'region' | 'department', key: string) => void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<UnitFindings[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let gone = false;
    setError(null);
    findingUnits(props.token, from || undefined, to || undefined).then(
      (got) => !gone && setRows(got),
      (e: unknown) => !gone && setError(e),
    );
    return () => {
      gone = true;
    };
  }, [props.token, from, to, props.version]);
  return (
    <section data-testid="finding-units">
      <h3>{t('oversight.perUnit')}</h3>
      <div class="filters" role="group" aria-label={t('oversight.perUnit')}>
        <label class="field inline">
          <span>{t('oversight.dueFrom')}</span>
          <input type="date" data-testid="units-from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label class="field inline">
          <span>{t('oversight.dueTo')}</span>
          <input type="date" data-testid="units-to" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
      </div>
      <Refusal error={error} testId="units-problem" />
      <div class="table-wrap">
        <table class="dense">
          <thead>
            <tr>
              <th scope="col">{t('oversight.unit')}</th>
              <th scope="col">{t('oversight.count.open')}</th>
              <th scope="col">{t('oversight.count.overdue')}</th>
              <th scope="col">{t('oversight.count.closed')}</th>
              <th scope="col">{t('oversight.count.closedOnTime')}</th>
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((u) => (
              <tr key={`${u.kind}${u.id}`} data-testid="unit-count" data-kind={u.kind} data-code={u.code} data-open={u.open} data-overdue={u.overdue} data-closed={u.closed} data-on-time={u.closedOnTime}>
                <th scope="row">
                  <button type="button" class="link" data-testid="unit-filter" onClick={() => props.onUnit(u.kind, u.kind === 'region' ? u.code : String(u.id))}>
                    {u.name}
                  </button>
                </th>
                <td>{u.open}</td>
                <td class={u.overdue ? 'overdue' : ''}>{u.overdue}</td>
                <td>{u.closed}</td>
                <td>{u.closedOnTime}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
