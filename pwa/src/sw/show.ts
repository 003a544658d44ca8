/** Showing a push: one notification per case, the newest by its sequence, in arrival order. */
import { keepHighest } from '../db/kv';

export interface PushPayload {
  title?: string;
  body?: string;
  /** The notification's own id: a push delivered twice shows once. */
  tag?: string;
  url?: string;
  kind?: string;
  /** The case it is about, and its place in that case's pushes. */
  case?: number;
  seq?: number;
}

/** Records a case's sequence; false when a later push of that case was already shown. */
export type NewestCheck = (tag: string, seq: number) => Promise<boolean>;

interface Shower {
  registration: Pick<ServiceWorkerRegistration, 'showNotification'>;
}

const newestInDatabase: NewestCheck = (tag, seq) => keepHighest(`push:${tag}`, seq);
// Pushes are shown one after another, in the order they arrived: two showNotification calls
// running at once could finish in either order, the older over the newer.
let showing: Promise<unknown> = Promise.resolve();

export function showPush(sw: Shower, payload: PushPayload, isNewest: NewestCheck = newestInDatabase): Promise<void> {
  const show = async () => {
    const perCase = payload.case !== undefined ? `case-${payload.case}` : undefined;
    if (perCase && payload.seq !== undefined && !(await isNewest(perCase, payload.seq))) return;
    await sw.registration.showNotification(payload.title ?? '随手拍', {
      body: payload.body ?? '',
      tag: perCase ?? payload.tag,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: payload.url ?? '/', kind: payload.kind, seq: payload.seq },
    });
  };
  const shown = showing.then(show, show);
  showing = shown.catch(() => undefined);
  return shown;
}
