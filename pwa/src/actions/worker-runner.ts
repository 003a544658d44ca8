/** Worker moves wired to the API and IndexedDB: online first, queued when the network is gone. */
import { accept, getCase, requestExtension, resolve, returnCase, uploadResolutionPhoto } from '../api/cases';
import { listMyTasks } from '../api/staff';
import type { CaseOut, CaseSummaryOut } from '../api/types';
import { addMove, deleteMove, listMoves, putMove, readCache, writeCache } from '../db/staff';
import { staffToken, staffUserId } from './local';
import { isNetworkFailure, projectAll, replayMoves, type MoveReplay, type QueuedMove, type WorkerMove } from './worker-moves';

const TASKS = 'tasks';
/** Fired on window whenever the queue of offline moves changes, so its banner can recount. */
export const MOVES_CHANGED = 'gridreport-moves-changed';
const caseKey = (id: number) => `case:${id}`;
/** Details fetched ahead for offline reading; a worker's open tasks rarely pass this. */
const PREFETCH_LIMIT = 40;

/**
 * Keep a case for offline reading, unless its reader signed out meanwhile: an answer that
 * arrives after sign-out must not put the cases back on the phone.
 */
async function keep(token: string, key: string, value: unknown): Promise<void> {
  if (staffToken() === token) await writeCache(key, value);
}

async function send(token: string, caseId: number, version: number, move: WorkerMove): Promise<CaseOut | null> {
  switch (move.kind) {
    case 'accept':
      return accept(token, caseId, version);
    case 'return':
      return returnCase(token, caseId, version, move.note);
    case 'extension':
      return requestExtension(token, caseId, version, move.minutes, move.reason);
    case 'resolve': {
      // Uploads are idempotent by clientKey: a replay after a drop reuses what already arrived.
      const mediaIds: string[] = [];
      for (const p of move.photos) mediaIds.push((await uploadResolutionPhoto(token, p.bytes, p.type, p.clientKey)).id);
      const where = move.lat !== undefined && move.lng !== undefined ? { lat: move.lat, lng: move.lng } : {};
      return resolve(token, caseId, { version, note: move.note, mediaIds, ...where });
    }
  }
}

export interface MoveOutcome {
  item: CaseOut | null;
  queued: boolean;
}

/** Make a move now, or queue it (behind any queued move on the same case) when offline. */
export async function performMove(token: string, item: CaseOut, move: WorkerMove): Promise<MoveOutcome> {
  const waiting = (await listMoves()).some((q) => q.caseId === item.id && q.state === 'pending');
  if (!waiting && navigator.onLine) {
    try {
      const result = await send(token, item.id, item.version, move);
      if (result) await keep(token, caseKey(item.id), result);
      return { item: result, queued: false };
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
    }
  }
  const userId = staffUserId() ?? undefined;
  await addMove({ caseId: item.id, version: item.version, move, queuedAt: Date.now(), state: 'pending', userId });
  window.dispatchEvent(new Event(MOVES_CHANGED));
  return { item: projectAll(item, await listMoves()), queued: true };
}

/** Replay queued moves (one page at a time, by Web Locks where the browser has them). */
export async function replayWorkerMoves(token: string): Promise<MoveReplay> {
  const run = () =>
    replayMoves(
      { list: listMoves, put: putMove, remove: deleteMove },
      {
        send: (caseId, version, move) => send(token, caseId, version, move),
        landed: async (caseId, result) => (result ? keep(token, caseKey(caseId), result) : undefined),
      },
      staffUserId(),
    );
  if ('locks' in navigator && navigator.locks) {
    return navigator.locks.request('gridreport-worker-moves', { ifAvailable: true }, (lock) => (lock ? run() : ('later' as const)));
  }
  return run();
}

export function queuedMoves(): Promise<QueuedMove[]> {
  return listMoves();
}

export async function dropFailedMove(seq: number): Promise<void> {
  await deleteMove(seq);
}

export interface TaskList {
  items: CaseSummaryOut[];
  /** When the list came from the cache: when it was last fetched. */
  offlineSince: number | null;
  /** Settles once every listed case is kept for offline reading (or the network went). */
  kept: Promise<void>;
}

/** The task list from the API (cached, with details fetched ahead), or the cached one offline. */
export async function loadTasks(token: string): Promise<TaskList> {
  const queue = await listMoves();
  try {
    const items = await listMyTasks(token);
    await keep(token, TASKS, { items, at: Date.now() });
    const kept = prefetch(token, items);
    return { items: items.map((c) => projectAll(c, queue)), offlineSince: null, kept };
  } catch (error) {
    if (!isNetworkFailure(error)) throw error;
    const cached = await readCache<{ items: CaseSummaryOut[]; at: number }>(TASKS);
    if (!cached) throw error;
    return { items: cached.items.map((c) => projectAll(c, queue)), offlineSince: cached.at, kept: Promise.resolve() };
  }
}

async function prefetch(token: string, items: CaseSummaryOut[]): Promise<void> {
  for (const item of items.slice(0, PREFETCH_LIMIT)) {
    const known = await readCache<CaseOut>(caseKey(item.id));
    if (known && known.version === item.version) continue;
    try {
      await keep(token, caseKey(item.id), await getCase(token, item.id));
    } catch (error) {
      console.info('task not cached for offline reading', item.id, error);
      return;
    }
  }
}

/** One case from the API (cached), or the cached copy offline, with queued moves applied. */
export async function loadCase(token: string, id: number): Promise<{ item: CaseOut; offline: boolean }> {
  const queue = await listMoves();
  try {
    const item = await getCase(token, id);
    await keep(token, caseKey(id), item);
    return { item: projectAll(item, queue), offline: false };
  } catch (error) {
    if (!isNetworkFailure(error)) throw error;
    const cached = await readCache<CaseOut>(caseKey(id));
    if (!cached) throw error;
    return { item: projectAll(cached, queue), offline: true };
  }
}
