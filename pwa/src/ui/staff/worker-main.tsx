/** /w/ — the grid worker's view: tasks (readable offline), one task, 巡查上报 (patrol reports) and 我的绩效 (their own figures). */
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { cachedCategories, freshCategories } from '../../actions/local';
import { loadCase, loadTasks, type TaskList } from '../../actions/worker-runner';
import type { CategoryOut } from '../../api/types';
import { lang, t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';
import { OutboxStatus } from '../resident/OutboxStatus';
import { ReportForm } from '../resident/ReportForm';
import { useOutbox } from '../resident/useOutbox';
import '../styles.css';
import { AreaTaskList, AreaTaskPage, PendingSteps, useAreaTaskRoute } from './AreaTasks';
import { CaseDetail } from './CaseDetail';
import { CaseList } from './CaseList';
import { InspectFindingPage } from './InspectFinding';
import { InspectPage, PendingInspect, useInspectRoute, useStaffRole } from './InspectPage';
import { KeptListHead, useKeptList } from './KeptList';
import { MyPerformance, useKeptPerformance } from './MyPerformance';
import { PendingMoves } from './PendingMoves';
import { PERFORMANCE_HASH, usePerformanceRoute } from './console/Performance';
import { StaffShell } from './StaffShell';
import { useStaffRoute } from './useCaseRoute';
import { WorkerActions } from './WorkerActions';

function Tasks(props: { token: string; signOut: () => void; version: number }) {
  const { list, error, load } = useKeptList<TaskList>(loadTasks, props);
  const [kept, setKept] = useState(false);
  useEffect(() => void list?.kept.then(() => setKept(true)), [list]);
  return (
    <section data-testid="tasks" data-kept={kept}>
      <KeptListHead
        title={t('tasks.title')}
        refreshTestId="refresh"
        onRefresh={() => void load()}
        offlineTestId="tasks-offline"
        offlineSince={list?.offlineSince}
        offlineText={(at) => t('tasks.offline', { at })}
        error={error}
      />
      {list ? <CaseList items={list.items} empty={t('tasks.empty')} itemTestId="task-item" /> : <p class="hint">{t('common.loading')}</p>}
    </section>
  );
}

function Patrol(props: { token: string }) {
  const outbox = useOutbox();
  const [categories, setCategories] = useState<CategoryOut[]>(cachedCategories);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => void freshCategories().then(setCategories, (e: unknown) => setProblem(`${t('form.categoriesFailed')} (${errorMessage(e)})`)), []);
  const nameOf = useCallback((c: CategoryOut) => (lang() === 'en' ? c.nameEn : c.name), []);
  return (
    <section data-testid="patrol">
      <h2>{t('patrol.title')}</h2>
      <p class="hint">{t('patrol.hint')}</p>
      <OutboxStatus outbox={outbox} categories={categories} categoryName={nameOf} />
      <ReportForm categories={categories} categoriesError={problem} categoryName={nameOf} onQueued={outbox.replay} token={async () => props.token} patrol />
    </section>
  );
}

const PAGES: readonly { hash: string; view: string; label: MessageKey }[] = [
  { hash: '#/', view: 'list', label: 'tasks.title' },
  { hash: '#/tasks', view: 'areaTasks', label: 'areaTask.tab' },
  { hash: '#/patrol', view: 'patrol', label: 'patrol.title' },
  { hash: '#/inspect', view: 'inspect', label: 'inspect.tab' },
  { hash: PERFORMANCE_HASH, view: 'performance', label: 'performance.mine' },
];
/** Who has cases of their own to handle (我的任务); other staff start at 督查. */
const CASE_HANDLERS: ReadonlySet<string> = new Set(['worker', 'department']);

function WorkerView(props: { token: string; signOut: () => void }) {
  const route = useStaffRoute();
  const areaRoute = useAreaTaskRoute();
  const inspectRoute = useInspectRoute();
  const role = useStaffRole(props.token);
  const handlesCases = role === null || CASE_HANDLERS.has(role);
  // 我的绩效 is a grid worker's own record; other staff have none.
  const keptPerformance = useKeptPerformance();
  const ownsPerformance = role === 'worker' || (role === null && keptPerformance);
  const performanceRoute = usePerformanceRoute() && ownsPerformance;
  // Bumped when queued moves land, so the list and the open case show the server's word.
  const [landed, setLanded] = useState(0);
  const active = performanceRoute ? 'performance' : inspectRoute ? 'inspect' : areaRoute ? 'areaTasks' : !handlesCases && route.view === 'list' ? 'inspect' : route.view;
  const page =
    performanceRoute ? (
      <MyPerformance token={props.token} signOut={props.signOut} version={landed} />
    ) : inspectRoute?.view === 'finding' ? (
      <InspectFindingPage key={inspectRoute.id} id={inspectRoute.id} token={props.token} signOut={props.signOut} version={landed} />
    ) : inspectRoute || (!handlesCases && !areaRoute && route.view === 'list') ? (
      <InspectPage token={props.token} signOut={props.signOut} version={landed} />
    ) : areaRoute?.view === 'areaTask' ? (
      <AreaTaskPage key={areaRoute.id} id={areaRoute.id} token={props.token} signOut={props.signOut} version={landed} />
    ) : areaRoute ? (
      <AreaTaskList token={props.token} signOut={props.signOut} version={landed} />
    ) : route.view === 'case' ? (
      <CaseDetail
        key={`${route.id}:${landed}`}
        id={route.id}
        token={props.token}
        signOut={props.signOut}
        loader={loadCase}
        actions={(item, run, busy) => <WorkerActions item={item} token={props.token} run={run} busy={busy} />}
      />
    ) : route.view === 'patrol' ? (
      <Patrol token={props.token} />
    ) : (
      <Tasks token={props.token} signOut={props.signOut} version={landed} />
    );
  return (
    <>
      <nav class="tabs scroll" aria-label={t('worker.nav')}>
        {PAGES.filter((p) => (handlesCases || p.view !== 'list') && (ownsPerformance || p.view !== 'performance')).map((p) => (
          <a key={p.view} href={p.hash} class={active === p.view ? 'tab active' : 'tab'} data-testid={`nav-${p.view}`}>
            {t(p.label)}
          </a>
        ))}
      </nav>
      <PendingMoves token={props.token} signOut={props.signOut} onLanded={() => setLanded((n) => n + 1)} />
      <PendingSteps token={props.token} signOut={props.signOut} onLanded={() => setLanded((n) => n + 1)} />
      <PendingInspect token={props.token} signOut={props.signOut} onLanded={() => setLanded((n) => n + 1)} />
      {page}
    </>
  );
}

document.documentElement.lang = lang();
const root = document.getElementById('app');
if (root) render(<StaffShell title={t('app.workerTitle')}>{(token, signOut) => <WorkerView token={token} signOut={signOut} />}</StaffShell>, root);
