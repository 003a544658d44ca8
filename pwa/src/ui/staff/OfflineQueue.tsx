/** What the phone keeps to send later (case moves, task steps): replayed at start, on reconnect,
 * every half minute and on demand, and shown in a banner while anything waits or was refused. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';

const RETRY_EVERY_MS = 30_000;

export interface Queued {
  state: string;
}

export interface QueueSource<T extends Queued> {
  /** Everything stored on the phone, in any state. */
  list: () => Promise<T[]>;
  /** Send what waits, as the signed-in worker; 'reauth' when the sign-in was refused. */
  replay: (token: string) => Promise<'idle' | 'later' | 'reauth'>;
  /** The window event fired whenever the stored items change. */
  changed: string;
  /** What the items are, for the console when they cannot be read or sent. */
  name: string;
}

export interface QueueView<T> {
  items: T[];
  sending: boolean;
  reload: () => Promise<void>;
}

export function useOfflineQueue<T extends Queued>(
  source: QueueSource<T>,
  props: { token: string; signOut: () => void; onLanded: () => void },
): QueueView<T> {
  const [items, setItems] = useState<T[]>([]);
  const [sending, setSending] = useState(false);
  const reload = () => source.list().then(setItems, (e: unknown) => console.warn(`${source.name} unreadable`, e));

  const replay = async () => {
    const before = await source.list();
    setItems(before);
    if (!before.some((item) => item.state === 'pending') || !navigator.onLine) return;
    setSending(true);
    try {
      if ((await source.replay(props.token)) === 'reauth') props.signOut();
    } catch (error) {
      console.info(`${source.name} not sent yet`, error);
    } finally {
      setSending(false);
      await reload();
      props.onLanded();
    }
  };

  useEffect(() => {
    void replay();
    const changed = () => void reload();
    window.addEventListener('online', replay);
    window.addEventListener(source.changed, changed);
    const timer = window.setInterval(() => void replay(), RETRY_EVERY_MS);
    return () => {
      window.removeEventListener('online', replay);
      window.removeEventListener(source.changed, changed);
      window.clearInterval(timer);
    };
  }, [props.token]);

  return { items, sending, reload };
}

/** The banner: the offline note when asked for, how many wait (or are being sent), then the refused. */
export function QueueBanner(props: {
  testId: string;
  pending: number;
  failed?: number;
  sending: boolean;
  waiting: (count: number) => string;
  sendingNow: (count: number) => string;
  offline?: boolean;
  children?: ComponentChildren;
}) {
  return (
    <div class="outbox" role="status" aria-live="polite" data-testid={props.testId} data-count={props.pending} data-failed={props.failed}>
      {props.offline ? <p class="offline-note">{t('worker.offline')}</p> : null}
      {props.pending > 0 ? <p>{props.sending ? props.sendingNow(props.pending) : props.waiting(props.pending)}</p> : null}
      {props.children}
    </div>
  );
}
