/** "离线操作 N 项待提交": the worker's queued moves, replayed at start, on reconnect and on demand. */
import type { QueuedMove } from '../../actions/worker-moves';
import { dropFailedMove, MOVES_CHANGED, queuedMoves, replayWorkerMoves } from '../../actions/worker-runner';
import { t, type MessageKey } from '../../i18n';
import { useOnline } from '../hooks';
import { QueueBanner, useOfflineQueue, type QueueSource } from './OfflineQueue';

const MOVES: QueueSource<QueuedMove> = { list: queuedMoves, replay: replayWorkerMoves, changed: MOVES_CHANGED, name: 'queued moves' };

export function PendingMoves(props: { token: string; onLanded: () => void; signOut: () => void }) {
  const { items: moves, sending, reload } = useOfflineQueue(MOVES, props);
  const online = useOnline();

  const pending = moves.filter((m) => m.state === 'pending');
  const failed = moves.filter((m) => m.state === 'failed');
  if (moves.length === 0 && online) return null;
  return (
    <QueueBanner
      testId="pending-moves"
      pending={pending.length}
      sending={sending}
      waiting={(count) => t('worker.pending', { count })}
      sendingNow={(count) => t('worker.sending', { count })}
      offline={!online}
    >
      {failed.map((m) => (
        <p key={m.seq} class="problem" data-testid="move-failed">
          {t('worker.failed', { move: t(`worker.move.${m.move.kind}` as MessageKey), error: m.error ?? '' })}{' '}
          <button type="button" class="small" onClick={() => void dropFailedMove(m.seq ?? -1).then(reload)}>
            {t('worker.dismiss')}
          </button>
        </p>
      ))}
    </QueueBanner>
  );
}
