/**
 * A view fetched on its first visit, so the report form loads without it. The service worker
 * precaches every built file, so once installed the view opens offline as well.
 */
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t, type MessageKey } from '../../i18n';

export type Loader<P> = () => Promise<FunctionComponent<P>>;

// Switching back to a tab shows its view at once, not a loading line first.
const loaded = new Map<Loader<never>, FunctionComponent<never>>();

interface Props<P> {
  load: Loader<P>;
  props: P;
  /** Shown while the view's code arrives; null for a part that may as well appear later (or never). */
  waiting?: MessageKey | null;
}

/** A view as it arrived, with the loader it came from: it is never shown for another one. */
interface Arrived<P> {
  load: Loader<P>;
  view: FunctionComponent<P>;
}

export function Later<P extends object>({ load, props, waiting = 'mine.loading' }: Props<P>) {
  const known = loaded.get(load as Loader<never>) as FunctionComponent<P> | undefined;
  const [arrived, setArrived] = useState<Arrived<P> | null>(() => (known ? { load, view: known } : null));
  const [failedFor, setFailedFor] = useState<Loader<P> | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (known) return;
    let gone = false;
    setFailedFor(null);
    load().then(
      (view) => {
        loaded.set(load as Loader<never>, view as FunctionComponent<never>);
        if (!gone) setArrived({ load, view });
      },
      (e: unknown) => {
        console.info('view not loaded', e);
        if (!gone) setFailedFor(() => load);
      },
    );
    return () => {
      gone = true;
    };
  }, [load, attempt]);
  const failed = failedFor === load;
  // The code comes from the network once (the service worker keeps it): back online, try again.
  useEffect(() => {
    if (!failed) return;
    const again = () => setAttempt((n) => n + 1);
    window.addEventListener('online', again);
    return () => window.removeEventListener('online', again);
  }, [failed]);
  const Shown = known ?? (arrived?.load === load ? arrived.view : null);
  if (Shown) return <Shown {...props} />;
  if (waiting === null) return null;
  if (failed) {
    return (
      <p class="problem" role="alert" data-testid="later-problem">
        {t('later.needsNetwork')}{' '}
        <button type="button" class="small" data-testid="later-retry" onClick={() => setAttempt((n) => n + 1)}>
          {t('later.retry')}
        </button>
      </p>
    );
  }
  return (
    <p class="hint" role="status">
      {t(waiting)}
    </p>
  );
}
