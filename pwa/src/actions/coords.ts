/**
 * Phones report WGS-84; Chinese tile sets (AutoNavi, Tencent) are drawn in GCJ-02, whose
 * published obfuscation moves a point by up to ~700 m inside China. Everything we store and
 * send stays WGS-84; only what is drawn on GCJ-02 tiles is shifted, and a pin dropped on such
 * tiles is shifted back before it is used.
 */

export type Coordinates = 'wgs84' | 'gcj02';

export interface LatLng {
  lat: number;
  lng: number;
}

const A = 6378245.0; // Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses.
const EE = 0.00669342162296594323;

/** GCJ-02 leaves points outside mainland China's rough bounding box alone. */
export function outOfChina(p: LatLng): boolean {
  return p.lng < 72.004 || p.lng > 137.8347 || p.lat < 0.8293 || p.lat > 55.8271;
}

function shiftLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function shiftLng(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

export function wgs84ToGcj02(p: LatLng): LatLng {
  if (outOfChina(p)) return { ...p };
  const radLat = (p.lat / 180) * Math.PI;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (shiftLat(p.lng - 105, p.lat - 35) * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLng = (shiftLng(p.lng - 105, p.lat - 35) * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: p.lat + dLat, lng: p.lng + dLng };
}

/** The inverse has no closed form: a few fixed-point steps bring it under a millimetre. */
export function gcj02ToWgs84(p: LatLng): LatLng {
  if (outOfChina(p)) return { ...p };
  let guess = { ...p };
  for (let i = 0; i < 10; i++) {
    const there = wgs84ToGcj02(guess);
    const dLat = there.lat - p.lat;
    const dLng = there.lng - p.lng;
    guess = { lat: guess.lat - dLat, lng: guess.lng - dLng };
    if (Math.abs(dLat) < 1e-9 && Math.abs(dLng) < 1e-9) break;
  }
  return guess;
}

/** How a map with tiles in `coordinates` turns our WGS-84 points into its own and back. */
export interface MapFrame {
  toMap(p: LatLng): LatLng;
  fromMap(p: LatLng): LatLng;
}

export function mapFrame(coordinates: Coordinates): MapFrame {
  if (coordinates === 'gcj02') return { toMap: wgs84ToGcj02, fromMap: gcj02ToWgs84 };
  return { toMap: (p) => ({ ...p }), fromMap: (p) => ({ ...p }) };
}

/** Metres between two points (haversine), for tests of placement and for "you are N m away". */
export function metresBetween(a: LatLng, b: LatLng): number {
  const r = 6371008.8;
  const dLat = ((b.lat - a.lat) * Math.PI) / 180;
  const dLng = ((b.lng - a.lng) * Math.PI) / 180;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos((a.lat * Math.PI) / 180) * Math.cos((b.lat * Math.PI) / 180) * Math.sin(dLng / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}
