/** 开启通知: ask permission, subscribe with the server's VAPID key (with a timeout), hand the subscription to the API. */
import { getPushKey, saveSubscription } from '../api/resident';
import type { SubscriptionIn } from '../api/types';

export type PushOutcome = 'subscribed' | 'denied' | 'unsupported';

export const SUBSCRIBE_TIMEOUT_MS = 8000;

/** The VAPID public key (base64url, as the API gives it) as the bytes subscribe() wants. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const padded = value.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(value.length / 4) * 4, '=');
  const binary = atob(padded);
  const out = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export class TimeoutError extends Error {
  constructor() {
    super('timeout');
    this.name = 'TimeoutError';
  }
}

/** Settle with the promise, or reject with TimeoutError after ms (subscribe() can hang forever without a push service). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError()), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** PushSubscription.toJSON() in the shape the API accepts, or null when keys are missing. */
export function toSubscriptionIn(json: PushSubscriptionJSON): SubscriptionIn | null {
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!json.endpoint || !p256dh || !auth) return null;
  return { endpoint: json.endpoint, keys: { p256dh, auth }, expirationTime: json.expirationTime ?? null };
}

export function pushSupported(): boolean {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

export async function enablePush(token: string, timeoutMs = SUBSCRIBE_TIMEOUT_MS): Promise<PushOutcome> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  try {
    const registration = await withTimeout(navigator.serviceWorker.ready, timeoutMs);
    const existing = await registration.pushManager.getSubscription();
    const subscription =
      existing ??
      (await (async () => {
        const { publicKey } = await getPushKey(token);
        return withTimeout(
          registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey) }),
          timeoutMs,
        );
      })());
    const body = toSubscriptionIn(subscription.toJSON());
    if (!body) return 'unsupported';
    await saveSubscription(token, body);
    return 'subscribed';
  } catch (error) {
    // No push service within the time, or the browser refused to subscribe (NotAllowedError, AbortError …).
    if (error instanceof TimeoutError || error instanceof DOMException) return 'unsupported';
    throw error;
  }
}
