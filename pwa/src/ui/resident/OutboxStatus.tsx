/** One status line for the outbox, the tracking number of the last sent report, and failed drafts. */
import { statusKey } from '../../actions/outbox-rules';
import type { CategoryOut } from '../../api/types';
import { t } from '../../i18n';
import { useOnline } from '../hooks';
import type { Outbox } from './useOutbox';

export function OutboxStatus(props: { outbox: Outbox; categories: CategoryOut[]; categoryName: (c: CategoryOut) => string }) {
  const { outbox } = props;
  const online = useOnline();
  const key = statusKey(outbox.summary, online, outbox.sending);
  const { pending, failed, lastSent } = outbox.summary;
  const nameOf = (code: string) => {
    const found = props.categories.find((c) => c.code === code);
    return found ? props.categoryName(found) : code;
  };
  const retry = () => (failed.length > 0 ? outbox.retryFailed() : outbox.replay());
  return (
    <section class="outbox" aria-live="polite">
      <p class={`status-line status-${key}`} data-testid="status-line" data-state={key}>
        {key === 'failed' ? (
          <button type="button" class="link" data-testid="retry" onClick={retry}>
            {t('outbox.failed')}
          </button>
        ) : key === 'pending' ? (
          t('outbox.pending', { n: pending })
        ) : key === 'sent' ? (
          t('outbox.sent', { trackingNo: lastSent?.trackingNo ?? '' })
        ) : (
          t(`outbox.${key}`)
        )}
      </p>
      <p class="outbox-meta">
        <span class="badge" data-testid="outbox-count" data-count={pending} hidden={pending === 0}>
          {t('outbox.pending', { n: pending })}
        </span>
        {lastSent?.trackingNo ? (
          <span class="tracking" data-testid="tracking-no">
            {lastSent.trackingNo}
          </span>
        ) : null}
      </p>
      {failed.length > 0 ? (
        <ul class="failed-list">
          {failed.map((d) => (
            <li key={d.clientId} data-testid="failed-draft">
              <span>{t('outbox.failedItem', { category: nameOf(d.fields.category), message: d.error ?? '' })}</span>
              <button type="button" class="small" onClick={retry}>
                {t('outbox.retry')}
              </button>
              <button type="button" class="small" onClick={() => outbox.remove(d)}>
                {t('outbox.delete')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
