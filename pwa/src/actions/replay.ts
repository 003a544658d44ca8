/** Replay the outbox: for each draft, oldest first, upload its photos then submit it. */
import { ApiError } from '../api/http';
import { applyAttempt, classifyStatus, sendQueue, type Attempt, type Draft, type DraftPhoto } from './outbox-rules';

export interface OutboxStore {
  list(): Promise<Draft[]>;
  put(draft: Draft): Promise<void>;
}

/** Who sends a draft in one attempt: the token, and a name for it that may be kept in the draft. */
export interface Sender {
  token: string;
  /** Not the token itself: a digest of it, so the draft can tell whose its media ids are. */
  id: string;
}

export interface ReplayApi {
  /** The sender of this draft now (registering the device first when it has no token yet). */
  sender(draft: Draft): Promise<Sender>;
  /** Upload one photo of a draft; resolves with its media id. Idempotent by clientKey per sender. */
  uploadPhoto(sender: Sender, photo: DraftPhoto, draft: Draft): Promise<string>;
  /** Submit the report; idempotent by clientId per sender. */
  submit(sender: Sender, draft: Draft, mediaIds: string[]): Promise<{ id: number; trackingNo: string }>;
  /** The draft's token was refused: forget it so the next replay gets a new one. */
  dropToken(draft: Draft): Promise<void>;
}

/** 'idle': nothing left that can be sent now; 'later': stopped on a network or server error. */
export type ReplayResult = 'idle' | 'later';

export async function replayOutbox(
  store: OutboxStore,
  api: ReplayApi,
  onChange: () => void = () => {},
): Promise<ReplayResult> {
  for (const queued of sendQueue(await store.list())) {
    const attempt = await sendOne(store, api, queued, onChange);
    await store.put(applyAttempt(await latest(store, queued), attempt));
    onChange();
    if (attempt.kind === 'reauth') await api.dropToken(queued);
    if (attempt.kind === 'later' || attempt.kind === 'reauth') return 'later';
  }
  return 'idle';
}

async function sendOne(store: OutboxStore, api: ReplayApi, queued: Draft, onChange: () => void): Promise<Attempt> {
  try {
    // One sender for the whole attempt: photos uploaded with one token are attached by that
    // token's report only, so a token replaced meanwhile must not submit them.
    const sender = await api.sender(queued);
    const draft = forUploader(queued, sender.id);
    const photos: DraftPhoto[] = [];
    for (const photo of draft.photos) {
      photos.push(photo.mediaId ? photo : { ...photo, mediaId: await api.uploadPhoto(sender, photo, draft) });
      // Keep each media id as it arrives, so a later replay skips that upload.
      await keepUploads(store, { ...draft, photos: [...photos, ...draft.photos.slice(photos.length)] });
      onChange();
    }
    const created = await api.submit(sender, draft, photos.map((p) => p.mediaId ?? ''));
    return { kind: 'done', reportId: created.id, trackingNo: created.trackingNo };
  } catch (error) {
    return attemptFromError(error);
  }
}

/** Media ids kept from an attempt by another sender are not this sender's to attach: upload again. */
export function forUploader(draft: Draft, senderId: string): Draft {
  if (draft.uploadedBy === senderId) return draft;
  return { ...draft, uploadedBy: senderId, photos: draft.photos.map(({ mediaId: _gone, ...photo }) => photo) };
}

/** Record uploaded media ids on the stored draft, unless another replay already sent it. */
async function keepUploads(store: OutboxStore, draft: Draft): Promise<void> {
  const stored = await latest(store, draft);
  if (stored.state === 'sent') return;
  await store.put({ ...stored, uploadedBy: draft.uploadedBy, photos: draft.photos });
}

async function latest(store: OutboxStore, draft: Draft): Promise<Draft> {
  const found = (await store.list()).find((d) => d.clientId === draft.clientId);
  return found ?? draft;
}

/** An ApiError is read by its status; anything else (a network failure) means try later. */
export function attemptFromError(error: unknown): Attempt {
  if (error instanceof ApiError) {
    const kind = classifyStatus(error.status);
    if (kind !== 'done') return { kind, message: error.message } as Attempt;
  }
  return { kind: 'later', message: error instanceof Error ? error.message : String(error) };
}
