import { describe, expect, it } from 'vitest';
import { classify, projectAll, replayMoves, type MoveApi, type QueuedMove, type WorkerMove } from '../src/actions/worker-moves';
import { ApiError } from '../src/api/http';
import type { CaseOut } from '../src/api/types';

function memoryStore(initial: QueuedMove[]) {
  const moves: QueuedMove[] = initial.map((m, i) => ({ ...m, seq: i + 1 }));
  return {
    moves,
    list: async () => moves.map((m) => ({ ...m })),
    put: async (m: QueuedMove) => void moves.splice(moves.findIndex((x) => x.seq === m.seq), 1, m),
    remove: async (seq: number) => void moves.splice(moves.findIndex((x) => x.seq === seq), 1),
  };
}

const queued = (caseId: number, version: number, move: WorkerMove): QueuedMove => ({ caseId, version, move, queuedAt: 0, state: 'pending' });

describe('offline worker moves', () => {
  it('replays in order, each later move on a case carrying the version the earlier one made', async () => {
    const store = memoryStore([
      queued(1, 3, { kind: 'accept' }),
      queued(2, 7, { kind: 'accept' }),
      queued(1, 3, { kind: 'resolve', note: '已清理', photos: [] }),
    ]);
    const sent: string[] = [];
    const api: MoveApi = {
      send: async (caseId, version, move) => {
        sent.push(`${caseId}:${move.kind}@${version}`);
        return { id: caseId, version: version + 1 } as CaseOut;
      },
      landed: async () => undefined,
    };
    expect(await replayMoves(store, api, null)).toBe('idle');
    expect(sent).toEqual(['1:accept@3', '2:accept@7', '1:resolve@4']);
    expect(store.moves).toEqual([]);
  });

  it('stops at a network failure and keeps the rest for later', async () => {
    const store = memoryStore([queued(1, 1, { kind: 'accept' }), queued(1, 1, { kind: 'return', note: '不是本网格' })]);
    const api: MoveApi = {
      send: async () => {
        throw new TypeError('Failed to fetch');
      },
      landed: async () => undefined,
    };
    expect(await replayMoves(store, api, null)).toBe('later');
    expect(store.moves.map((m) => m.state)).toEqual(['pending', 'pending']);
  });

  it("never sends a move made by another worker with this worker's token", async () => {
    const store = memoryStore([{ ...queued(1, 1, { kind: 'accept' }), userId: 7 }, { ...queued(2, 5, { kind: 'accept' }), userId: 8 }]);
    const sent: number[] = [];
    const api: MoveApi = {
      send: async (caseId, version) => (sent.push(caseId), { id: caseId, version: version + 1 } as CaseOut),
      landed: async () => undefined,
    };
    expect(await replayMoves(store, api, 8)).toBe('idle');
    expect(sent).toEqual([2]);
    expect(store.moves).toMatchObject([{ caseId: 1, userId: 7, state: 'pending' }]);
  });

  it('a move refused for good is kept as failed and the others go on', async () => {
    const store = memoryStore([queued(1, 1, { kind: 'accept' }), queued(2, 5, { kind: 'accept' })]);
    const api: MoveApi = {
      send: async (caseId) => {
        if (caseId === 1) throw new ApiError(409, 'cases.stale', '案件已被他人更新', 'Changed by someone else');
        return { id: 2, version: 6 } as CaseOut;
      },
      landed: async () => undefined,
    };
    expect(await replayMoves(store, api, null)).toBe('idle');
    expect(store.moves).toHaveLength(1);
    expect(store.moves[0]).toMatchObject({ caseId: 1, state: 'failed', error: '案件已被他人更新' });
  });

  it('reads answers: 401 asks for a new sign-in, 5xx and no answer mean later', () => {
    expect(classify(new ApiError(401, 'auth', '', ''))).toBe('reauth');
    expect(classify(new ApiError(503, 'down', '', ''))).toBe('later');
    expect(classify(new TypeError('offline'))).toBe('later');
    expect(classify(new ApiError(422, 'bad', '', ''))).toBe('failed');
  });

  it('shows the case as the queued moves will leave it', () => {
    const item = { id: 1, status: 'dispatched', allowedActions: ['accept', 'return'], extensions: [] } as unknown as CaseOut;
    const accepted = projectAll(item, [queued(1, 1, { kind: 'accept' })]);
    expect(accepted.status).toBe('accepted');
    expect(accepted.allowedActions).toEqual(['resolve', 'return', 'request_extension']);
    const resolved = projectAll(item, [queued(1, 1, { kind: 'accept' }), queued(1, 1, { kind: 'resolve', note: 'ok', photos: [] })]);
    expect(resolved.status).toBe('resolved');
    expect(projectAll(item, [queued(2, 1, { kind: 'accept' })]).status).toBe('dispatched');
  });
});
