/** Pure rules of the outbox: what each server answer does to a draft, and the queue order. No I/O. */

export type DraftState = 'pending' | 'sent' | 'failed';

export interface DraftPhoto {
  /** SHA-256 hex of the bytes: the server's idempotency key for this photo. */
  clientKey: string;
  type: string;
  bytes: ArrayBuffer;
  size: number;
  /** Set once the server has the photo, so a replay does not send it again. */
  mediaId?: string;
}

export interface DraftFields {
  category: string;
  lat: number;
  lng: number;
  accuracyM: number | null;
  address: string;
  description: string;
  anonymous: boolean;
}

export interface Draft {
  /** Queue position, given by IndexedDB on insert. */
  seq?: number;
  /** Made once when the draft is created: the server's idempotency key for the report. */
  clientId: string;
  createdAt: number;
  state: DraftState;
  fields: DraftFields;
  photos: DraftPhoto[];
  attempts: number;
  error?: string;
  trackingNo?: string;
  reportId?: number;
  /** 巡查上报: filed by a signed-in grid worker on patrol, sent with the staff token. */
  patrol?: boolean;
  /** Who uploaded the photos whose media ids are kept (a digest of the sender's token). */
  uploadedBy?: string;
  /** The staff user who filed a patrol report: it is never sent under someone else's sign-in. */
  staffUserId?: number;
}

/** What one attempt at a draft came to. */
export type Attempt =
  | { kind: 'done'; reportId: number; trackingNo: string }
  | { kind: 'rejected'; message: string }
  | { kind: 'later'; message: string }
  | { kind: 'reauth'; message: string };

/** How an HTTP status (0 = no answer) is read: done, never-will-succeed, try later, or new token. */
export function classifyStatus(status: number): Attempt['kind'] {
  if (status >= 200 && status < 300) return 'done';
  if (status === 401) return 'reauth';
  // Timeouts and throttling are 4xx but pass with time.
  if (status === 408 || status === 425 || status === 429) return 'later';
  if (status >= 400 && status < 500) return 'rejected';
  return 'later';
}

/**
 * The draft after an attempt. A sent draft drops its photo bytes; a rejected one keeps them.
 * A draft that another replay already sent stays sent, whatever this attempt came to.
 */
export function applyAttempt(draft: Draft, attempt: Attempt): Draft {
  if (draft.state === 'sent') return draft;
  switch (attempt.kind) {
    case 'done':
      return {
        ...draft,
        state: 'sent',
        error: undefined,
        trackingNo: attempt.trackingNo,
        reportId: attempt.reportId,
        photos: draft.photos.map((p) => ({ ...p, bytes: new ArrayBuffer(0) })),
      };
    case 'rejected':
      return { ...draft, state: 'failed', error: attempt.message, attempts: draft.attempts + 1 };
    case 'later':
    case 'reauth':
      return { ...draft, state: 'pending', error: attempt.message, attempts: draft.attempts + 1 };
  }
}

/** A failed draft the user asks to send again goes back into the queue at its old place. */
export function retryDraft(draft: Draft): Draft {
  return draft.state === 'failed' ? { ...draft, state: 'pending', error: undefined } : draft;
}

/** Drafts waiting to be sent, in FIFO order. Failed and sent drafts never block the queue. */
export function sendQueue(drafts: readonly Draft[]): Draft[] {
  return drafts.filter((d) => d.state === 'pending').sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

export interface OutboxSummary {
  pending: number;
  failed: Draft[];
  lastSent: Draft | null;
  /** The error of the head of the queue after a failed attempt (5xx, network). */
  retryError: string | null;
}

export function summarize(drafts: readonly Draft[]): OutboxSummary {
  const queue = sendQueue(drafts);
  const sent = drafts.filter((d) => d.state === 'sent').sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0));
  const head = queue[0];
  return {
    pending: queue.length,
    failed: drafts.filter((d) => d.state === 'failed'),
    lastSent: sent[0] ?? null,
    retryError: head && head.attempts > 0 ? (head.error ?? null) : null,
  };
}

export type StatusKey = 'sending' | 'offline' | 'failed' | 'pending' | 'sent' | 'idle';

/** Which one line the outbox shows. */
export function statusKey(s: OutboxSummary, online: boolean, sending: boolean): StatusKey {
  if (sending) return 'sending';
  if (s.pending > 0 && !online) return 'offline';
  if (s.pending > 0 && s.retryError !== null) return 'failed';
  if (s.pending > 0) return 'pending';
  if (s.failed.length > 0) return 'failed';
  if (s.lastSent) return 'sent';
  return 'idle';
}
