/**
 * A grid worker's moves when the signal is gone: queued in IndexedDB, shown as already made, and
 * replayed in the order they were made. A later move on the same case carries the version the
 * earlier one produced, so 签收 then 处置 made offline land as two moves, not one 409.
 */
import { ApiError } from '../api/http';
import type { CaseOut, CaseSummaryOut } from '../api/types';

export interface MovePhoto {
  clientKey: string;
  type: string;
  bytes: ArrayBuffer;
}

export type WorkerMove =
  | { kind: 'accept' }
  | { kind: 'return'; note: string }
  | { kind: 'extension'; minutes: number; reason: string }
  | { kind: 'resolve'; note: string; photos: MovePhoto[]; lat?: number; lng?: number };

export interface QueuedMove {
  seq?: number;
  /** The worker who made the move: it is only ever sent under that worker's sign-in. */
  userId?: number;
  caseId: number;
  version: number;
  move: WorkerMove;
  queuedAt: number;
  state: 'pending' | 'failed';
  error?: string;
}

/** The case as it will be once the move lands: the worker goes on working from this. */
export function project<T extends CaseSummaryOut>(item: T, move: WorkerMove): T {
  switch (move.kind) {
    case 'accept':
      return { ...item, status: 'accepted', ...withActions(item, ['resolve', 'return', 'request_extension']) };
    case 'resolve':
      return { ...item, status: 'resolved', ...withActions(item, []) };
    case 'return':
      return { ...item, status: 'submitted', ...withActions(item, []) };
    case 'extension': {
      if (!('extensions' in item)) return item;
      const full = item as unknown as CaseOut;
      const asked = { minutes: move.minutes, reason: move.reason, state: 'pending', requestedAt: new Date().toISOString() };
      return { ...item, extensions: [...full.extensions, asked] } as T;
    }
  }
}

function withActions(item: CaseSummaryOut, allowed: string[]): Partial<CaseOut> {
  return 'allowedActions' in item ? { allowedActions: allowed } : {};
}

/** Apply every pending move on its case, in order (for the list and the detail offline). */
export function projectAll<T extends CaseSummaryOut>(item: T, queue: readonly QueuedMove[]): T {
  return queue.filter((q) => q.caseId === item.id && q.state === 'pending').reduce((c, q) => project(c, q.move), item);
}

export interface MoveStore {
  list(): Promise<QueuedMove[]>;
  put(move: QueuedMove): Promise<void>;
  remove(seq: number): Promise<void>;
}

export interface MoveApi {
  send(caseId: number, version: number, move: WorkerMove): Promise<CaseOut | null>;
  landed(caseId: number, result: CaseOut | null): Promise<void>;
}

export type MoveReplay = 'idle' | 'later' | 'reauth';

/**
 * Send the signed-in worker's queued moves oldest first; stop at the first network or server
 * failure (try later). `worker` is that worker's id (null for a session from before moves carried
 * one); a move made by anyone else is never sent with this worker's token.
 */
export async function replayMoves(store: MoveStore, api: MoveApi, worker: number | null): Promise<MoveReplay> {
  const versions = new Map<number, number>();
  const queue = (await store.list())
    .filter((q) => q.state === 'pending' && (q.userId ?? null) === worker)
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  for (const queued of queue) {
    const version = versions.get(queued.caseId) ?? queued.version;
    try {
      const result = await api.send(queued.caseId, version, queued.move);
      if (result) versions.set(queued.caseId, result.version);
      await store.remove(queued.seq ?? -1);
      await api.landed(queued.caseId, result);
    } catch (error) {
      const verdict = classify(error);
      if (verdict !== 'failed') return verdict;
      // Refused for good (someone else moved the case, or it is no longer ours): keep it visible.
      await store.put({ ...queued, state: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return 'idle';
}

export function classify(error: unknown): 'failed' | 'later' | 'reauth' {
  if (!(error instanceof ApiError)) return 'later';
  if (error.status === 401) return 'reauth';
  if (error.status >= 500 || error.status === 429 || error.status === 408) return 'later';
  return 'failed';
}

/** A fetch that never reached the server (offline, dropped) rather than an answer from it. */
export function isNetworkFailure(error: unknown): boolean {
  return !(error instanceof ApiError);
}
