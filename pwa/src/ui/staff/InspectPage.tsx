/** 督查 on the phone: the findings I answer for (签收, 整改反馈), and for inspectors the new
 * inspection form and what this phone filed. Everything works from what the phone kept. */
import { useEffect, useState } from 'preact/hooks';
import { locate } from '../../actions/geo';
import { findingHash, inspectRoute, mayFile, type InspectJob, type InspectRoute } from '../../actions/inspection-queue';
import {
  dropInspectJob,
  INSPECT_CHANGED,
  inspectJobs,
  keptInspectContext,
  loadInspectContext,
  loadMyFindings,
  replayInspectJobs,
  retryInspectJob,
  type InspectContext,
  type MyFindings,
} from '../../actions/inspection-runner';
import { ApiError } from '../../api/http';
import { getMe, type FindingOut } from '../../api/inspections';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';
import { InspectForm } from './InspectForm';
import { KeptListHead } from './KeptList';
import { QueueBanner, useOfflineQueue, type QueueSource } from './OfflineQueue';

const JOBS: QueueSource<InspectJob> = { list: inspectJobs, replay: replayInspectJobs, changed: INSPECT_CHANGED, name: '督查 jobs' };
export const when = (iso: string) => new Date(iso).toLocaleString();

/** The staff member's role: as last kept, then as the API says. */
export function useStaffRole(token: string): string | null {
  const [role, setRole] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void keptInspectContext().then((kept) => live && kept && setRole((now) => now ?? kept.me.role));
    getMe(token).then(
      (me) => live && setRole(me.role),
      (e: unknown) => console.info('role not read', e),
    );
    return () => {
      live = false;
    };
  }, [token]);
  return role;
}

export function FindingState({ finding }: { finding: FindingOut }) {
  return (
    <>
      <span class={`status finding-${finding.state}`} data-testid="finding-state" data-state={finding.state}>
        {t(`inspect.state.${finding.state}` as MessageKey)}
      </span>
      {finding.overdue ? (
        <span class="overdue" data-testid="finding-overdue">
          {t('tasks.overdue')}
        </span>
      ) : null}
    </>
  );
}

function FindingRows({ items }: { items: FindingOut[] }) {
  if (items.length === 0) {
    return (
      <p class="hint" data-testid="my-findings-empty">
        {t('inspect.noFindings')}
      </p>
    );
  }
  return (
    <ul class="cards">
      {items.map((f) => (
        <li key={f.id} class="card-row" data-testid="my-finding" data-finding-id={f.id}>
          <a class="card" href={findingHash(f.id)}>
            <span class="card-main">
              <strong>{f.text}</strong>
              <FindingState finding={f} />
              <span class="muted">
                {f.responsible.name} · {t('tasks.due', { due: when(f.deadline) })}
              </span>
            </span>
          </a>
        </li>
      ))}
    </ul>
  );
}

const jobName = (job: InspectJob) => (job.kind === 'inspection' ? t('inspect.jobInspection', { region: job.draft.regionName }) : `${t(`inspect.move.${job.action}` as MessageKey)}：${job.findingText}`);

/** What this phone did: waiting, sent, or refused with the server's words (kept, to retry or remove). */
export function JobList(props: { jobs: InspectJob[]; testId: string }) {
  if (props.jobs.length === 0) return null;
  return (
    <ul class="plain" data-testid={props.testId}>
      {[...props.jobs].reverse().map((j) => (
        <li key={j.seq} data-testid="inspect-job" data-state={j.state} data-kind={j.kind} class={j.state === 'failed' ? 'problem' : j.state === 'sent' ? 'status-sent' : 'status-offline'}>
          {j.state === 'pending'
            ? t('inspect.jobWaiting', { job: jobName(j) })
            : j.state === 'sent'
              ? t('inspect.jobSent', { job: jobName(j), at: new Date(j.sentAt ?? j.queuedAt).toLocaleTimeString() })
              : t('inspect.jobFailed', { job: jobName(j), error: j.error ?? '' })}
          {j.state === 'failed' ? (
            <>
              {' '}
              <button type="button" class="small" data-testid="inspect-retry" onClick={() => void retryInspectJob(j)}>
                {t('areaTask.retry')}
              </button>{' '}
              <button type="button" class="small" data-testid="inspect-remove" onClick={() => void dropInspectJob(j.seq ?? -1)}>
                {t('areaTask.remove')}
              </button>
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** Reread whenever the 督查 jobs change. */
export function useInspectJobs(): InspectJob[] {
  const [jobs, setJobs] = useState<InspectJob[]>([]);
  useEffect(() => {
    const reread = () => void inspectJobs().then(setJobs, (e: unknown) => console.warn('督查 jobs unreadable', e));
    reread();
    window.addEventListener(INSPECT_CHANGED, reread);
    return () => window.removeEventListener(INSPECT_CHANGED, reread);
  }, []);
  return jobs;
}

/** The tab: my findings (as last fetched offline), then the form and this phone's inspections. */
export function InspectPage(props: { token: string; signOut: () => void; version: number }) {
  const [context, setContext] = useState<InspectContext | null>(null);
  const [findings, setFindings] = useState<MyFindings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const jobs = useInspectJobs();
  const failed = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) props.signOut();
    else setError(errorMessage(e));
  };
  const load = async (where: { lat: number; lng: number } | null) => {
    const got = await loadInspectContext(props.token, where);
    // A read without a position never forgets the place a read with one found.
    setContext((now) => (got.here.length === 0 && now && now.here.length > 0 ? { ...got, here: now.here } : got));
    setError(null);
    setFindings(await loadMyFindings(props.token, got));
  };
  useEffect(() => {
    void keptInspectContext().then((kept) => kept && setContext((now) => now ?? kept));
    load(null).catch(failed);
    // Where the phone stands picks the region to inspect; without a fix the form still works.
    locate(10000).then(
      (fix) => load({ lat: fix.lat, lng: fix.lng }).catch(failed),
      () => undefined,
    );
  }, [props.token, props.version]);
  useEffect(() => {
    const reread = () => void (context ? loadMyFindings(props.token, context).then(setFindings, failed) : undefined);
    window.addEventListener(INSPECT_CHANGED, reread);
    return () => window.removeEventListener(INSPECT_CHANGED, reread);
  }, [props.token, context]);

  const filer = mayFile(context?.me.role);
  const filed = jobs.filter((j) => j.kind === 'inspection');
  return (
    <section data-testid="inspect" data-ready={context !== null} data-filer={filer} data-here={context?.here[context.here.length - 1]?.code}>
      <KeptListHead
        title={t('inspect.myFindings')}
        refreshTestId="inspect-refresh"
        onRefresh={() => void load(null).catch(failed)}
        offlineTestId="inspect-offline"
        offlineSince={findings?.offlineSince ?? context?.offlineSince}
        offlineText={(at) => t('inspect.offline', { at })}
        error={error}
      />
      {findings ? <FindingRows items={findings.items} /> : <p class="hint">{t('common.loading')}</p>}
      {filer && context ? (
        <>
          <h2>{t('inspect.title')}</h2>
          {notice ? (
            <p class="notice" role="status" data-testid="inspect-notice">
              {notice}
            </p>
          ) : null}
          {form ? (
            <InspectForm
              token={props.token}
              context={context}
              onQueued={() => {
                setForm(false);
                setNotice(t('inspect.queued'));
              }}
            />
          ) : (
            <button
              type="button"
              class="primary"
              data-testid="inspect-new"
              onClick={() => {
                setNotice(null);
                setForm(true);
              }}
            >
              {t('inspect.new')}
            </button>
          )}
          <JobList jobs={filed} testId="inspect-filed" />
        </>
      ) : null}
    </section>
  );
}

/** The waiting and refused 督查 jobs, on every page; replayed at start, on reconnect and every half minute. */
export function PendingInspect(props: { token: string; signOut: () => void; onLanded: () => void }) {
  const { items, sending } = useOfflineQueue(JOBS, props);
  const pending = items.filter((j) => j.state === 'pending');
  const failed = items.filter((j) => j.state === 'failed');
  if (pending.length === 0 && failed.length === 0) return null;
  return (
    <QueueBanner
      testId="pending-inspect"
      pending={pending.length}
      failed={failed.length}
      sending={sending}
      waiting={(count) => t('inspect.pending', { count })}
      sendingNow={(count) => t('inspect.sending', { count })}
    >
      {failed.map((j) => (
        <p key={j.seq} class="problem" data-testid="inspect-failed">
          <a href={j.kind === 'move' ? findingHash(j.findingId) : '#/inspect'}>{t('inspect.jobFailed', { job: jobName(j), error: j.error ?? '' })}</a>
        </p>
      ))}
    </QueueBanner>
  );
}

/** The 督查 pages' route from the URL hash, or null on any other page. */
export function useInspectRoute(): InspectRoute | null {
  const [route, setRoute] = useState<InspectRoute | null>(() => inspectRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(inspectRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
