/**
 * Steps on a key-area task (签收, 进展, 完成) made on the phone: each is stored whole in IndexedDB
 * (photos, fields and a clientId made once) and replayed oldest first as upload-then-submit. The
 * server lands a clientId once, so a step retried after a drop or a refusal is never doubled.
 */
import type { AreaTaskOut, DutyOut, TaskStepKind } from '../api/areas';
import { classify } from './worker-moves';

export interface StepPhoto {
  clientKey: string;
  type: string;
  bytes: ArrayBuffer;
}

export interface TaskStep {
  seq?: number;
  /** The worker who made the step: it is only ever sent under that worker's sign-in. */
  userId?: number;
  taskId: number;
  /** Made once when the step is made; every attempt sends this same id. */
  clientId: string;
  kind: TaskStepKind;
  note: string;
  photos: StepPhoto[];
  lat?: number;
  lng?: number;
  queuedAt: number;
  /** pending: waiting to be sent; failed: refused by the server (kept, with its message); sent. */
  state: 'pending' | 'failed' | 'sent';
  error?: string;
  sentAt?: number;
}

export interface StepStore {
  list(): Promise<TaskStep[]>;
  put(step: TaskStep): Promise<void>;
  remove(seq: number): Promise<void>;
}

export interface StepApi {
  /** Upload the step's photos, then submit the step with their ids and its clientId. */
  send(step: TaskStep): Promise<unknown>;
  landed(step: TaskStep): Promise<void>;
}

export type StepReplay = 'idle' | 'later' | 'reauth';

/** A sent step stays listed on the phone this long, so the worker sees it went. */
export const SENT_KEPT_MS = 24 * 3600 * 1000;

const bySeq = (a: TaskStep, b: TaskStep) => (a.seq ?? 0) - (b.seq ?? 0);

/**
 * Send the signed-in worker's waiting steps oldest first. A network or server failure stops the
 * run (try later) and keeps the step as it is; a refusal (4xx) keeps the step, marked failed with
 * the server's message, and the run goes on; a sent step keeps its fields but not its photos.
 */
export async function replaySteps(store: StepStore, api: StepApi, worker: number | null, now: () => number = Date.now): Promise<StepReplay> {
  const all = await store.list();
  for (const old of all.filter((s) => s.state === 'sent' && now() - (s.sentAt ?? 0) > SENT_KEPT_MS)) {
    await store.remove(old.seq ?? -1);
  }
  const queue = all.filter((s) => s.state === 'pending' && (s.userId ?? null) === worker).sort(bySeq);
  for (const step of queue) {
    try {
      await api.send(step);
    } catch (error) {
      const verdict = classify(error);
      if (verdict !== 'failed') return verdict;
      await store.put({ ...step, state: 'failed', error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const sent: TaskStep = { ...step, photos: [], state: 'sent', sentAt: now() };
    delete sent.error;
    await store.put(sent);
    await api.landed(sent);
  }
  return 'idle';
}

/** A refused step sent again as it was: the same clientId, so it cannot land twice. */
export function retried(step: TaskStep): TaskStep {
  const again: TaskStep = { ...step, state: 'pending' };
  delete again.error;
  return again;
}

/** The task as it will be once its waiting steps land: the worker goes on from this. */
export function projectTask(task: AreaTaskOut, steps: readonly TaskStep[]): AreaTaskOut {
  return steps
    .filter((s) => s.taskId === task.id && s.state === 'pending')
    .sort(bySeq)
    .reduce<AreaTaskOut>((t, s) => {
      if (s.kind === 'accept' && t.state === 'open') return { ...t, state: 'accepted' };
      if (s.kind === 'done' && (t.state === 'open' || t.state === 'accepted')) return { ...t, state: 'done', overdue: false };
      return t;
    }, task);
}

/** The steps a task in this state takes: 签收 first, then 进展 and 完成. */
export function allowedSteps(state: AreaTaskOut['state']): TaskStepKind[] {
  if (state === 'open') return ['accept'];
  if (state === 'accepted') return ['progress', 'done'];
  return [];
}

export const NOTE_MAX = 1000;

export type StepProblem = 'areaTask.needPhoto' | 'areaTask.needProgress' | 'areaTask.noteTooLong' | null;

/**
 * 完成 needs an after-photo: the server would take a note of 5 characters instead, but the
 * acceptance report shows the tasks' photos as the proof of the work, and the owner stands on the
 * spot. 进展 needs a note (2 characters or more) or a photo.
 */
export function stepProblem(kind: TaskStepKind, photoCount: number, note: string): StepProblem {
  const length = note.trim().length;
  if (length > NOTE_MAX) return 'areaTask.noteTooLong';
  if (kind === 'done' && photoCount < 1) return 'areaTask.needPhoto';
  if (kind === 'progress' && photoCount < 1 && length < 2) return 'areaTask.needProgress';
  return null;
}

/** The steps of one task to show on its page, newest first. */
export function stepsOf(taskId: number, steps: readonly TaskStep[]): TaskStep[] {
  return steps.filter((s) => s.taskId === taskId).sort((a, b) => bySeq(b, a));
}

/** Duties beside the tasks: a task's own deadline is shown on the task, not twice. */
export function dutiesBeside(tasks: readonly AreaTaskOut[], duties: readonly DutyOut[]): DutyOut[] {
  const mine = new Set(tasks.map((t) => t.id));
  return duties
    .filter((d) => !(d.subjectKind === 'area_task' && mine.has(d.subjectId)))
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
}

export type AreaTaskRoute = { view: 'areaTasks' } | { view: 'areaTask'; id: number };

/** `#/tasks` lists the key-area tasks, `#/tasks/{id}` opens one (push notifications link there). */
export function areaTaskRoute(hash: string): AreaTaskRoute | null {
  if (hash === '#/tasks' || hash === '#/tasks/') return { view: 'areaTasks' };
  const match = /^#\/tasks\/(\d+)$/.exec(hash);
  return match ? { view: 'areaTask', id: Number(match[1]) } : null;
}

export function areaTaskHash(id: number): string {
  return `#/tasks/${id}`;
}
