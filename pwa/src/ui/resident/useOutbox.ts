/** The outbox as the page sees it: drafts from IndexedDB, a sending flag, and replay triggers. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { retryDraft, sendQueue, summarize, type Draft, type OutboxSummary } from '../../actions/outbox-rules';
import { listen, runReplay } from '../../actions/outbox-runner';
import { requestBackgroundSync } from '../../actions/sw-register';
import { deleteDraft, listDrafts, putDraft } from '../../db/outbox';

const RETRY_EVERY_MS = 60_000;

export interface Outbox {
  drafts: Draft[];
  summary: OutboxSummary;
  sending: boolean;
  replay: () => void;
  retryFailed: () => void;
  remove: (draft: Draft) => void;
  reload: () => void;
}

export function useOutbox(): Outbox {
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [sending, setSending] = useState(false);
  const reload = useCallback(() => {
    listDrafts().then(setDrafts, () => {});
  }, []);
  const replay = useCallback(() => {
    void requestBackgroundSync();
    listDrafts().then((found) => {
      setDrafts(found);
      if (sendQueue(found).length === 0 || !navigator.onLine) return;
      setSending(true);
      runReplay()
        .catch(() => 'later' as const)
        .finally(() => {
          setSending(false);
          reload();
        });
    }, () => {});
  }, [reload]);

  useEffect(() => {
    reload();
    replay();
    const stop = listen((what) => {
      if (what === 'sending') setSending(true);
      if (what === 'done') setSending(false);
      reload();
    });
    window.addEventListener('online', replay);
    const timer = window.setInterval(replay, RETRY_EVERY_MS);
    return () => {
      stop();
      window.removeEventListener('online', replay);
      window.clearInterval(timer);
    };
  }, [reload, replay]);

  const retryFailed = useCallback(() => {
    // From IndexedDB, not the list on screen: a replay may have written the drafts since.
    listDrafts()
      .then((found) => Promise.all(found.filter((d) => d.state === 'failed').map((d) => putDraft(retryDraft(d)))))
      .then(replay, replay);
  }, [replay]);

  const remove = useCallback(
    (draft: Draft) => {
      if (draft.seq !== undefined) deleteDraft(draft.seq).then(reload, reload);
    },
    [reload],
  );

  return { drafts, summary: summarize(drafts), sending, replay, retryFailed, remove, reload };
}
