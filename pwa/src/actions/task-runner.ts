/** Key-area task steps wired to the API and IndexedDB: every step is stored first, then replayed. */
import { getAreaTask, listMyAreaTasks, listMyDuties, postTaskUpdate, uploadTaskPhoto, type AreaTaskOut, type DutyOut, type TaskStepKind } from '../api/areas';
import { addStep, deleteStep, listSteps, putStep, readCache, writeCache } from '../db/staff';
import { newClientId } from './ids';
import { staffToken, staffUserId } from './local';
import { projectTask, replaySteps, retried, type StepPhoto, type StepReplay, type TaskStep } from './task-steps';
import { isNetworkFailure } from './worker-moves';

/** Fired on window whenever the task steps change (queued, sent, refused), so views can reread. */
export const STEPS_CHANGED = 'gridreport-task-steps-changed';
const LIST = 'areaTasks';
const taskKey = (id: number) => `areaTask:${id}`;

interface CachedList {
  tasks: AreaTaskOut[];
  duties: DutyOut[];
  at: number;
}

/** Keep for offline reading, unless its reader signed out meanwhile. */
async function keep(token: string, key: string, value: unknown): Promise<void> {
  if (staffToken() === token) await writeCache(key, value);
}

const changed = () => window.dispatchEvent(new Event(STEPS_CHANGED));

async function send(token: string, step: TaskStep): Promise<unknown> {
  // Uploads are idempotent by clientKey, the update by clientId: a replay after a drop lands once.
  const mediaIds: string[] = [];
  for (const p of step.photos) mediaIds.push((await uploadTaskPhoto(token, p.bytes, p.type, p.clientKey)).id);
  const where = step.lat !== undefined && step.lng !== undefined ? { lat: step.lat, lng: step.lng } : {};
  return postTaskUpdate(token, step.taskId, { clientId: step.clientId, kind: step.kind, note: step.note, mediaIds, ...where });
}

/** Send the signed-in worker's waiting steps (one replayer at a time, by Web Locks where there are). */
export async function replayTaskSteps(token: string): Promise<StepReplay> {
  const run = () =>
    replaySteps(
      {
        list: listSteps,
        put: async (s) => {
          await putStep(s);
          changed();
        },
        remove: deleteStep,
      },
      { send: (s) => send(token, s), landed: async () => undefined },
      staffUserId(),
    );
  if ('locks' in navigator && navigator.locks) {
    return navigator.locks.request('gridreport-task-steps', { ifAvailable: true }, (lock) => (lock ? run() : ('later' as const)));
  }
  return run();
}

export interface NewStep {
  kind: TaskStepKind;
  note: string;
  photos: StepPhoto[];
  lat?: number;
  lng?: number;
}

/** Store the step whole on the phone; it is sent from there (now when online, else later). */
export async function queueStep(taskId: number, step: NewStep): Promise<void> {
  const userId = staffUserId() ?? undefined;
  await addStep({ ...step, taskId, clientId: newClientId(), queuedAt: Date.now(), state: 'pending', userId });
  changed();
}

export function taskSteps(): Promise<TaskStep[]> {
  return listSteps();
}

/** A refused step goes back in the queue as it was, with its clientId. */
export async function retryStep(step: TaskStep): Promise<void> {
  await putStep(retried(step));
  changed();
}

export async function dropStep(seq: number): Promise<void> {
  await deleteStep(seq);
  changed();
}

export interface AreaTaskList {
  tasks: AreaTaskOut[];
  duties: DutyOut[];
  /** When the list came from the phone: when it was last fetched. */
  offlineSince: number | null;
  /** Why the duties could not be read, when only they failed. */
  dutiesProblem: unknown;
}

/** My tasks and duties from the API (kept for offline reading), or as last fetched when offline. */
export async function loadAreaTasks(token: string): Promise<AreaTaskList> {
  const steps = await listSteps();
  const [tasks, duties] = await Promise.allSettled([listMyAreaTasks(token), listMyDuties(token)]);
  if (tasks.status === 'fulfilled') {
    // Duties that could not be read now are shown as last read, not as none.
    const dutyList = duties.status === 'fulfilled' ? duties.value : ((await readCache<CachedList>(LIST))?.duties ?? []);
    await keep(token, LIST, { tasks: tasks.value, duties: dutyList, at: Date.now() } satisfies CachedList);
    for (const task of tasks.value) await keep(token, taskKey(task.id), task);
    return {
      tasks: tasks.value.map((t) => projectTask(t, steps)),
      duties: dutyList,
      offlineSince: null,
      dutiesProblem: duties.status === 'rejected' ? (duties.reason as unknown) : null,
    };
  }
  const error: unknown = tasks.reason;
  if (!isNetworkFailure(error)) throw error;
  const cached = await readCache<CachedList>(LIST);
  if (!cached) throw error;
  return { tasks: cached.tasks.map((t) => projectTask(t, steps)), duties: cached.duties, offlineSince: cached.at, dutiesProblem: null };
}

/** One task from the API (kept), or the kept copy offline, with its waiting steps applied. */
export async function loadAreaTask(token: string, id: number): Promise<{ task: AreaTaskOut; offline: boolean }> {
  const steps = await listSteps();
  try {
    const task = await getAreaTask(token, id);
    await keep(token, taskKey(id), task);
    return { task: projectTask(task, steps), offline: false };
  } catch (error) {
    if (!isNetworkFailure(error)) throw error;
    const cached = await readCache<AreaTaskOut>(taskKey(id));
    if (!cached) throw error;
    return { task: projectTask(cached, steps), offline: true };
  }
}
