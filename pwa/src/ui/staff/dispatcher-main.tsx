/** /d/ — the dispatcher's view: sign in, then the queue (GET /cases) with status tabs and counts. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/http';
import { listCases } from '../../api/staff';
import type { CasePageOut } from '../../api/types';
import { lang, statusLabel, t } from '../../i18n';
import { errorMessage } from '../common';
import '../styles.css';
import { CaseDetail } from './CaseDetail';
import { CaseList } from './CaseList';
import { DispatcherActions } from './DispatcherActions';
import { StaffShell } from './StaffShell';
import { useCaseRoute } from './useCaseRoute';

const TABS = ['submitted', 'dispatched', 'accepted', 'resolved', 'closed', 'rejected', 'merged'] as const;

function Queue(props: { token: string; signOut: () => void }) {
  const [status, setStatus] = useState<string>('submitted');
  const [page, setPage] = useState<CasePageOut | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    listCases(props.token, status === 'all' ? undefined : status).then(setPage, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) props.signOut();
      else setError(errorMessage(e));
    });
  useEffect(() => void load(), [props.token, status]);
  const counts = page?.counts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    <section>
      <div class="section-head">
        <h2>{t('queue.title')}</h2>
        <button type="button" class="small" data-testid="refresh" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </div>
      <nav class="tabs scroll" role="tablist">
        {[...TABS, 'all'].map((s) => (
          <button
            type="button"
            role="tab"
            key={s}
            aria-selected={s === status}
            class={s === status ? 'tab active' : 'tab'}
            data-testid={`tab-${s}`}
            onClick={() => setStatus(s)}
          >
            {statusLabel(s === 'all' ? 'all' : s)}{' '}
            <span class="count" data-testid={`count-${s}`}>
              {s === 'all' ? total : (counts[s] ?? 0)}
            </span>
          </button>
        ))}
      </nav>
      {error ? <p class="problem">{t('common.error', { message: error })}</p> : null}
      {page ? <CaseList items={page.items} empty={t('queue.empty')} /> : <p class="hint">{t('common.loading')}</p>}
    </section>
  );
}

/** The queue, or one case when the hash is `#/c/{id}`. */
function DispatcherView(props: { token: string; signOut: () => void }) {
  const id = useCaseRoute();
  if (id === null) return <Queue token={props.token} signOut={props.signOut} />;
  return (
    <CaseDetail
      id={id}
      token={props.token}
      signOut={props.signOut}
      showReporter
      actions={(item, run, busy) => <DispatcherActions item={item} token={props.token} run={run} busy={busy} />}
    />
  );
}

document.documentElement.lang = lang();
const root = document.getElementById('app');
if (root) render(<StaffShell title={t('app.dispatcherTitle')}>{(token, signOut) => <DispatcherView token={token} signOut={signOut} />}</StaffShell>, root);
