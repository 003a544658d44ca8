/** One finding on the responsible unit's phone: what was found, by when, its photos and timeline,
 * and its next move — 签收, then 整改反馈 with evidence photos — stored first, sent when it can be. */
import { useEffect, useState } from 'preact/hooks';
import { moveProblem, NOTE_MAX, nextMove } from '../../actions/inspection-queue';
import { INSPECT_CHANGED, loadFinding, queueFindingMove } from '../../actions/inspection-runner';
import { ApiError } from '../../api/http';
import type { FindingOut } from '../../api/inspections';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';
import { FindingState, JobList, useInspectJobs, when } from './InspectPage';
import { PhotoNoteForm } from './PhotoNoteForm';

function Gallery(props: { urls: string[] | undefined; testId: string }) {
  const urls = props.urls ?? [];
  if (urls.length === 0) return null;
  return (
    <div class="gallery" data-testid={props.testId} data-count={urls.length}>
      {urls.map((url) => (
        <a key={url} href={url} target="_blank" rel="noopener noreferrer">
          <img src={url} alt="" width={160} height={120} loading="lazy" />
        </a>
      ))}
    </div>
  );
}

function Timeline({ finding }: { finding: FindingOut }) {
  const events = finding.events ?? [];
  if (events.length === 0) return null;
  return (
    <>
      <h3>{t('inspect.timeline')}</h3>
      <ol class="timeline plain" data-testid="finding-events">
        {events.map((e) => (
          <li key={e.id} data-action={e.action}>
            <span class="muted">{when(e.at)}</span> {t(`inspect.event.${e.action}` as MessageKey)}
            {e.note ? <span> — {e.note}</span> : null}
          </li>
        ))}
      </ol>
    </>
  );
}

export function InspectFindingPage(props: { id: number; token: string; signOut: () => void; version: number }) {
  const [finding, setFinding] = useState<FindingOut | null>(null);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reporting, setReporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const jobs = useInspectJobs().filter((j) => j.kind === 'move' && j.findingId === props.id);
  const load = () =>
    loadFinding(props.token, props.id).then(
      (got) => {
        setError(null);
        setFinding(got.finding);
        setOffline(got.offline);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) props.signOut();
        else setError(errorMessage(e));
      },
    );
  useEffect(() => void load(), [props.id, props.token, props.version]);
  useEffect(() => {
    const reread = () => void load();
    window.addEventListener(INSPECT_CHANGED, reread);
    return () => window.removeEventListener(INSPECT_CHANGED, reread);
  }, [props.id, props.token]);
  useEffect(() => setReporting(false), [finding?.state]);

  const queued = async (action: 'accept' | 'report', note: string, photos: { bytes: ArrayBuffer; type: string; clientKey: string }[]) => {
    if (!finding) return;
    await queueFindingMove(props.token, finding, action, note, photos);
    setNotice(t('inspect.moveQueued'));
  };

  if (!finding) {
    return (
      <section data-testid="finding">
        <a href="#/inspect">{t('inspect.back')}</a>
        {error ? <p class="problem">{t('common.error', { message: error })}</p> : <p class="hint">{t('common.loading')}</p>}
      </section>
    );
  }
  const next = nextMove(finding.state);
  return (
    <section data-testid="finding" data-finding-id={finding.id}>
      <a href="#/inspect">{t('inspect.back')}</a>
      {offline ? (
        <p class="notice" data-testid="finding-offline">
          {t('inspect.offlineCopy')}
        </p>
      ) : null}
      <h2 data-testid="finding-text">{finding.text}</h2>
      <p>
        <FindingState finding={finding} />
      </p>
      <dl class="facts">
        <dt>{t('inspect.unit')}</dt>
        <dd>
          {finding.responsible.name}
          {finding.responsibleUser ? ` · ${finding.responsibleUser.name}` : ''}
        </dd>
        <dt>{t('inspect.deadline')}</dt>
        <dd>{when(finding.deadline)}</dd>
      </dl>
      <Gallery urls={finding.photos} testId="finding-photos" />
      {finding.evidence && finding.evidence.length > 0 ? <h3>{t('inspect.evidence')}</h3> : null}
      <Gallery urls={finding.evidence} testId="finding-evidence" />
      {error ? <p class="problem">{t('common.error', { message: error })}</p> : null}
      {notice ? (
        <p class="notice" role="status" data-testid="finding-notice">
          {notice}
        </p>
      ) : null}
      {next === 'accept' ? (
        <div class="action-row">
          <button type="button" class="primary-inline" data-testid="finding-accept" onClick={() => void queued('accept', '', [])}>
            {t('inspect.move.accept')}
          </button>
        </div>
      ) : next === 'report' ? (
        <div class="action-row">
          <button type="button" class="primary-inline" data-testid="finding-report" aria-expanded={reporting} onClick={() => setReporting(!reporting)}>
            {t('inspect.move.report')}
          </button>
        </div>
      ) : null}
      {next === 'report' && reporting ? (
        <PhotoNoteForm
          testId="report"
          kind="report"
          photoLabel={t('inspect.evidencePhoto')}
          noteLabel={t('inspect.reportNote')}
          notePlaceholder={t('inspect.reportPlaceholder')}
          noteMax={NOTE_MAX}
          submitLabel={t('inspect.submitReport')}
          rule={t('inspect.reportRule')}
          problem={(photoCount, note) => moveProblem('report', photoCount, note)}
          locate={false}
          onSubmit={({ note, photos }) => queued('report', note, photos)}
        />
      ) : null}
      <JobList jobs={jobs} testId="finding-jobs" />
      <Timeline finding={finding} />
    </section>
  );
}
