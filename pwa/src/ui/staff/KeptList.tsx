/** A worker's list read from the API and kept on the phone (cases to handle, key-area tasks):
 * reread on demand and whenever queued work lands, shown as last fetched when the signal is gone. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/http';
import { t } from '../../i18n';
import { errorMessage } from '../common';

export interface KeptListView<T> {
  list: T | null;
  error: string | null;
  load: () => Promise<void>;
}

export function useKeptList<T>(read: (token: string) => Promise<T>, props: { token: string; signOut: () => void; version: number }): KeptListView<T> {
  const [list, setList] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    read(props.token).then(
      (got) => {
        setError(null);
        setList(got);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) props.signOut();
        else setError(errorMessage(e));
      },
    );
  useEffect(() => void load(), [props.token, props.version]);
  return { list, error, load };
}

/** The list's title and refresh button, the offline notice, and why it could not be read. */
export function KeptListHead(props: {
  title: string;
  refreshTestId: string;
  onRefresh: () => void;
  offlineTestId: string;
  offlineSince: number | null | undefined;
  offlineText: (at: string) => string;
  error: string | null;
}) {
  return (
    <>
      <div class="section-head">
        <h2>{props.title}</h2>
        <button type="button" class="small" data-testid={props.refreshTestId} onClick={props.onRefresh}>
          {t('common.refresh')}
        </button>
      </div>
      {props.offlineSince ? (
        <p class="notice" role="status" data-testid={props.offlineTestId}>
          {props.offlineText(new Date(props.offlineSince).toLocaleString())}
        </p>
      ) : null}
      {props.error ? <p class="problem">{t('common.error', { message: props.error })}</p> : null}
    </>
  );
}
