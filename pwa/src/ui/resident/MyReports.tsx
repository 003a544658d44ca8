/** 我的上报: my reports, those mine were merged into (已合并) and those I follow (关注), newest first. */
import { useEffect, useState } from 'preact/hooks';
import { listMyReports } from '../../api/resident';
import type { ReportRelation, ReportSummaryOut } from '../../api/types';
import { statusLabel, t } from '../../i18n';
import { errorMessage } from '../common';
import { onLinkClick, reportPath } from '../route';

/** 关注 or 已合并 beside a report that is not the caller's own. */
export function RelationBadge(props: { relation?: ReportRelation | undefined }) {
  if (props.relation === 'following') return <span class="badge" data-testid="report-relation">{t('mine.following')}</span>;
  if (props.relation === 'merged') return <span class="badge" data-testid="report-relation">{t('mine.merged')}</span>;
  return null;
}

interface Props {
  token: () => Promise<string>;
  categoryName: (code: string) => string;
}

export function MyReports(props: Props) {
  const [items, setItems] = useState<ReportSummaryOut[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async (from?: string) => {
    try {
      const page = await listMyReports(await props.token(), from);
      setItems((old) => (from ? [...(old ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor ?? null);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => void load(), []);

  if (error && !items) return <p class="problem">{t('mine.loadFailed', { message: error })}</p>;
  if (!items) return <p class="hint">{t('mine.loading')}</p>;
  if (items.length === 0) return <p class="hint" data-testid="my-reports-empty">{t('mine.empty')}</p>;
  return (
    <section>
      <ul class="cards" data-testid="my-reports-list">
        {items.map((r) => (
          <li key={r.id}>
            <a class="card" href={reportPath(r.id)} onClick={onLinkClick} data-testid="report-item" data-tracking-no={r.trackingNo ?? undefined}>
              {r.thumbnailUrl ? <img class="thumb" src={r.thumbnailUrl} alt="" /> : null}
              <span class="card-main">
                <strong>{props.categoryName(r.category)}</strong>
                <span class={`status status-${r.status}`} data-testid="report-status" data-status={r.status}>
                  {statusLabel(r.status)}
                </span>
                <RelationBadge relation={r.relation} />
                <span class="muted">
                  {r.trackingNo ? `${r.trackingNo} · ` : ''}
                  {new Date(r.createdAt).toLocaleString()}
                </span>
                {r.description ? <span class="desc">{r.description}</span> : null}
              </span>
            </a>
          </li>
        ))}
      </ul>
      {cursor ? (
        <button type="button" class="small" onClick={() => void load(cursor)}>
          {t('mine.more')}
        </button>
      ) : null}
    </section>
  );
}
