/**
 * The one place that touches Leaflet. Callers speak WGS-84 only; every coordinate drawn goes
 * through the map's frame, so markers and outlines sit on GCJ-02 tiles exactly as on WGS-84 ones.
 * Loaded lazily: a page shows its form before this chunk (and its CSS) arrives.
 */
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { mapFrame, type LatLng, type MapFrame } from '../../actions/coords';
import type { FeatureCollection, GeoFeature, MapConfig } from '../../api/map';

export interface CaseMarker {
  id: number;
  lat: number;
  lng: number;
  label: string;
  tone: 'open' | 'overdue' | 'done';
}

export interface MapView {
  /** The visible box as west,south,east,north in WGS-84, and the zoom. */
  view(): { bbox: string; zoom: number };
  setPin(p: LatLng | null): void;
  setMarkers(markers: CaseMarker[]): void;
  setOutlines(fc: FeatureCollection | null): void;
  setHeat(fc: FeatureCollection | null): void;
  setHotspots(fc: FeatureCollection | null): void;
  /** Key areas: shapes (or points) coloured by level; `properties.id` is what a click reports. */
  setAreas(fc: FeatureCollection | null): void;
  /** Drawing an area: taps add points (reported to `onSketchTap`), a double-click finishes. */
  setDrawing(on: boolean): void;
  /** The outline drawn so far: its points joined, closed once there are three. */
  setSketch(points: LatLng[]): void;
  centre(p: LatLng, zoom?: number): void;
  fit(points: LatLng[]): void;
  destroy(): void;
}

export interface MapOptions {
  centre: LatLng;
  zoom: number;
  /** A draggable pin that also jumps to where the map is tapped; reports in WGS-84. */
  onPinMove?: (p: LatLng) => void;
  onMarker?: (id: number) => void;
  onArea?: (id: number) => void;
  onViewChange?: () => void;
  onSketchTap?: (p: LatLng) => void;
  onSketchFinish?: () => void;
  /** The console's map: heat and hotspot layers shown, with a switch for each layer. */
  withLayers?: boolean;
  labels: { heat: string; hotspots: string; outlines: string };
}

type Position = number[];

/** Apply the frame to every [lng, lat] pair of a GeoJSON geometry. */
function shiftCoordinates(value: unknown, frame: MapFrame): unknown {
  if (Array.isArray(value) && typeof value[0] === 'number') {
    const [lng, lat] = value as Position;
    const p = frame.toMap({ lat: lat ?? 0, lng: lng ?? 0 });
    return [p.lng, p.lat];
  }
  return Array.isArray(value) ? value.map((v) => shiftCoordinates(v, frame)) : value;
}

function shifted(fc: FeatureCollection, frame: MapFrame): GeoJSON.FeatureCollection {
  const features = fc.features.map((f: GeoFeature) => ({
    ...f,
    geometry: { ...f.geometry, coordinates: shiftCoordinates(f.geometry.coordinates, frame) },
  }));
  return { type: 'FeatureCollection', features } as unknown as GeoJSON.FeatureCollection;
}

const HEAT = ['#fde0c5', '#facba6', '#f8b58b', '#f59e72', '#f2855d', '#ef6a4c', '#eb4a40'];
const LEVEL_COLOUR: Record<string, string> = { red: '#d93025', yellow: '#f9ab00', blue: '#1a73e8' };

function heatColour(count: number, max: number): string {
  const step = Math.min(HEAT.length - 1, Math.floor((count / Math.max(max, 1)) * (HEAT.length - 1)));
  return HEAT[step] ?? HEAT[0]!;
}

/** A label shown as the very characters given: Leaflet reads a string tooltip as HTML. */
function textLabel(text: string): HTMLElement {
  const label = document.createElement('span');
  label.textContent = text;
  return label;
}

function caseIcon(tone: CaseMarker['tone']): L.DivIcon {
  return L.divIcon({ className: `case-marker tone-${tone}`, iconSize: [22, 22], iconAnchor: [11, 11] });
}

export function createMap(el: HTMLElement, config: MapConfig, options: MapOptions): MapView {
  const frame = mapFrame(config.coordinates);
  const toMap = (p: LatLng): L.LatLngExpression => {
    const m = frame.toMap(p);
    return [m.lat, m.lng];
  };
  const map = L.map(el, { zoomControl: true, attributionControl: Boolean(config.attribution) });
  map.setView(toMap(options.centre), options.zoom);
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.attribution, subdomains: '1234', maxZoom: 19 }).addTo(map);
  }
  map.attributionControl?.setPrefix(false);

  const outlines = L.geoJSON(undefined, {
    style: { color: '#5f6368', weight: 1.5, fill: false },
    // Region names come from admins' imports: text, never markup.
    onEachFeature: (f, layer) => layer.bindTooltip(textLabel(String(f.properties?.name ?? ''))),
  }).addTo(map);
  const heat = L.geoJSON(undefined);
  const hotspots = L.geoJSON(undefined);
  const markers = L.layerGroup().addTo(map);
  const areaStyle = (f?: GeoJSON.Feature) => {
    const colour = LEVEL_COLOUR[String(f?.properties?.level ?? '')] ?? '#5f6368';
    return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.3 };
  };
  const areas = L.geoJSON(undefined, {
    style: areaStyle,
    pointToLayer: (f: GeoJSON.Feature, at) => L.circleMarker(at, { ...areaStyle(f), radius: 9 }),
    onEachFeature: (f, layer) => {
      layer.bindTooltip(textLabel(String(f.properties?.name ?? '')));
      layer.on('click', () => options.onArea?.(Number(f.properties?.id)));
    },
  }).addTo(map);
  let pin: L.Marker | null = null;
  const sketch = L.layerGroup().addTo(map);
  let drawing = false;

  const overlays: Record<string, L.Layer> = { [options.labels.outlines]: outlines };
  overlays[options.labels.heat] = heat;
  overlays[options.labels.hotspots] = hotspots;
  if (options.withLayers) {
    heat.addTo(map);
    hotspots.addTo(map);
    L.control.layers(undefined, overlays, { collapsed: false }).addTo(map);
  }
  map.on('moveend', () => options.onViewChange?.());
  map.on('click', (e: L.LeafletMouseEvent) => {
    if (drawing) options.onSketchTap?.(frame.fromMap({ lat: e.latlng.lat, lng: e.latlng.lng }));
  });
  map.on('dblclick', () => {
    if (drawing) options.onSketchFinish?.();
  });
  if (options.onPinMove) {
    map.on('click', (e: L.LeafletMouseEvent) => {
      if (drawing) return;
      pin?.setLatLng(e.latlng);
      options.onPinMove?.(frame.fromMap({ lat: e.latlng.lat, lng: e.latlng.lng }));
    });
  }

  return {
    view() {
      const b = map.getBounds();
      const sw = frame.fromMap({ lat: b.getSouth(), lng: b.getWest() });
      const ne = frame.fromMap({ lat: b.getNorth(), lng: b.getEast() });
      const bbox = [sw.lng, sw.lat, ne.lng, ne.lat].map((n) => n.toFixed(6)).join(',');
      return { bbox, zoom: map.getZoom() };
    },
    setPin(p) {
      if (!p) {
        pin?.remove();
        pin = null;
        return;
      }
      if (pin) {
        pin.setLatLng(toMap(p));
        return;
      }
      const draggable = Boolean(options.onPinMove);
      pin = L.marker(toMap(p), {
        draggable,
        title: 'pin',
        alt: 'pin',
        icon: L.divIcon({ className: 'map-pin', iconSize: [28, 28], iconAnchor: [14, 28] }),
      }).addTo(map);
      pin.on('dragend', () => {
        const at = pin?.getLatLng();
        if (at) options.onPinMove?.(frame.fromMap({ lat: at.lat, lng: at.lng }));
      });
    },
    setMarkers(list) {
      markers.clearLayers();
      for (const m of list) {
        const marker = L.marker(toMap(m), { icon: caseIcon(m.tone), title: m.label, alt: m.label, keyboard: true });
        marker.on('click', () => options.onMarker?.(m.id));
        markers.addLayer(marker);
      }
    },
    setOutlines(fc) {
      outlines.clearLayers();
      if (fc) outlines.addData(shifted(fc, frame));
    },
    setHeat(fc) {
      heat.clearLayers();
      if (!fc) return;
      const max = Math.max(0, ...fc.features.map((f) => Number(f.properties.count ?? 0)));
      heat.options.style = (f) => ({
        color: '#b3261e',
        weight: 0.5,
        fillColor: heatColour(Number(f?.properties?.count ?? 0), max),
        fillOpacity: 0.6,
      });
      heat.addData(shifted(fc, frame));
    },
    setHotspots(fc) {
      hotspots.clearLayers();
      if (!fc) return;
      hotspots.options.style = (f) => {
        const colour = LEVEL_COLOUR[String(f?.properties?.level ?? '')];
        return colour ? { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.25 } : { opacity: 0, fillOpacity: 0 };
      };
      hotspots.addData(shifted(fc, frame));
    },
    setAreas(fc) {
      areas.clearLayers();
      if (!fc) return;
      areas.addData(shifted(fc, frame));
      const bounds = areas.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    },
    setDrawing(on) {
      drawing = on;
      // A double-click closes the outline instead of zooming in.
      if (on) map.doubleClickZoom.disable();
      else map.doubleClickZoom.enable();
      el.classList.toggle('drawing', on);
    },
    setSketch(points) {
      sketch.clearLayers();
      const at = points.map(toMap);
      const style = { color: '#6a1b9a', weight: 2, dashArray: '6 4', fillColor: '#6a1b9a', fillOpacity: 0.15 };
      if (at.length >= 3) sketch.addLayer(L.polygon(at, style));
      else if (at.length === 2) sketch.addLayer(L.polyline(at, style));
      for (const p of at) sketch.addLayer(L.circleMarker(p, { radius: 5, color: '#6a1b9a', fillOpacity: 1, interactive: false }));
    },
    centre(p, zoom) {
      map.setView(toMap(p), zoom ?? map.getZoom(), { animate: false });
    },
    fit(points) {
      if (points.length === 0) return;
      map.fitBounds(L.latLngBounds(points.map(toMap)), { padding: [24, 24], maxZoom: 15 });
    },
    destroy() {
      map.remove();
    },
  };
}
