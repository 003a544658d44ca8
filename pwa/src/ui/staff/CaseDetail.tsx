/** One case for staff: what, where (map links), deadline, photos, timeline; the role's buttons below. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { areaHash } from '../../actions/area-logic';
import { isConflict, mapLinks } from '../../actions/case-logic';
import { getCase } from '../../api/cases';
import { ApiError } from '../../api/http';
import type { CaseOut } from '../../api/types';
import { actionLabel, lang, statusLabel, t, type MessageKey } from '../../i18n';
import { Photos, Timeline } from '../case-parts';
import { errorMessage } from '../common';
import { MapView } from '../map/MapView';
import { Badges, KeyAreaBadge, useCategoryName } from './CaseList';
import { backToList } from './useCaseRoute';

/** What a move gives back: the case as it now is, null when it left my hands, or a queued move. */
export type MoveResult = CaseOut | null | { item: CaseOut | null; queued: boolean };

/** Run one move: its answer replaces the case; a 409 reloads it; null (the case left my hands) goes back. */
export type RunMove = (work: () => Promise<MoveResult>) => Promise<boolean>;

export type CaseLoader = (token: string, id: number) => Promise<{ item: CaseOut; offline: boolean }>;

const onlineLoader: CaseLoader = async (token, id) => ({ item: await getCase(token, id), offline: false });

interface Props {
  id: number;
  token: string;
  signOut: () => void;
  showReporter?: boolean;
  /** The console: the case's key area links to its page. */
  areaLinks?: boolean;
  actions: (c: CaseOut, run: RunMove, busy: boolean) => ComponentChildren;
  /** The worker's loader falls back to the copy kept for offline reading. */
  loader?: CaseLoader;
}

export function CaseDetail(props: Props) {
  const categoryName = useCategoryName();
  const [item, setItem] = useState<CaseOut | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [offline, setOffline] = useState(false);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) props.signOut();
    else setError(errorMessage(e));
  };
  const load = () =>
    (props.loader ?? onlineLoader)(props.token, props.id).then((got) => {
      setItem(got.item);
      setOffline(got.offline);
    }, fail);
  useEffect(() => {
    setItem(null);
    setError(null);
    setNotice(null);
    void load();
  }, [props.id, props.token]);

  const run: RunMove = async (work) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const next = await work();
      const queued = next !== null && 'queued' in next && next.queued;
      const shown = next !== null && 'queued' in next ? next.item : next;
      if (shown) {
        setItem(shown);
        setNotice(queued ? t('case.queued') : t('case.done'));
      } else backToList();
      return true;
    } catch (e) {
      if (isConflict(e)) {
        await load();
        setNotice(t('case.conflict'));
      } else fail(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const back = (
    <a href="#" class="link back" onClick={(e) => (e.preventDefault(), backToList())}>
      ← {t('case.back')}
    </a>
  );
  if (!item) return <section>{back}{error ? <p class="problem">{t('common.error', { message: error })}</p> : <p class="hint">{t('common.loading')}</p>}</section>;
  const links = mapLinks(item.lat, item.lng);
  return (
    <article class="detail" data-testid="case-detail" data-case-id={item.id} data-version={item.version}>
      {back}
      <h2>
        {item.trackingNo}{' '}
        <span class={`status status-${item.status}`} data-testid="case-status" data-status={item.status}>
          {statusLabel(item.status)}
        </span>
      </h2>
      {offline ? (
        <p class="notice" role="status" data-testid="case-offline">
          {t('case.offline')}
        </p>
      ) : null}
      {notice ? (
        <p class="notice" role="status" data-testid="case-notice">
          {notice}
        </p>
      ) : null}
      {error ? (
        <p class="problem" role="alert" data-testid="case-error">
          {t('common.error', { message: error })}
        </p>
      ) : null}
      <p>{t('case.category', { category: categoryName(item.category) })}</p>
      {item.description ? <p class="desc">{item.description}</p> : null}
      <p>
        {item.dueAt ? t('case.due', { due: new Date(item.dueAt).toLocaleString() }) : t('case.noDue')}{' '}
        <Badges item={item} withKeyArea={!props.areaLinks} />
        {props.areaLinks && item.keyArea ? (
          <a class="key-area-link" href={areaHash(item.keyArea.id)} data-testid="key-area-link" title={t('tasks.keyAreaOpen', { name: item.keyArea.name })}>
            <KeyAreaBadge area={item.keyArea} />
          </a>
        ) : null}
      </p>
      {item.flag ? (
        <p class="notice" data-testid="flag-notice">
          {t('case.flag', { region: item.flag.regionName, reason: item.flag.reason, deadline: item.flag.deadline })}
        </p>
      ) : null}
      {props.showReporter && item.reporter ? <p data-testid="reporter">{t('case.reporter', { reporter: item.reporter })}</p> : null}
      {item.address ? <p class="muted">{t('case.address', { address: item.address })}</p> : null}
      <p class="muted">{t('case.region', { region: item.region.name })}</p>
      {item.rejectReason ? <p class="muted">{t('case.rejectReason', { reason: item.rejectReason })}</p> : null}
      <MapView
        centre={item}
        markers={[{ id: item.id, lat: item.lat, lng: item.lng, label: item.trackingNo, tone: item.overdue ? 'overdue' : 'open' }]}
        label={t('case.mapLabel')}
        testId="case-map"
      />
      <p class="map-links">
        <a class="button-link" href={links.amap} target="_blank" rel="noopener noreferrer" data-testid="map-link">
          {t('case.openMap')}
        </a>
        <a class="button-link" href={links.geo} data-testid="geo-link">
          {t('case.openGeo')}
        </a>
      </p>
      <Photos title={t('case.photos')} photos={item.photos} />
      <Photos title={t('case.afterPhotos')} photos={item.afterPhotos} />
      <div class="actions" data-testid="case-actions">
        {item.allowedActions.length === 0 ? <p class="hint">{t('case.noActions')}</p> : props.actions(item, run, busy)}
      </div>
      {item.extensions.length > 0 ? (
        <>
          <h3>{t('case.extensions')}</h3>
          <ul>
            {item.extensions.map((x, i) => (
              <li key={i}>{t('case.extensionItem', { hours: Math.round((x.minutes / 60) * 10) / 10, reason: x.reason, state: t(`extensionState.${x.state}` as MessageKey) })}</li>
            ))}
          </ul>
        </>
      ) : null}
      <Timeline
        title={t('case.timeline')}
        steps={item.timeline.map((e) => ({ ...e, who: `${lang() === 'en' && e.actorEn ? e.actorEn : e.actor} · ${actionLabel(e.action)}` }))}
      />
    </article>
  );
}
