/** 网格员绩效: every grid worker in the supervisor's scope over a period, one sortable row each. */
import { useEffect, useState } from 'preact/hooks';
import { percent, periodLabel, type PeriodKind } from '../../../actions/periods';
import { ApiError } from '../../../api/http';
import { workersPerformance, type Performance as Answer, type WorkerPerformance } from '../../../api/performance';
import { t, type MessageKey } from '../../../i18n';
import { errorMessage } from '../../common';

const KINDS: readonly PeriodKind[] = ['week', 'month', 'quarter'];
export const PERFORMANCE_HASH = '#/performance';

type Column = Exclude<keyof WorkerPerformance, 'userId'>;

/** Every figure, in the order the table shows it, and how one cell reads. */
export const FIGURES: readonly { key: Exclude<Column, 'name' | 'region'>; show: (w: WorkerPerformance) => string }[] = [
  { key: 'handled', show: (w) => String(w.handled) },
  { key: 'onTime', show: (w) => String(w.onTime) },
  { key: 'onTimeRate', show: (w) => percent(w.onTimeRate) },
  { key: 'reworked', show: (w) => String(w.reworked) },
  { key: 'reworkRate', show: (w) => percent(w.reworkRate) },
  { key: 'rated', show: (w) => String(w.rated) },
  { key: 'ratingAvg', show: (w) => (w.ratingAvg === null ? '—' : w.ratingAvg.toFixed(2)) },
  { key: 'satisfactionRate', show: (w) => percent(w.satisfactionRate) },
  { key: 'patrolReports', show: (w) => String(w.patrolReports) },
  { key: 'dutiesDone', show: (w) => String(w.dutiesDone) },
  { key: 'dutiesOverdue', show: (w) => String(w.dutiesOverdue) },
];

export function usePerformanceRoute(): boolean {
  const [here, setHere] = useState(() => location.hash === PERFORMANCE_HASH);
  useEffect(() => {
    const update = () => setHere(location.hash === PERFORMANCE_HASH);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return here;
}

function sortValue(w: WorkerPerformance, column: Column): string | number | null {
  if (column === 'region') return w.region?.name ?? null;
  return w[column];
}

/** Rows by a column; missing figures (nothing to divide) always last, ties by name. */
export function sortWorkers(rows: readonly WorkerPerformance[], column: Column, descending: boolean): WorkerPerformance[] {
  return [...rows].sort((a, b) => {
    const x = sortValue(a, column);
    const y = sortValue(b, column);
    if (x === null || y === null) return x === y ? a.name.localeCompare(b.name, 'zh-CN') : x === null ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
    return (descending ? -order : order) || a.name.localeCompare(b.name, 'zh-CN');
  });
}

export function Performance(props: { token: string; signOut: () => void }) {
  const [kind, setKind] = useState<PeriodKind>('month');
  const [data, setData] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<{ column: Column; descending: boolean }>({ column: 'region', descending: false });
  const period = periodLabel(kind, new Date());
  useEffect(() => {
    let live = true;
    setData(null);
    setError(null);
    workersPerformance(props.token, period).then(
      (got) => live && setData(got),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 401) props.signOut();
        else setError(errorMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [props.token, period]);

  const sortBy = (column: Column) =>
    setSort((now) => (now.column === column ? { column, descending: !now.descending } : { column, descending: column !== 'name' && column !== 'region' }));
  const header = (column: Column) => {
    const label = t(`performance.${column}` as MessageKey);
    const active = sort.column === column;
    return (
      <th scope="col" key={column} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button type="button" class="link" style={{ minWidth: '44px' }} data-testid={`sort-${column}`} title={t('performance.sortBy', { column: label })} onClick={() => sortBy(column)}>
          {label}
          {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
        </button>
      </th>
    );
  };

  return (
    <section data-testid="performance">
      <div class="section-head">
        <h2>{t('performance.title')}</h2>
      </div>
      <nav class="tabs" role="tablist">
        {KINDS.map((k) => (
          <button type="button" role="tab" key={k} aria-selected={k === kind} class={k === kind ? 'tab active' : 'tab'} data-testid={`period-${k}`} onClick={() => setKind(k)}>
            {t(`stats.${k}` as MessageKey)}
          </button>
        ))}
      </nav>
      <p class="muted" data-testid="performance-period">
        {data ? `${data.period.label} (${data.period.from} – ${data.period.to})` : period}
      </p>
      <p class="hint">{t('performance.hint')}</p>
      {error ? (
        <p class="problem" role="alert">
          {t('common.error', { message: error })}
        </p>
      ) : null}
      {data?.truncated ? (
        <p class="notice" role="status" data-testid="performance-truncated">
          {t('performance.truncated')}
        </p>
      ) : null}
      {data ? (
        data.workers.length === 0 ? (
          <p class="hint" data-testid="performance-empty">
            {t('performance.empty')}
          </p>
        ) : (
          <div class="table-wrap">
            <table class="dense" data-testid="performance-table">
              <thead>
                <tr>
                  {header('name')}
                  {header('region')}
                  {FIGURES.map((f) => header(f.key))}
                </tr>
              </thead>
              <tbody>
                {sortWorkers(data.workers, sort.column, sort.descending).map((w) => (
                  <tr key={w.userId} data-testid="performance-row" data-user-id={w.userId}>
                    <th scope="row">{w.name}</th>
                    <td>{w.region?.name ?? '—'}</td>
                    {FIGURES.map((f) => (
                      <td key={f.key} data-testid={`cell-${f.key}`}>
                        {f.show(w)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : error ? null : (
        <p class="hint">{t('common.loading')}</p>
      )}
    </section>
  );
}
