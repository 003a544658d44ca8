/** The outbox replay wired to IndexedDB and the API; shared by the page and the service worker. */
import { registerDevice, submitReport, uploadPhoto } from '../api/resident';
import { deleteValue, getValue, setValue } from '../db/kv';
import { listDrafts, putDraft } from '../db/outbox';
import { ApiError } from '../api/http';
import { sha256Hex } from './ids';
import { sendQueue, type Draft } from './outbox-rules';
import { replayOutbox, type ReplayApi, type ReplayResult } from './replay';

export { SYNC_TAG } from './constants';
export const TOKEN_KEY = 'residentToken';
/** The signed-in staff member's token, mirrored here so the service worker can send patrol reports. */
export const STAFF_TOKEN_KEY = 'staffToken';
/** Whose that token is: a patrol report is sent only under its author's own sign-in. */
export const STAFF_USER_KEY = 'staffUser';
const CHANNEL = 'gridreport-outbox';

/**
 * The resident's device token: stored, or registered now. Pages and the service worker ask at
 * once (start-up, the nearby offer, the replay): one registers, the others wait for its token,
 * or photos uploaded as one device would be submitted as another.
 */
export async function ensureResidentToken(locale = 'zh-CN'): Promise<string> {
  const register = async (): Promise<string> => {
    const known = await getValue(TOKEN_KEY);
    if (known) return known;
    const { token } = await registerDevice(locale);
    await setValue(TOKEN_KEY, token);
    announce('token');
    return token;
  };
  if (typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks) {
    return navigator.locks.request('gridreport-device', register);
  }
  return register();
}

/** A patrol report goes with the worker's token; a resident's with the device token. */
async function tokenFor(draft: Draft): Promise<string> {
  if (!draft.patrol) return ensureResidentToken();
  const [staff, user] = await Promise.all([getValue(STAFF_TOKEN_KEY), getValue(STAFF_USER_KEY)]);
  const theirs = draft.staffUserId === undefined || String(draft.staffUserId) === user;
  if (!staff || !theirs) throw new ApiError(401, 'auth.signed_out', '请重新登录后发送巡查上报', 'Sign in again to send patrol reports');
  return staff;
}

function replayApi(): ReplayApi {
  return {
    async sender(draft) {
      const token = await tokenFor(draft);
      return { token, id: (await sha256Hex(new TextEncoder().encode(token).buffer)).slice(0, 32) };
    },
    async uploadPhoto({ token }, photo) {
      return (await uploadPhoto(token, photo.bytes, photo.type, photo.clientKey)).id;
    },
    async submit({ token }, draft, mediaIds) {
      const f = draft.fields;
      return submitReport(token, {
        clientId: draft.clientId,
        category: f.category,
        lat: f.lat,
        lng: f.lng,
        accuracyM: f.accuracyM,
        address: f.address.trim() || null,
        description: f.description,
        mediaIds,
        anonymous: f.anonymous,
      });
    },
    async dropToken(draft) {
      // A refused staff token is not replaced here: the worker signs in again.
      if (!draft.patrol) await deleteValue(TOKEN_KEY);
    },
  };
}

/** Tell every page of the app that the outbox (or the token) changed. */
export function announce(what: 'changed' | 'token' | 'sending' | 'done'): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(what);
  channel.close();
}

export function listen(handler: (what: string) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<string>) => handler(event.data);
  return () => channel.close();
}

/** Replay once; with Web Locks only one page or worker replays at a time ('busy' otherwise). */
export async function runReplay(): Promise<ReplayResult | 'busy'> {
  const run = async (): Promise<ReplayResult> => {
    if (sendQueue(await listDrafts()).length === 0) return 'idle';
    announce('sending');
    try {
      return await replayOutbox({ list: listDrafts, put: putDraft }, replayApi(), () => announce('changed'));
    } finally {
      announce('done');
    }
  };
  if (typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks) {
    return navigator.locks.request('gridreport-outbox', { ifAvailable: true }, (lock) =>
      lock ? run() : ('busy' as const),
    );
  }
  return run();
}
