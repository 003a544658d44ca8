import { describe, expect, it } from 'vitest';
import {
  applyAttempt,
  classifyStatus,
  retryDraft,
  sendQueue,
  statusKey,
  summarize,
  type Draft,
} from '../src/actions/outbox-rules';
import { ApiError } from '../src/api/http';
import { attemptFromError, replayOutbox, type OutboxStore, type ReplayApi } from '../src/actions/replay';

function draft(seq: number, extra: Partial<Draft> = {}): Draft {
  return {
    seq,
    clientId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    createdAt: 1000 + seq,
    state: 'pending',
    attempts: 0,
    fields: { category: 'sanitation', lat: 30.27, lng: 120.15, accuracyM: 10, address: '', description: 'x', anonymous: false },
    photos: [{ clientKey: `key-${seq}`, type: 'image/jpeg', bytes: new ArrayBuffer(4), size: 4 }],
    ...extra,
  };
}

describe('classifyStatus', () => {
  it.each([
    [200, 'done'],
    [201, 'done'],
    [400, 'rejected'],
    [404, 'rejected'],
    [409, 'rejected'],
    [413, 'rejected'],
    [415, 'rejected'],
    [422, 'rejected'],
    [401, 'reauth'],
    [408, 'later'],
    [429, 'later'],
    [500, 'later'],
    [502, 'later'],
    [503, 'later'],
    [0, 'later'],
  ])('%i → %s', (status, kind) => expect(classifyStatus(status)).toBe(kind));
});

describe('applyAttempt', () => {
  it('done: sent, keeps the tracking number, drops the photo bytes', () => {
    const d = applyAttempt(draft(1), { kind: 'done', reportId: 7, trackingNo: '20261123-000001' });
    expect(d.state).toBe('sent');
    expect(d.trackingNo).toBe('20261123-000001');
    expect(d.reportId).toBe(7);
    expect(d.photos[0]?.bytes.byteLength).toBe(0);
    expect(d.photos[0]?.clientKey).toBe('key-1');
  });
  it('rejected: failed with the server message, bytes kept', () => {
    const d = applyAttempt(draft(1), { kind: 'rejected', message: '同一编号内容不同' });
    expect(d.state).toBe('failed');
    expect(d.error).toBe('同一编号内容不同');
    expect(d.photos[0]?.bytes.byteLength).toBe(4);
  });
  it('later and reauth: still pending, attempt counted', () => {
    for (const kind of ['later', 'reauth'] as const) {
      const d = applyAttempt(draft(1), { kind, message: 'boom' });
      expect(d.state).toBe('pending');
      expect(d.attempts).toBe(1);
    }
  });
  it('retryDraft puts a failed draft back in the queue', () => {
    const failed = applyAttempt(draft(1), { kind: 'rejected', message: 'no' });
    expect(retryDraft(failed).state).toBe('pending');
    expect(retryDraft(failed).clientId).toBe(failed.clientId);
  });
});

describe('sendQueue and status', () => {
  it('is FIFO by seq and skips sent and failed drafts', () => {
    const q = sendQueue([draft(3), draft(1, { state: 'failed' }), draft(2), draft(4, { state: 'sent' })]);
    expect(q.map((d) => d.seq)).toEqual([2, 3]);
  });
  it('picks one status line', () => {
    const waiting = summarize([draft(1), draft(2)]);
    expect(waiting.pending).toBe(2);
    expect(statusKey(waiting, true, false)).toBe('pending');
    expect(statusKey(waiting, false, false)).toBe('offline');
    expect(statusKey(waiting, true, true)).toBe('sending');
    expect(statusKey(summarize([draft(1, { attempts: 1, error: '502' })]), true, false)).toBe('failed');
    expect(statusKey(summarize([draft(1, { state: 'failed', error: 'no' })]), true, false)).toBe('failed');
    const sent = summarize([draft(1, { state: 'sent', trackingNo: 'A' }), draft(2, { state: 'sent', trackingNo: 'B' })]);
    expect(statusKey(sent, true, false)).toBe('sent');
    expect(sent.lastSent?.trackingNo).toBe('B');
    expect(statusKey(summarize([]), true, false)).toBe('idle');
  });
});

/** An in-memory outbox and a scripted server. */
function harness(drafts: Draft[], answers: Record<string, number | Error>) {
  const rows = new Map(drafts.map((d) => [d.clientId, d]));
  const calls: string[] = [];
  let dropped = 0;
  const store: OutboxStore = {
    list: async () => [...rows.values()],
    put: async (d) => void rows.set(d.clientId, d),
  };
  const answer = (key: string) => {
    const a = answers[key];
    if (a instanceof Error) throw a;
    if (a !== undefined && a >= 300) throw new ApiError(a, `http.${a}`, `服务器 ${a}`, `server ${a}`);
  };
  const api: ReplayApi = {
    sender: async () => ({ token: 'device-token', id: 'device' }),
    async uploadPhoto(_sender, photo) {
      calls.push(`upload ${photo.clientKey}`);
      answer(photo.clientKey);
      return `media-${photo.clientKey}`;
    },
    async submit(_sender, d, mediaIds) {
      calls.push(`submit ${d.seq} [${mediaIds.join(',')}]`);
      answer(`submit-${d.seq}`);
      return { id: d.seq ?? 0, trackingNo: `T${d.seq}` };
    },
    async dropToken() {
      dropped += 1;
    },
  };
  return { rows, calls, store, api, dropped: () => dropped, get: (seq: number) => [...rows.values()].find((d) => d.seq === seq) };
}

describe('replayOutbox', () => {
  it('sends oldest first, photos before the report', async () => {
    const h = harness([draft(2), draft(1)], {});
    expect(await replayOutbox(h.store, h.api)).toBe('idle');
    expect(h.calls).toEqual(['upload key-1', 'submit 1 [media-key-1]', 'upload key-2', 'submit 2 [media-key-2]']);
    expect(h.get(1)?.trackingNo).toBe('T1');
    expect(h.get(2)?.state).toBe('sent');
  });
  it('a 409 or other 4xx fails that draft and goes on with the next', async () => {
    const h = harness([draft(1), draft(2), draft(3)], { 'submit-1': 409, 'key-2': 415 });
    expect(await replayOutbox(h.store, h.api)).toBe('idle');
    expect(h.get(1)?.state).toBe('failed');
    expect(h.get(1)?.error).toBe('服务器 409');
    expect(h.get(2)?.state).toBe('failed');
    expect(h.get(3)?.state).toBe('sent');
  });
  it('a 5xx or network error stops the queue and keeps the uploaded media id', async () => {
    const h = harness([draft(1), draft(2)], { 'submit-1': 503 });
    expect(await replayOutbox(h.store, h.api)).toBe('later');
    expect(h.get(1)?.state).toBe('pending');
    expect(h.get(1)?.photos[0]?.mediaId).toBe('media-key-1');
    expect(h.calls).not.toContain('upload key-2');

    const again = harness([...h.rows.values()], { 'key-1': new TypeError('Failed to fetch') });
    expect(await replayOutbox(again.store, again.api)).toBe('idle');
    expect(again.calls[0]).toBe('submit 1 [media-key-1]');
  });
  it('a network failure is "later"', async () => {
    const h = harness([draft(1)], { 'key-1': new TypeError('Failed to fetch') });
    expect(await replayOutbox(h.store, h.api)).toBe('later');
    expect(h.get(1)?.state).toBe('pending');
  });
  it('a 401 drops the token and tries later', async () => {
    const h = harness([draft(1)], { 'key-1': 401 });
    expect(await replayOutbox(h.store, h.api)).toBe('later');
    expect(h.dropped()).toBe(1);
  });
  it('reads errors', () => {
    expect(attemptFromError(new ApiError(429, 'rate', 'slow', 'slow')).kind).toBe('later');
    expect(attemptFromError(new ApiError(422, 'bad', 'bad', 'bad')).kind).toBe('rejected');
  });
});
