/** 我的绩效: a grid worker's own figures for this month and last, kept on the phone for offline reading. */
import { useEffect, useState } from 'preact/hooks';
import { periodLabel } from '../../actions/periods';
import { staffToken } from '../../actions/local';
import { isNetworkFailure } from '../../actions/worker-moves';
import { myPerformance, type WorkerPerformance } from '../../api/performance';
import { readCache, writeCache } from '../../db/staff';
import { t, type MessageKey } from '../../i18n';
import { FIGURES } from './console/Performance';
import { KeptListHead, useKeptList } from './KeptList';

const KEPT = 'performance:mine';

interface Month {
  label: string;
  from: string;
  to: string;
  figures: WorkerPerformance | null;
}

interface Kept {
  months: Month[];
  at: number;
}

export interface MyMonths {
  months: Month[];
  offlineSince: number | null;
}

async function month(token: string, label: string): Promise<Month> {
  const answer = await myPerformance(token, label);
  return { label: answer.period.label, from: answer.period.from, to: answer.period.to, figures: answer.workers[0] ?? null };
}

/** This month and last from the API, kept for offline reading; the kept copy when the network is gone. */
export async function loadMyPerformance(token: string): Promise<MyMonths> {
  const today = new Date();
  const labels = [periodLabel('month', today), periodLabel('month', new Date(today.getFullYear(), today.getMonth() - 1, 1))];
  try {
    const months = await Promise.all(labels.map((label) => month(token, label)));
    // An answer that lands after sign-out must not put the figures back on the phone.
    if (staffToken() === token) await writeCache(KEPT, { months, at: Date.now() } satisfies Kept);
    return { months, offlineSince: null };
  } catch (error) {
    if (!isNetworkFailure(error)) throw error;
    const kept = await readCache<Kept>(KEPT);
    if (!kept) throw error;
    return { months: kept.months, offlineSince: kept.at };
  }
}

/** Whether figures were kept on this phone: only a grid worker's are, so offline, before the
 * role is read again, the kept copy tells that 我的绩效 is theirs. */
export function useKeptPerformance(): boolean {
  const [kept, setKept] = useState(false);
  useEffect(() => {
    let live = true;
    readCache<Kept>(KEPT).then(
      (got) => live && setKept(got !== undefined),
      (e: unknown) => console.info('kept performance not read', e),
    );
    return () => {
      live = false;
    };
  }, []);
  return kept;
}

const TITLES: readonly MessageKey[] = ['performance.thisMonth', 'performance.lastMonth'];

export function MyPerformance(props: { token: string; signOut: () => void; version: number }) {
  const { list, error, load } = useKeptList<MyMonths>(loadMyPerformance, props);
  return (
    <section data-testid="my-performance">
      <KeptListHead
        title={t('performance.mine')}
        refreshTestId="performance-refresh"
        onRefresh={() => void load()}
        offlineTestId="performance-offline"
        offlineSince={list?.offlineSince}
        offlineText={(at) => t('performance.offline', { at })}
        error={error}
      />
      {list ? (
        list.months.map((m, i) => (
          <div key={m.label} data-testid={`my-month-${i === 0 ? 'this' : 'last'}`} data-period={m.label}>
            <h3>
              {t(TITLES[i] ?? 'performance.mine')} <span class="muted">({m.from} – {m.to})</span>
            </h3>
            <dl class="figures">
              {FIGURES.map((f) => (
                <div key={f.key} class="figure" data-testid={`my-${f.key}`}>
                  <dt>{t(`performance.${f.key}` as MessageKey)}</dt>
                  <dd>{m.figures ? f.show(m.figures) : '—'}</dd>
                </div>
              ))}
            </dl>
          </div>
        ))
      ) : error ? null : (
        <p class="hint">{t('common.loading')}</p>
      )}
    </section>
  );
}
