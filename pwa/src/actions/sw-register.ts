/** Register the service worker, ask before a new version takes over, and request Background Sync. */
import { SYNC_TAG } from './constants';

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

/** Register /sw.js (production builds only); onUpdate gets a function that activates the waiting version. */
export async function registerServiceWorker(onUpdate: (activate: () => void) => void): Promise<void> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  // Reload only when the user asked for the new version; the first install's clients.claim()
  // also fires controllerchange, and must not wipe a half-filled form.
  let requested = false;
  const offer = (worker: ServiceWorker | null) => {
    if (worker && navigator.serviceWorker.controller) {
      onUpdate(() => {
        requested = true;
        worker.postMessage({ type: 'SKIP_WAITING' });
      });
    }
  };
  offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => {
      if (installing.state === 'installed') offer(installing);
    });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!requested) return;
    requested = false;
    location.reload();
  });
}

/** Ask the browser to run the outbox replay in the service worker when it is online. */
export async function requestBackgroundSync(): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !navigator.serviceWorker.controller) return false;
  const registration = await navigator.serviceWorker.ready;
  const sync = (registration as ServiceWorkerRegistration & { sync?: SyncManagerLike }).sync;
  if (!sync) return false;
  try {
    await sync.register(SYNC_TAG);
    return true;
  } catch {
    return false;
  }
}
