/**
 * A view fetched on its first visit, so the report form loads without it. The service worker
 * precaches every built file, so once installed the view opens offline as well.
 */
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';

export type Loader<P> = () => Promise<FunctionComponent<P>>;

// Switching back to a tab shows its view at once, not a loading line first.
const loaded = new Map<Loader<never>, FunctionComponent<never>>();

interface Props<P> {
  load: Loader<P>;
  props: P;
  /** Shown while the view's code arrives; null for a part that may as well appear later. */
  waiting?: MessageKey | null;
}

export function Later<P extends object>({ load, props, waiting = 'mine.loading' }: Props<P>) {
  const known = loaded.get(load as Loader<never>) as FunctionComponent<P> | undefined;
  const [View, setView] = useState<FunctionComponent<P> | null>(() => known ?? null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (known) return;
    load().then(
      (view) => {
        loaded.set(load as Loader<never>, view as FunctionComponent<never>);
        setView(() => view);
      },
      (e: unknown) => setProblem(errorMessage(e)),
    );
  }, [load]);
  const Shown = known ?? View;
  if (Shown) return <Shown {...props} />;
  if (problem) return <p class="problem">{t('mine.loadFailed', { message: problem })}</p>;
  if (waiting === null) return null;
  return (
    <p class="hint" role="status">
      {t(waiting)}
    </p>
  );
}
