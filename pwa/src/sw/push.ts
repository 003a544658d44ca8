/** Web Push: one notification per case, the newest by its sequence; a tap opens or focuses its page. */
import type { PushPayload } from './show';

export { showPush } from './show';

export function readPayload(data: PushMessageData | null): PushPayload {
  if (!data) return {};
  try {
    return data.json() as PushPayload;
  } catch {
    return { body: data.text() };
  }
}

export async function openFromNotification(sw: ServiceWorkerGlobalScope, notification: Notification): Promise<void> {
  notification.close();
  const data = notification.data as { url?: string } | null;
  const target = new URL(data?.url ?? '/', sw.location.origin).href;
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const same = windows.find((w) => w.url === target);
  if (same) {
    await same.focus();
    return;
  }
  // An open window of the app is taken to the page: one app, not a new tab per notification.
  const open = windows[0];
  if (open) {
    const moved = await open.navigate(target).catch(() => null);
    if (moved) {
      // Focusing needs the user's gesture on some browsers; the window is on the page already.
      await moved.focus().catch((error: unknown) => console.info('window not focused', error));
      return;
    }
  }
  await sw.clients.openWindow(target);
}
