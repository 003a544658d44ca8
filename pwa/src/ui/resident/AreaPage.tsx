/**
 * 治安动态: the figures of the region around the resident (or one they chose on the map), in one
 * request. The last page stays on the phone and shows, marked "数据截至 …", while offline or loading.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { fallbackPlace, keepChosenRegion, keepPage, problemText, readChosenRegion, readSavedPage, type SavedAreaPage } from '../../actions/area-page';
import type { LatLng } from '../../actions/coords';
import { locate } from '../../actions/geo';
import { getAreaPage, type AreaPlace } from '../../api/area-page';
import { lang, t } from '../../i18n';
import { useOnline } from '../hooks';
import { MapView } from '../map/MapView';
import { AreaSections } from './AreaSections';
import './area-page.css';

/** Where the map starts when there is nothing better: the demo city's centre. */
const FALLBACK_CENTRE = { lat: 30.2741, lng: 120.1551 };

type Phase = 'locating' | 'loading' | 'ready' | 'failed' | 'choosing';

/** A place asked for, and whether the resident chose it (then it is remembered) or GPS gave it. */
interface Wanted {
  place: AreaPlace;
  chosen: boolean;
}

const store = (): Storage | undefined => globalThis.localStorage;

export function AreaPage({ token }: { token: () => Promise<string> }) {
  const online = useOnline();
  const [saved, setSaved] = useState<SavedAreaPage | null>(() => readSavedPage(store()));
  const [wanted, setWanted] = useState<Wanted | null>(null);
  const [phase, setPhase] = useState<Phase>('locating');
  const [problem, setProblem] = useState<string | null>(null);
  const [pin, setPin] = useState<LatLng | null>(null);
  const [attempt, setAttempt] = useState(0);
  // Each locate is numbered; choosing on the map moves the number on too. A fix arriving for an
  // older number is dropped: it must not replace what the resident chose or a newer locate.
  const lastLocate = useRef(0);

  const useMyPosition = () => {
    const mine = ++lastLocate.current;
    setPhase('locating');
    locate(15000).then(
      (fix) => {
        if (mine === lastLocate.current) setWanted({ place: { lat: fix.lat, lng: fix.lng }, chosen: false });
      },
      () => {
        if (mine !== lastLocate.current) return;
        const place = fallbackPlace(readChosenRegion(store()), readSavedPage(store()));
        if (place) setWanted({ place, chosen: false });
        else setPhase('choosing');
      },
    );
  };
  useEffect(useMyPosition, []);

  useEffect(() => {
    if (!wanted) return;
    let stale = false;
    setPhase('loading');
    token()
      .then((tok) => getAreaPage(tok, wanted.place))
      .then(
        (page) => {
          if (stale) return;
          const fresh = { page, savedAt: Date.now() };
          keepPage(store(), fresh);
          if (wanted.chosen) keepChosenRegion(store(), page.region.code);
          setSaved(fresh);
          setProblem(null);
          setPhase('ready');
        },
        (e: unknown) => {
          if (stale) return;
          setProblem(problemText(e, lang() === 'en'));
          setPhase('failed');
        },
      );
    return () => {
      stale = true;
    };
  }, [wanted, attempt]);

  // Back online after a failure: try again by itself.
  useEffect(() => {
    if (online && phase === 'failed') setAttempt((n) => n + 1);
  }, [online]);

  const choose = (place: AreaPlace) => {
    lastLocate.current += 1;
    setWanted({ place, chosen: true });
  };
  const openMap = () => {
    lastLocate.current += 1;
    setPhase('choosing');
  };
  const page = saved?.page ?? null;
  return (
    <section class="area-page" data-testid="area-page" data-phase={phase}>
      <AreaStatus phase={phase} online={online} problem={problem} keptAsOf={phase === 'ready' ? null : (page?.asOf ?? null)} onRetry={() => setAttempt((n) => n + 1)} canRetry={wanted !== null} />
      <div class="area-controls">
        <button type="button" class="small" data-testid="area-locate" onClick={useMyPosition}>
          {t('areaPage.useMyPosition')}
        </button>
        <button type="button" class="small" data-testid="area-choose" onClick={openMap}>
          {t('areaPage.chooseOnMap')}
        </button>
      </div>
      {phase === 'choosing' ? (
        <div class="area-chooser" data-testid="area-chooser">
          <p class="hint">{t('areaPage.chooseHint')}</p>
          <MapView centre={pin ?? pointOf(wanted?.place) ?? FALLBACK_CENTRE} zoom={13} pin={pin} onPinMove={setPin} label={t('areaPage.mapLabel')} testId="area-map" />
          <button type="button" class="small primary-inline" data-testid="area-show-here" disabled={!pin} onClick={() => pin && choose(pin)}>
            {t('areaPage.showHere')}
          </button>
        </div>
      ) : null}
      {page ? <AreaSections page={page} onWiden={(code) => choose({ region: code })} /> : null}
    </section>
  );
}

function pointOf(place: AreaPlace | undefined): LatLng | null {
  return place && 'lat' in place ? place : null;
}

interface StatusProps {
  phase: Phase;
  online: boolean;
  problem: string | null;
  /** The day's end the figures shown are counted to, when they are a kept copy, not this moment's answer. */
  keptAsOf: string | null;
  canRetry: boolean;
  onRetry: () => void;
}

function AreaStatus({ phase, online, problem, keptAsOf, canRetry, onRetry }: StatusProps) {
  const busy = phase === 'locating' || phase === 'loading';
  return (
    <div class="area-status" role="status" aria-live="polite" data-testid="area-status">
      {busy ? <p class="area-loading">{t(phase === 'locating' ? 'areaPage.locating' : 'areaPage.loading')}</p> : null}
      {phase === 'failed' ? (
        <p class="area-problem">
          <span class="problem" data-testid="area-error">
            {online ? problem : t(keptAsOf === null ? 'areaPage.offlineNothing' : 'areaPage.offline')}
          </span>
          {canRetry ? (
            <button type="button" class="small" data-testid="area-retry" onClick={onRetry}>
              {t('areaPage.retry')}
            </button>
          ) : null}
        </p>
      ) : null}
      {keptAsOf !== null ? (
        <p class="muted" data-testid="area-updated">
          {t('areaPage.updatedAt', { time: new Date(keptAsOf).toLocaleString() })}
        </p>
      ) : null}
    </div>
  );
}
