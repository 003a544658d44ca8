/** "离线操作 N 项待提交": the worker's queued moves, replayed at start, on reconnect and on demand. */
import { useEffect, useState } from 'preact/hooks';
import type { QueuedMove } from '../../actions/worker-moves';
import { dropFailedMove, MOVES_CHANGED, queuedMoves, replayWorkerMoves } from '../../actions/worker-runner';
import { t, type MessageKey } from '../../i18n';
import { useOnline } from '../hooks';

const RETRY_EVERY_MS = 30_000;

export function PendingMoves(props: { token: string; onLanded: () => void; signOut: () => void }) {
  const [moves, setMoves] = useState<QueuedMove[]>([]);
  const [sending, setSending] = useState(false);
  const online = useOnline();
  const reload = () => queuedMoves().then(setMoves, (e: unknown) => console.warn('queued moves unreadable', e));

  const replay = async () => {
    const before = await queuedMoves();
    setMoves(before);
    if (!before.some((m) => m.state === 'pending') || !navigator.onLine) return;
    setSending(true);
    try {
      const result = await replayWorkerMoves(props.token);
      if (result === 'reauth') props.signOut();
    } catch (error) {
      console.info('queued moves not sent yet', error);
    } finally {
      setSending(false);
      await reload();
      props.onLanded();
    }
  };

  useEffect(() => {
    void replay();
    window.addEventListener('online', replay);
    window.addEventListener(MOVES_CHANGED, reload);
    const timer = window.setInterval(() => void replay(), RETRY_EVERY_MS);
    return () => {
      window.removeEventListener('online', replay);
      window.removeEventListener(MOVES_CHANGED, reload);
      window.clearInterval(timer);
    };
  }, [props.token]);

  const pending = moves.filter((m) => m.state === 'pending');
  const failed = moves.filter((m) => m.state === 'failed');
  if (moves.length === 0 && online) return null;
  return (
    <div class="outbox" role="status" aria-live="polite" data-testid="pending-moves" data-count={pending.length}>
      {!online ? <p class="offline-note">{t('worker.offline')}</p> : null}
      {pending.length > 0 ? (
        <p>
          {sending ? t('worker.sending', { count: pending.length }) : t('worker.pending', { count: pending.length })}
        </p>
      ) : null}
      {failed.map((m) => (
        <p key={m.seq} class="problem" data-testid="move-failed">
          {t('worker.failed', { move: t(`worker.move.${m.move.kind}` as MessageKey), error: m.error ?? '' })}{' '}
          <button type="button" class="small" onClick={() => void dropFailedMove(m.seq ?? -1).then(reload)}>
            {t('worker.dismiss')}
          </button>
        </p>
      ))}
    </div>
  );
}
