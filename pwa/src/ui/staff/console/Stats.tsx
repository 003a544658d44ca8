/** 统计: a period's figures for the caller's region, by sub-region and category; hotspots; downloads. */
import { useEffect, useState } from 'preact/hooks';
import { hours, percent, periodLabel, type PeriodKind } from '../../../actions/periods';
import { me } from '../../../api/flags';
import { ApiError } from '../../../api/http';
import { downloadCases, downloadReport, hotspots, summary, type Hotspot, type Metrics, type Summary } from '../../../api/stats';
import { t, type MessageKey } from '../../../i18n';
import { errorMessage } from '../../common';
import { useCategoryName } from '../CaseList';
import { BarChart } from './BarChart';
import { FlagForm, Flags } from './Flags';

const KINDS: readonly PeriodKind[] = ['week', 'month', 'quarter'];

export function Stats(props: { token: string; signOut: () => void }) {
  const [kind, setKind] = useState<PeriodKind>('month');
  const [data, setData] = useState<Summary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const categoryName = useCategoryName();
  const period = periodLabel(kind, new Date());
  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) props.signOut();
    else setError(errorMessage(e));
  };
  useEffect(() => {
    setData(null);
    summary(props.token, period).then(setData, fail);
  }, [props.token, period]);

  const save = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section data-testid="stats">
      <div class="section-head">
        <h2>{t('stats.title')}</h2>
      </div>
      <nav class="tabs" role="tablist">
        {KINDS.map((k) => (
          <button type="button" role="tab" key={k} aria-selected={k === kind} class={k === kind ? 'tab active' : 'tab'} data-testid={`period-${k}`} onClick={() => setKind(k)}>
            {t(`stats.${k}` as MessageKey)}
          </button>
        ))}
      </nav>
      <p class="muted" data-testid="stats-period">
        {data ? `${data.region.name} · ${data.period.label} (${data.period.from} – ${data.period.to})` : period}
      </p>
      <div class="action-row">
        <button type="button" data-testid="download-report" disabled={busy} onClick={() => void save(() => downloadReport(props.token, period))}>
          {t('stats.downloadReport')}
        </button>
        <button type="button" data-testid="download-csv" disabled={busy} onClick={() => void save(() => downloadCases(props.token, {}))}>
          {t('stats.downloadCsv')}
        </button>
      </div>
      {error ? <p class="problem" role="alert">{t('common.error', { message: error })}</p> : null}
      {data ? (
        <>
          <Figures metrics={data.totals} />
          <BarChart
            title={t('stats.byRegion')}
            testId="chart-regions"
            aLabel={t('stats.received')}
            bLabel={t('stats.closed')}
            rows={data.byRegion.map((g) => ({ label: g.name, a: g.metrics.received, b: g.metrics.closed }))}
          />
          <GroupTable title={t('stats.byCategory')} groups={data.byCategory.map((g) => ({ ...g, name: categoryName(g.code) }))} />
          <p class="muted">
            {t('stats.bySource', { resident: data.bySource.resident.received, patrol: data.bySource.patrol.received })}
          </p>
        </>
      ) : error ? null : (
        <p class="hint">{t('common.loading')}</p>
      )}
      <Supervision token={props.token} />
    </section>
  );
}

function Figures({ metrics }: { metrics: Metrics }) {
  const figures: [MessageKey, string][] = [
    ['stats.received', String(metrics.received)],
    ['stats.registered', String(metrics.registered)],
    ['stats.refused', String(metrics.refused)],
    ['stats.closed', String(metrics.closed)],
    ['stats.closeRate', percent(metrics.closeRate)],
    ['stats.onTimeRate', percent(metrics.onTimeRate)],
    ['stats.satisfactionRate', percent(metrics.satisfactionRate)],
    ['stats.reworkRate', percent(metrics.reworkRate)],
    ['stats.acceptHours', `${hours(metrics.acceptHoursAvg)} / ${hours(metrics.acceptHoursP90)}`],
    ['stats.resolveHours', `${hours(metrics.resolveHoursAvg)} / ${hours(metrics.resolveHoursP90)}`],
    ['stats.overdue', String(metrics.overdue)],
  ];
  return (
    <dl class="figures" data-testid="figures">
      {figures.map(([key, value]) => (
        <div key={key} class="figure" data-testid={`figure-${key.slice(6)}`}>
          <dt>{t(key)}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function GroupTable(props: { title: string; groups: { code: string; name: string; metrics: Metrics }[] }) {
  if (props.groups.length === 0) return null;
  return (
    <div class="table-wrap">
      <table>
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">{t('stats.name')}</th>
            <th scope="col">{t('stats.received')}</th>
            <th scope="col">{t('stats.closeRate')}</th>
            <th scope="col">{t('stats.satisfactionRate')}</th>
          </tr>
        </thead>
        <tbody>
          {props.groups.map((g) => (
            <tr key={g.code}>
              <th scope="row">{g.name}</th>
              <td>{g.metrics.received}</td>
              <td>{percent(g.metrics.closeRate)}</td>
              <td>{percent(g.metrics.satisfactionRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Hotspots and the flags in force; a supervisor may flag a hot place and lift a flag. */
function Supervision(props: { token: string }) {
  const [supervisor, setSupervisor] = useState(false);
  const [version, setVersion] = useState(0);
  useEffect(() => void me(props.token).then((u) => setSupervisor(u.role === 'supervisor' || u.role === 'admin'), () => setSupervisor(false)), [props.token]);
  const changed = () => setVersion((n) => n + 1);
  return (
    <>
      <Hotspots token={props.token} supervisor={supervisor} version={version} onChange={changed} />
      <Flags token={props.token} supervisor={supervisor} version={version} onChange={changed} />
    </>
  );
}

/** 红黄蓝预警: places by level, count or trend, with the change against the window before. */
function Hotspots(props: { token: string; supervisor: boolean; version: number; onChange: () => void }) {
  const [sort, setSort] = useState<'level' | 'count' | 'trend'>('level');
  const [items, setItems] = useState<Hotspot[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [flagging, setFlagging] = useState<string | null>(null);
  useEffect(
    () => void hotspots(props.token, sort).then(setItems, (e: unknown) => setProblem(errorMessage(e))),
    [props.token, sort, props.version],
  );
  const coloured = (items ?? []).filter((h) => h.level !== 'none');
  return (
    <div class="table-wrap" data-testid="hotspots">
      <h3>{t('hotspots.title')}</h3>
      <label class="field inline">
        <span>{t('hotspots.sort')}</span>
        <select data-testid="hotspots-sort" value={sort} onChange={(e) => setSort(e.currentTarget.value as typeof sort)}>
          <option value="level">{t('hotspots.byLevel')}</option>
          <option value="count">{t('hotspots.byCount')}</option>
          <option value="trend">{t('hotspots.byTrend')}</option>
        </select>
      </label>
      {problem ? <p class="problem">{problem}</p> : null}
      {items && coloured.length === 0 ? <p class="hint">{t('hotspots.none')}</p> : null}
      {coloured.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('stats.name')}</th>
              <th scope="col">{t('hotspots.level')}</th>
              <th scope="col">{t('hotspots.count')}</th>
              <th scope="col">{t('hotspots.trend')}</th>
              <th scope="col">{t('flags.column')}</th>
            </tr>
          </thead>
          <tbody>
            {coloured.map((h) => (
              <tr key={h.code} data-testid="hotspot-row" data-level={h.level}>
                <th scope="row">{h.name}</th>
                <td>
                  <span class={`level level-${h.level}`}>{t(`hotspots.${h.level}` as MessageKey)}</span>
                </td>
                <td>
                  {h.count} <span class="muted">({h.previousCount})</span>
                </td>
                <td>{h.trend === null ? '—' : `${h.trend > 0 ? '↑' : h.trend < 0 ? '↓' : '→'} ${percent(Math.abs(h.trend))}`}</td>
                <td>
                  {h.flag ? (
                    <span class="badge flagged">{t('tasks.flagged', { region: h.flag.regionName })}</span>
                  ) : props.supervisor ? (
                    <button type="button" class="small" data-testid="flag-open" onClick={() => setFlagging(flagging === h.code ? null : h.code)}>
                      {t('flags.flag')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {flagging ? (
        <FlagForm
          token={props.token}
          code={flagging}
          onDone={() => {
            setFlagging(null);
            props.onChange();
          }}
        />
      ) : null}
    </div>
  );
}
