/** One report as its reporter, a reporter merged into it or a follower sees it: status, photos,
 * public timeline; only those who may rate it now get the rating form. */
import { useEffect, useState } from 'preact/hooks';
import { getReport } from '../../api/resident';
import type { ReportOut } from '../../api/types';
import { lang, statusLabel, t } from '../../i18n';
import { errorMessage } from '../common';
import { Photos, Timeline } from '../case-parts';
import { onLinkClick, reportPath } from '../route';
import { RelationBadge } from './MyReports';
import { PushOptIn } from './PushOptIn';
import { Rating } from './Rating';

interface Props {
  id: number;
  token: () => Promise<string>;
  categoryName: (code: string) => string;
}

export function ReportDetail(props: Props) {
  const [report, setReport] = useState<ReportOut | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    props
      .token()
      .then((token) => getReport(token, props.id))
      .then(setReport, (e: unknown) => setError(errorMessage(e)));
  }, [props.id]);

  if (error) return <p class="problem">{t('mine.loadFailed', { message: error })}</p>;
  if (!report) return <p class="hint">{t('mine.loading')}</p>;
  return (
    <article class="detail" data-testid="report-detail">
      <a href="/#/mine" class="link" onClick={onLinkClick}>
        ← {t('mine.back')}
      </a>
      <h2>{props.categoryName(report.category)}</h2>
      <p>
        <span class={`status status-${report.status}`} data-testid="report-status" data-status={report.status}>
          {statusLabel(report.status)}
        </span>{' '}
        {report.trackingNo ? (
          <>
            <span class="muted" data-testid="detail-tracking-no">
              {t('detail.trackingNo', { trackingNo: report.trackingNo })}
            </span>{' '}
          </>
        ) : null}
        <RelationBadge relation={report.relation} />
      </p>
      {report.masterId ? (
        <p>
          <a class="link" href={reportPath(report.masterId)} onClick={onLinkClick} data-testid="merged-into">
            {t('detail.mergedInto')}
          </a>
        </p>
      ) : null}
      {report.description ? <p class="desc">{report.description}</p> : null}
      {report.address ? <p class="muted">{t('detail.address', { address: report.address })}</p> : null}
      <p class="muted">{t('detail.region', { region: report.region.name })}</p>
      <Photos title={t('detail.photos')} photos={report.photos} />
      <Photos title={t('detail.afterPhotos')} photos={report.afterPhotos} />
      {(report.canRate ?? report.status === 'closed') ? <Rating report={report} token={props.token} onRated={setReport} /> : null}
      {report.rating ? (
        <p class="ok" data-testid="rated">
          {t('rate.yours', { score: report.rating })}
        </p>
      ) : null}
      <PushOptIn token={props.token} />
      <Timeline
        title={t('detail.timeline')}
        steps={report.timeline.map((e) => ({ ...e, who: lang() === 'en' ? e.actorEn : e.actor }))}
      />
    </article>
  );
}
