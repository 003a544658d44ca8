/** 地图: open cases as markers over grid outlines, with the heat map and hotspot levels as layers. */
import { useEffect, useState } from 'preact/hooks';
import { caseHash } from '../../../actions/case-logic';
import { ApiError } from '../../../api/http';
import { heatmap } from '../../../api/map';
import { listCases } from '../../../api/staff';
import { hotspotMap } from '../../../api/stats';
import { t } from '../../../i18n';
import { errorMessage } from '../../common';
import { MapView, type CaseMarker } from '../../map/MapView';
import { useLive } from './useLive';

const OPEN = ['submitted', 'dispatched', 'accepted', 'resolved'];
const CITY_CENTRE = { lat: 30.2741, lng: 120.1551 };

export function CasesMap(props: { token: string; signOut: () => void }) {
  const [markers, setMarkers] = useState<CaseMarker[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    listCases(props.token, { status: OPEN }).then(
      (page) =>
        setMarkers(
          page.items.map((c) => ({ id: c.id, lat: c.lat, lng: c.lng, label: `${c.trackingNo} ${c.description}`.trim(), tone: c.overdue ? 'overdue' : 'open' })),
        ),
      (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(errorMessage(e))),
    );
  useEffect(() => void load(), [props.token]);
  useLive(props.token, () => void load(), props.signOut);
  return (
    <section data-testid="cases-map">
      <div class="section-head">
        <h2>{t('map.title')}</h2>
        <span class="muted" data-testid="map-count">
          {markers ? t('map.openCount', { count: markers.length }) : t('common.loading')}
        </span>
      </div>
      {error ? <p class="problem">{t('common.error', { message: error })}</p> : null}
      <MapView
        centre={CITY_CENTRE}
        zoom={14}
        markers={markers ?? []}
        fitMarkers
        onMarker={(id) => (location.hash = caseHash(id))}
        layers={{ heat: (view) => heatmap(props.token, view.bbox, view.zoom), hotspots: () => hotspotMap(props.token) }}
        label={t('map.title')}
        testId="console-map"
        tall
      />
    </section>
  );
}
