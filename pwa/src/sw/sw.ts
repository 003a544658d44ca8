/** The service worker only wires events to small modules. Built to /sw.js (see build/sw-plugin.ts). */
import { runReplay, SYNC_TAG } from '../actions/outbox-runner';
import { dropOldCaches, isShellRequest, precacheShell, respond } from './precache';
import { openFromNotification, readPayload, showPush } from './push';

declare const self: ServiceWorkerGlobalScope;

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

self.addEventListener('install', (event) => {
  event.waitUntil(precacheShell());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(dropOldCaches().then(() => self.clients.claim()));
});

// A new version waits until the page's "有新版本，点击更新" asks it to take over.
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !isShellRequest(new URL(request.url), self.location.origin)) return;
  event.respondWith(respond(request));
});

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag !== SYNC_TAG) return;
  // Rejecting tells the browser to try this sync again later.
  sync.waitUntil(
    runReplay().then((result) => {
      if (result === 'later') throw new Error('outbox: retry later');
    }),
  );
});

self.addEventListener('push', (event) => {
  event.waitUntil(showPush(self, readPayload(event.data)));
});

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(openFromNotification(self, event.notification));
});
