/** /w/ — the grid worker's view: sign in, then the task list (GET /me/tasks). */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/http';
import { listMyTasks } from '../../api/staff';
import type { CaseSummaryOut } from '../../api/types';
import { lang, t } from '../../i18n';
import { errorMessage } from '../common';
import '../styles.css';
import { CaseDetail } from './CaseDetail';
import { CaseList } from './CaseList';
import { StaffShell } from './StaffShell';
import { useCaseRoute } from './useCaseRoute';
import { WorkerActions } from './WorkerActions';

function Tasks(props: { token: string; signOut: () => void }) {
  const [items, setItems] = useState<CaseSummaryOut[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    listMyTasks(props.token).then(setItems, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) props.signOut();
      else setError(errorMessage(e));
    });
  useEffect(() => void load(), [props.token]);
  return (
    <section>
      <div class="section-head">
        <h2>{t('tasks.title')}</h2>
        <button type="button" class="small" data-testid="refresh" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </div>
      {error ? <p class="problem">{t('common.error', { message: error })}</p> : null}
      {items ? <CaseList items={items} empty={t('tasks.empty')} itemTestId="task-item" /> : <p class="hint">{t('common.loading')}</p>}
    </section>
  );
}

/** The list, or one case when the hash is `#/c/{id}`. */
function WorkerView(props: { token: string; signOut: () => void }) {
  const id = useCaseRoute();
  if (id === null) return <Tasks token={props.token} signOut={props.signOut} />;
  return (
    <CaseDetail
      id={id}
      token={props.token}
      signOut={props.signOut}
      actions={(item, run, busy) => <WorkerActions item={item} token={props.token} run={run} busy={busy} />}
    />
  );
}

document.documentElement.lang = lang();
const root = document.getElementById('app');
if (root) render(<StaffShell title={t('app.workerTitle')}>{(token, signOut) => <WorkerView token={token} signOut={signOut} />}</StaffShell>, root);
