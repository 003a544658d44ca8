/**
 * A map in light DOM (Leaflet breaks inside a shadow root), loaded after the page itself.
 * With no tiles configured, or none reachable, it still draws grid outlines and markers.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LatLng } from '../../actions/coords';
import { loadMapConfig } from '../../actions/map-config';
import { gridOutlines, type FeatureCollection } from '../../api/map';
import { t } from '../../i18n';
import type { CaseMarker, MapView as Drawn } from './leaflet-map';

export type { CaseMarker };

export interface Layers {
  heat?: (view: { bbox: string; zoom: number }) => Promise<FeatureCollection>;
  hotspots?: () => Promise<FeatureCollection>;
}

interface Props {
  centre: LatLng;
  zoom?: number;
  pin?: LatLng | null;
  onPinMove?: (p: LatLng) => void;
  markers?: CaseMarker[];
  onMarker?: (id: number) => void;
  /** Key areas drawn coloured by level (the view fits them); a click reports `properties.id`. */
  areas?: FeatureCollection | null;
  onArea?: (id: number) => void;
  /** Fit the view to the markers once they arrive. */
  fitMarkers?: boolean;
  layers?: Layers;
  label: string;
  testId: string;
  tall?: boolean;
  /** Drawing an area: taps report points here; a double-click calls `onSketchFinish`. */
  onSketchTap?: (p: LatLng) => void;
  onSketchFinish?: () => void;
  /** The outline drawn so far. */
  sketch?: LatLng[] | null;
  /** Shown over the map's lower edge (the position's status), so it never pushes the page. */
  overlay?: ComponentChildren;
}

// Outlines of a whole city at zoom 10 would be thousands of shapes nobody can read.
const OUTLINE_MIN_ZOOM = 13;

export function MapView(props: Props) {
  const host = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [tiles, setTiles] = useState(true);
  const fitted = useRef(false);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    let gone = false;
    const refreshView = () => void drawLayers(drawn.current, latest.current.layers);
    Promise.all([import('./leaflet-map'), loadMapConfig()]).then(
      ([{ createMap }, config]) => {
        if (gone || !host.current) return;
        setTiles(Boolean(config.tileUrl));
        drawn.current = createMap(host.current, config, {
          centre: props.centre,
          zoom: props.zoom ?? 16,
          onPinMove: props.onPinMove ? (p) => latest.current.onPinMove?.(p) : undefined,
          onMarker: (id) => latest.current.onMarker?.(id),
          onArea: (id) => latest.current.onArea?.(id),
          onSketchTap: (p) => latest.current.onSketchTap?.(p),
          onSketchFinish: () => latest.current.onSketchFinish?.(),
          onViewChange: () => {
            void drawOutlines(drawn.current);
            if (latest.current.layers) refreshView();
          },
          withLayers: Boolean(props.layers),
          labels: { heat: t('map.heat'), hotspots: t('map.hotspots'), outlines: t('map.outlines') },
        });
        setState('ready');
        void drawOutlines(drawn.current);
        if (props.layers) refreshView();
      },
      (error: unknown) => {
        console.warn('map not loaded', error);
        if (!gone) setState('failed');
      },
    );
    return () => {
      gone = true;
      drawn.current?.destroy();
      drawn.current = null;
    };
  }, []);

  useEffect(() => drawn.current?.setPin(props.pin ?? null), [state, props.pin?.lat, props.pin?.lng]);
  useEffect(() => drawn.current?.centre(props.centre), [props.centre.lat, props.centre.lng]);
  useEffect(() => drawn.current?.setAreas(props.areas ?? null), [state, props.areas]);
  useEffect(() => drawn.current?.setDrawing(Boolean(props.onSketchTap)), [state, Boolean(props.onSketchTap)]);
  useEffect(() => drawn.current?.setSketch(props.sketch ?? []), [state, props.sketch]);
  useEffect(() => {
    drawn.current?.setMarkers(props.markers ?? []);
    // Fit once: a live update must not yank the view away from where the dispatcher looks.
    if (props.fitMarkers && props.markers?.length && drawn.current && !fitted.current) {
      drawn.current.fit(props.markers);
      fitted.current = true;
    }
  }, [state, props.markers]);

  return (
    <div class={props.tall ? 'map-box tall' : 'map-box'}>
      <div ref={host} class="map" role="region" aria-label={props.label} data-testid={props.testId} data-state={state} />
      {state === 'loading' ? <p class="map-note">{t('map.loading')}</p> : null}
      {state === 'failed' ? <p class="map-note">{t('map.failed')}</p> : null}
      {props.overlay ? <div class="map-overlay">{props.overlay}</div> : null}
      {/* Always one line tall, so the page does not move when the map arrives. */}
      <p class="map-caption">{state === 'ready' && !tiles ? t('map.noTiles') : '\u00a0'}</p>
    </div>
  );
}

async function drawOutlines(map: Drawn | null): Promise<void> {
  if (!map) return;
  const { bbox, zoom } = map.view();
  if (zoom < OUTLINE_MIN_ZOOM) return map.setOutlines(null);
  try {
    map.setOutlines(await gridOutlines(bbox));
  } catch (error) {
    // Offline: the outlines already drawn stay; the markers do not depend on them.
    console.info('grid outlines not fetched', error);
  }
}

async function drawLayers(map: Drawn | null, layers: Layers | undefined): Promise<void> {
  if (!map || !layers) return;
  const view = map.view();
  const [heat, hotspots] = await Promise.allSettled([layers.heat?.(view), layers.hotspots?.()]);
  if (heat.status === 'fulfilled' && heat.value) map.setHeat(heat.value);
  if (hotspots.status === 'fulfilled' && hotspots.value) map.setHotspots(hotspots.value);
}
