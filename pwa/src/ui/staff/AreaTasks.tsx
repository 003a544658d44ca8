/** 整治任务: my key-area tasks and duties (readable offline), one task, and its steps from the phone. */
import { useEffect, useState } from 'preact/hooks';
import { findingHash } from '../../actions/inspection-queue';
import { dropStep, loadAreaTask, loadAreaTasks, queueStep, replayTaskSteps, retryStep, STEPS_CHANGED, taskSteps, type AreaTaskList } from '../../actions/task-runner';
import { allowedSteps, areaTaskHash, areaTaskRoute, dutiesBeside, NOTE_MAX, stepProblem, stepsOf, type AreaTaskRoute, type StepPhoto, type TaskStep } from '../../actions/task-steps';
import type { AreaTaskOut, DutyOut, TaskStepKind } from '../../api/areas';
import { ApiError } from '../../api/http';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';
import { KeptListHead, useKeptList } from './KeptList';
import { QueueBanner, useOfflineQueue, type QueueSource } from './OfflineQueue';
import { PhotoNoteForm } from './PhotoNoteForm';

const STEPS: QueueSource<TaskStep> = { list: taskSteps, replay: replayTaskSteps, changed: STEPS_CHANGED, name: 'task steps' };
const when = (iso: string) => new Date(iso).toLocaleString();
const stepName = (kind: TaskStepKind) => t(`areaTask.${kind}` as MessageKey);

/** 超期 (red), 催办 and 督办 badges of a task or a duty. */
function DeadlineBadges(props: { overdue: boolean; reminded: boolean; supervised: boolean }) {
  return (
    <>
      {props.overdue ? (
        <span class="overdue" data-testid="overdue">
          {t('tasks.overdue')}
        </span>
      ) : null}
      {props.reminded ? (
        <span class="badge" data-testid="reminded">
          {t('areaTask.reminded')}
        </span>
      ) : null}
      {props.supervised ? (
        <span class="badge supervised" data-testid="supervised">
          {t('tasks.supervised')}
        </span>
      ) : null}
    </>
  );
}

function StateLabel({ task }: { task: AreaTaskOut }) {
  return (
    <span class={`status area-task-${task.state}`} data-testid="area-task-state" data-state={task.state}>
      {t(`areaTask.state.${task.state}` as MessageKey)}
    </span>
  );
}

/** The tab: my tasks, then my other duties; as last fetched when the signal is gone. */
export function AreaTaskList(props: { token: string; signOut: () => void; version: number }) {
  const { list, error, load } = useKeptList<AreaTaskList>(loadAreaTasks, props);
  useEffect(() => {
    const reread = () => void load();
    window.addEventListener(STEPS_CHANGED, reread);
    return () => window.removeEventListener(STEPS_CHANGED, reread);
  }, [props.token]);
  const duties = list ? dutiesBeside(list.tasks, list.duties) : [];
  return (
    <section data-testid="area-tasks" data-loaded={list !== null}>
      <KeptListHead
        title={t('areaTask.title')}
        refreshTestId="area-refresh"
        onRefresh={() => void load()}
        offlineTestId="area-tasks-offline"
        offlineSince={list?.offlineSince}
        offlineText={(at) => t('areaTask.offline', { at })}
        error={error}
      />
      {!list ? (
        <p class="hint">{t('common.loading')}</p>
      ) : list.tasks.length === 0 ? (
        <p class="hint" data-testid="area-tasks-empty">
          {t('areaTask.empty')}
        </p>
      ) : (
        <ul class="cards">
          {list.tasks.map((task) => (
            <li key={task.id} class="card-row" data-testid="area-task-item" data-task-id={task.id}>
              <a class="card" href={areaTaskHash(task.id)}>
                <span class="card-main">
                  <strong>{task.areaName}</strong>
                  <StateLabel task={task} />
                  <DeadlineBadges {...task} />
                  <span class="muted">
                    {task.kind === 'recheck' ? `${t('areaTask.recheck')} · ` : ''}
                    {task.unit.name} · {t('tasks.due', { due: when(task.dueAt) })}
                  </span>
                  <span class="desc">{task.measure}</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('areaTask.duties')}</h3>
      {list?.dutiesProblem ? <p class="problem">{t('areaTask.dutiesFailed', { message: errorMessage(list.dutiesProblem) })}</p> : null}
      {list && duties.length === 0 ? <p class="hint">{t('areaTask.dutiesEmpty')}</p> : null}
      {duties.length > 0 ? (
        <ul class="cards">
          {duties.map((d) => (
            <DutyRow key={d.id} duty={d} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function DutyRow({ duty }: { duty: DutyOut }) {
  // A task or a 督查 finding opens its own page; other duties are shown where they are.
  const href = duty.subjectKind === 'area_task' ? areaTaskHash(duty.subjectId) : duty.subjectKind === 'finding' ? findingHash(duty.subjectId) : null;
  const body = (
    <span class="card-main">
      <strong>{duty.title}</strong>
      <DeadlineBadges overdue={duty.overdue} reminded={Boolean(duty.remindedAt)} supervised={Boolean(duty.supervisedAt)} />
      <span class="muted">{t('tasks.due', { due: when(duty.dueAt) })}</span>
    </span>
  );
  return (
    <li class="card-row" data-testid="duty-item" data-duty-id={duty.id} data-subject-kind={duty.subjectKind} data-subject-id={duty.subjectId}>
      {href ? (
        <a class="card" href={href}>
          {body}
        </a>
      ) : (
        <div class="card">{body}</div>
      )}
    </li>
  );
}

/** One task: its area, measure, deadline and state, its photos, its steps on this phone, its buttons. */
export function AreaTaskPage(props: { id: number; token: string; signOut: () => void; version: number }) {
  const [task, setTask] = useState<AreaTaskOut | null>(null);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [steps, setSteps] = useState<TaskStep[]>([]);
  const [form, setForm] = useState<TaskStepKind | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = () =>
    Promise.all([
      loadAreaTask(props.token, props.id).then(
        (got) => {
          setError(null);
          setTask(got.task);
          setOffline(got.offline);
        },
        (e: unknown) => {
          if (e instanceof ApiError && e.status === 401) props.signOut();
          else setError(errorMessage(e));
        },
      ),
      taskSteps().then((all) => setSteps(stepsOf(props.id, all))),
    ]);
  useEffect(() => void load(), [props.id, props.token, props.version]);
  useEffect(() => {
    const reread = () => void load();
    window.addEventListener(STEPS_CHANGED, reread);
    return () => window.removeEventListener(STEPS_CHANGED, reread);
  }, [props.id, props.token]);
  useEffect(() => setForm(null), [task?.state]);

  const made = async (kind: TaskStepKind, note: string, photos: StepPhoto[], where: { lat: number; lng: number } | null) => {
    await queueStep(props.id, { kind, note, photos, ...(where ?? {}) });
    setForm(null);
    setNotice(t('areaTask.queued'));
    if (navigator.onLine) void replayTaskSteps(props.token).catch((e: unknown) => console.info('task steps not sent yet', e));
  };

  if (!task) {
    return (
      <section data-testid="area-task">
        <a href="#/tasks">{t('areaTask.back')}</a>
        {error ? <p class="problem">{t('common.error', { message: error })}</p> : <p class="hint">{t('common.loading')}</p>}
      </section>
    );
  }
  const allowed = allowedSteps(task.state);
  return (
    <section data-testid="area-task" data-task-id={task.id}>
      <a href="#/tasks">{t('areaTask.back')}</a>
      {offline ? (
        <p class="notice" data-testid="area-task-offline">
          {t('areaTask.offlineCopy')}
        </p>
      ) : null}
      <h2>{task.areaName}</h2>
      <p>
        <StateLabel task={task} /> <DeadlineBadges {...task} />
        {task.late ? <span class="overdue">{t('areaTask.late')}</span> : null}
      </p>
      <dl class="facts">
        <dt>{t('areaTask.measure')}</dt>
        <dd data-testid="area-task-measure">
          {task.kind === 'recheck' ? `${t('areaTask.recheck')}：` : ''}
          {task.measure}
        </dd>
        <dt>{t('areaTask.unit')}</dt>
        <dd>{task.unit.name}</dd>
        <dt>{t('tasks.due', { due: '' }).trim()}</dt>
        <dd>{when(task.dueAt)}</dd>
        {task.doneAt ? (
          <>
            <dt>{t('areaTask.state.done')}</dt>
            <dd>{t('areaTask.doneAt', { at: when(task.doneAt) })}</dd>
          </>
        ) : null}
      </dl>
      <TaskPhotos task={task} />
      {error ? <p class="problem">{t('common.error', { message: error })}</p> : null}
      {notice ? (
        <p class="notice" role="status" data-testid="area-task-notice">
          {notice}
        </p>
      ) : null}
      {allowed.length > 0 ? (
        <div class="action-row">
          {allowed.map((kind) =>
            kind === 'accept' ? (
              <button key={kind} type="button" class="primary-inline" data-testid="step-accept" onClick={() => void made('accept', '', [], null)}>
                {t('areaTask.accept')}
              </button>
            ) : (
              <button key={kind} type="button" class={kind === 'done' ? 'primary-inline' : ''} data-testid={`step-${kind}`} aria-expanded={form === kind} onClick={() => setForm(form === kind ? null : kind)}>
                {stepName(kind)}
              </button>
            ),
          )}
        </div>
      ) : null}
      {form === 'progress' || form === 'done' ? <StepForm key={form} kind={form} onMade={made} /> : null}
      <StepList steps={steps} />
    </section>
  );
}

function TaskPhotos({ task }: { task: AreaTaskOut }) {
  const photos = (task.photos ?? []).map((p) => (typeof p === 'string' ? { url: p, thumbnailUrl: p } : p));
  if (photos.length === 0) return null;
  return (
    <>
      <h3>{t('areaTask.photos')}</h3>
      <div class="gallery" data-testid="area-task-photos" data-count={photos.length}>
        {photos.map((p) => (
          <a key={p.url} href={p.url} target="_blank" rel="noopener noreferrer">
            <img src={p.thumbnailUrl ?? p.url} alt="" width={160} height={120} loading="lazy" />
          </a>
        ))}
      </div>
    </>
  );
}

/** What this phone did on the task: waiting, sent, or refused with the server's words (kept). */
function StepList({ steps }: { steps: TaskStep[] }) {
  if (steps.length === 0) return null;
  return (
    <>
      <h3>{t('areaTask.steps')}</h3>
      <ul class="plain" data-testid="task-steps">
        {steps.map((s) => (
          <li key={s.seq} data-testid="task-step" data-state={s.state} data-kind={s.kind} class={s.state === 'failed' ? 'problem' : s.state === 'sent' ? 'status-sent' : 'status-offline'}>
            {s.state === 'pending'
              ? t('areaTask.stepWaiting', { step: stepName(s.kind) })
              : s.state === 'sent'
                ? t('areaTask.stepSent', { step: stepName(s.kind), at: new Date(s.sentAt ?? s.queuedAt).toLocaleTimeString() })
                : t('areaTask.stepFailed', { step: stepName(s.kind), error: s.error ?? '' })}
            {s.note ? <span class="muted"> — {s.note}</span> : null}
            {s.state === 'failed' ? (
              <>
                {' '}
                <button type="button" class="small" data-testid="step-retry" onClick={() => void retryStep(s)}>
                  {t('areaTask.retry')}
                </button>{' '}
                <button type="button" class="small" data-testid="step-remove" onClick={() => void dropStep(s.seq ?? -1)}>
                  {t('areaTask.remove')}
                </button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/** 进展 (a note or photos) or 完成 (an after-photo first, and the rule shown with its reason). */
function StepForm(props: { kind: 'progress' | 'done'; onMade: (kind: TaskStepKind, note: string, photos: StepPhoto[], where: { lat: number; lng: number } | null) => Promise<void> }) {
  const done = props.kind === 'done';
  return (
    <PhotoNoteForm
      testId="step"
      kind={props.kind}
      photoLabel={done ? t('areaTask.afterPhoto') : t('areaTask.photo')}
      noteLabel={t('areaTask.note')}
      notePlaceholder={t('areaTask.notePlaceholder')}
      noteMax={NOTE_MAX}
      submitLabel={t('areaTask.submit')}
      rule={done ? t('areaTask.doneRule') : undefined}
      problem={(photoCount, note) => stepProblem(props.kind, photoCount, note)}
      locate={done}
      onSubmit={({ note, photos, where }) => props.onMade(props.kind, note, photos, where)}
    />
  );
}

/** The waiting and refused task steps (the offline note above them is the queued moves' banner,
 * shown whenever the phone is offline). */
export function PendingSteps(props: { token: string; signOut: () => void; onLanded: () => void }) {
  const { items: steps, sending } = useOfflineQueue(STEPS, props);
  const pending = steps.filter((s) => s.state === 'pending');
  const failed = steps.filter((s) => s.state === 'failed');
  if (pending.length === 0 && failed.length === 0) return null;
  return (
    <QueueBanner
      testId="pending-steps"
      pending={pending.length}
      failed={failed.length}
      sending={sending}
      waiting={(count) => t('areaTask.pending', { count })}
      sendingNow={(count) => t('areaTask.sending', { count })}
    >
      {failed.map((s) => (
        <p key={s.seq} class="problem" data-testid="step-failed">
          <a href={areaTaskHash(s.taskId)}>{t('areaTask.stepFailed', { step: stepName(s.kind), error: s.error ?? '' })}</a>
        </p>
      ))}
    </QueueBanner>
  );
}

/** The key-area pages' route from the URL hash, or null on any other page. */
export function useAreaTaskRoute(): AreaTaskRoute | null {
  const [route, setRoute] = useState<AreaTaskRoute | null>(() => areaTaskRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(areaTaskRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
