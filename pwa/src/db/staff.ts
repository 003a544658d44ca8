/** A grid worker's offline state: queued moves and task steps (FIFO by seq), cached tasks and cases. */
import type { InspectJob } from '../actions/inspection-queue';
import type { TaskStep } from '../actions/task-steps';
import type { QueuedMove } from '../actions/worker-moves';
import { database } from './schema';

export async function listMoves(): Promise<QueuedMove[]> {
  return (await database()).getAll('staffMoves');
}

export async function addMove(move: QueuedMove): Promise<number> {
  const { seq: _unused, ...rest } = move;
  return (await database()).add('staffMoves', rest as QueuedMove);
}

export async function putMove(move: QueuedMove): Promise<void> {
  await (await database()).put('staffMoves', move);
}

export async function deleteMove(seq: number): Promise<void> {
  await (await database()).delete('staffMoves', seq);
}

export async function readCache<T>(key: string): Promise<T | undefined> {
  return (await (await database()).get('caseCache', key)) as T | undefined;
}

export async function writeCache(key: string, value: unknown): Promise<void> {
  await (await database()).put('caseCache', value, key);
}

/** Forget every cached case and task, every queued move, task step and 督查 job, in one transaction. */
export async function clearStaffStores(): Promise<void> {
  const tx = (await database()).transaction(['caseCache', 'staffMoves', 'taskSteps', 'inspectionJobs'], 'readwrite');
  await Promise.all([
    tx.objectStore('caseCache').clear(),
    tx.objectStore('staffMoves').clear(),
    tx.objectStore('taskSteps').clear(),
    tx.objectStore('inspectionJobs').clear(),
    tx.done,
  ]);
}

export async function listSteps(): Promise<TaskStep[]> {
  return (await database()).getAll('taskSteps');
}

export async function addStep(step: TaskStep): Promise<number> {
  const { seq: _unused, ...rest } = step;
  return (await database()).add('taskSteps', rest as TaskStep);
}

export async function putStep(step: TaskStep): Promise<void> {
  await (await database()).put('taskSteps', step);
}

export async function deleteStep(seq: number): Promise<void> {
  await (await database()).delete('taskSteps', seq);
}

export async function listInspectJobs(): Promise<InspectJob[]> {
  return (await database()).getAll('inspectionJobs');
}

export async function addInspectJob(job: InspectJob): Promise<number> {
  const { seq: _unused, ...rest } = job;
  return (await database()).add('inspectionJobs', rest as InspectJob);
}

export async function putInspectJob(job: InspectJob): Promise<void> {
  await (await database()).put('inspectionJobs', job);
}

export async function deleteInspectJob(seq: number): Promise<void> {
  await (await database()).delete('inspectionJobs', seq);
}
