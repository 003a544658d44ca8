/** 地图: open cases as markers over grid outlines, with the heat map and hotspot levels as layers. */
import { useEffect, useState } from 'preact/hooks';
import { areaHash } from '../../../actions/area-logic';
import { caseHash } from '../../../actions/case-logic';
import { ApiError } from '../../../api/http';
import { heatmap } from '../../../api/map';
import { listCases } from '../../../api/staff';
import { hotspotMap } from '../../../api/stats';
import { t } from '../../../i18n';
import { errorMessage } from '../../common';
import { DrawMap } from '../../map/DrawMap';
import { MapView, type CaseMarker } from '../../map/MapView';
import { NewArea, type AreaDraft } from './Areas';
import { useLive } from './useLive';

const OPEN = ['submitted', 'dispatched', 'accepted', 'resolved'];
const CITY_CENTRE = { lat: 30.2741, lng: 120.1551 };

export function CasesMap(props: { token: string; signOut: () => void }) {
  const [markers, setMarkers] = useState<CaseMarker[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // 建议列为重点地区 on a spot: drawing its outline, then the candidate form with it.
  const [drawing, setDrawing] = useState(false);
  const [draft, setDraft] = useState<AreaDraft | null>(null);
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
      {!drawing && !draft ? (
        <button type="button" class="small" data-testid="map-propose-open" onClick={() => setDrawing(true)}>
          {t('areas.propose')}
        </button>
      ) : null}
      {drawing ? (
        <DrawMap
          centre={CITY_CENTRE}
          testId="map-draw"
          onFinish={(geometry) => {
            setDrawing(false);
            setDraft({ geometry });
          }}
          onCancel={() => setDrawing(false)}
        />
      ) : null}
      {draft ? <NewArea token={props.token} draft={draft} onCreated={(id) => (location.hash = areaHash(id))} onCancel={() => setDraft(null)} /> : null}
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
