/** 重点地区 screens' pure logic: routes, register filters, progress and deadline marks, drawn places. */
import type { Query } from '../api/http';
import type { AreaEvent, AreaFigures, AreaLevel, AreaState, AreaSummary, AreaType, GeoJsonGeometry, Progress, UnitIn } from '../api/key-areas';
import type { FeatureCollection } from '../api/map';

export type AreaRoute = { view: 'areas' } | { view: 'area'; id: number } | { view: 'meetings' };

/** `#/areas` the register, `#/areas/{id}` one area, `#/meetings` the 研判会; null for other pages. */
export function areaRoute(hash: string): AreaRoute | null {
  if (hash === '#/areas') return { view: 'areas' };
  if (hash === '#/meetings') return { view: 'meetings' };
  const match = /^#\/areas\/(\d+)$/.exec(hash);
  return match ? { view: 'area', id: Number(match[1]) } : null;
}

export function areaHash(id: number): string {
  return `#/areas/${id}`;
}

export interface AreaFilter {
  state: AreaState | '';
  type: AreaType | '';
  level: AreaLevel | '';
}

export const NO_FILTER: AreaFilter = { state: '', type: '', level: '' };

/** The register's query: only the filters chosen, and the cursor of the page asked for. */
export function registerQuery(filter: AreaFilter, cursor?: string | null): Query {
  const query: Query = {};
  if (filter.state) query.state = filter.state;
  if (filter.type) query.type = filter.type;
  if (filter.level) query.level = filter.level;
  if (cursor) query.cursor = cursor;
  return query;
}

/** 完成/总数 of the current plan, or a dash when the area has no plan yet. */
export function progressText(p: Progress): string {
  return p.tasks === 0 ? '—' : `${p.done}/${p.tasks}`;
}

/** How far the plan is done, 0–100, for a progress bar. */
export function progressPercent(p: Progress): number {
  return p.tasks === 0 ? 0 : Math.round((100 * p.done) / p.tasks);
}

/** What is late: tasks and level duties past their time. */
export function lateCount(p: Progress): number {
  return p.overdue + p.dutiesOverdue;
}

export type DeadlineTone = 'overdue' | 'soon' | 'normal' | 'none';

/** Red when past due (the server says so), amber within the coming week, nothing without a deadline. */
export function deadlineTone(area: Pick<AreaSummary, 'deadline' | 'overdue'>, today: Date): DeadlineTone {
  if (!area.deadline) return 'none';
  if (area.overdue) return 'overdue';
  const days = (Date.parse(`${area.deadline}T00:00:00Z`) - Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())) / 86_400_000;
  return days >= 0 && days <= 7 ? 'soon' : 'normal';
}

export type AreaAction = 'propose' | 'dismiss' | 'list' | 'flag' | 'plan' | 'acceptance' | 'extension' | 'decideExtension' | 'recurrence';

const LEADERS = new Set(['supervisor', 'admin']);
const TRIAGE = new Set(['dispatcher', 'supervisor', 'admin']);

/** The steps offered on an area's page for its state and the caller's role; the server decides. */
export function actionsFor(state: AreaState, role: string, extensionPending = false): AreaAction[] {
  const out: AreaAction[] = [];
  if (!TRIAGE.has(role)) return out;
  const leader = LEADERS.has(role);
  if (state === 'candidate') out.push('propose');
  if (state === 'candidate' || state === 'proposed') out.push('dismiss');
  if (leader && (state === 'proposed' || state === 'relisted')) out.push('list');
  if (leader && (state === 'proposed' || state === 'relisted' || state === 'listed')) out.push('flag');
  // Before listing anyone triaging may draft the plan; once listed only a leader changes it.
  if (['candidate', 'proposed', 'relisted'].includes(state)) out.push('plan');
  if (leader && ['listed', 'flagged', 'extended'].includes(state)) out.push('plan');
  if (leader && state === 'accepting') out.push('acceptance');
  // Once an extension is asked for, what is left is a leader's approval or refusal of it.
  if (state === 'accepting' && !extensionPending) out.push('extension');
  if (leader && state === 'accepting' && extensionPending) out.push('decideExtension');
  if (leader && state === 'watching') out.push('recurrence');
  return out;
}

/**
 * The extension asked for and not yet decided, read from the timeline: the last request while
 * the area is still being accepted, unless an approval or a refusal came after it.
 */
export function pendingExtension(events: readonly AreaEvent[], state: AreaState): number | null {
  if (state !== 'accepting') return null;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!e || e.action === 'extend' || e.action === 'refuse_extension') return null;
    if (e.action === 'extension_requested') {
      const id = Number(e.detail?.extensionId);
      return Number.isInteger(id) && id > 0 ? id : null;
    }
  }
  return null;
}

export type PlaceProblem = 'place.empty' | 'place.json' | 'place.type';

/**
 * A drawn place pasted as GeoJSON: a Polygon or MultiPolygon geometry, or a Feature or a
 * FeatureCollection of one feature holding one. The server checks the shape itself.
 */
export function parsePlace(text: string): { geometry: GeoJsonGeometry } | { problem: PlaceProblem } {
  if (!text.trim()) return { problem: 'place.empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'place.json' };
  }
  const geometry = geometryOf(value);
  return geometry ? { geometry } : { problem: 'place.type' };
}

function geometryOf(value: unknown): GeoJsonGeometry | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { type?: unknown; geometry?: unknown; features?: unknown; coordinates?: unknown };
  if (v.type === 'FeatureCollection' && Array.isArray(v.features) && v.features.length === 1) return geometryOf(v.features[0]);
  if (v.type === 'Feature') return geometryOf(v.geometry);
  if ((v.type === 'Polygon' || v.type === 'MultiPolygon') && Array.isArray(v.coordinates)) return { type: v.type, coordinates: v.coordinates };
  return null;
}

/** A unit typed at the desk: a region code, or a department's code when `department` is ticked. */
export function unitIn(code: string, department: boolean): UnitIn {
  const trimmed = code.trim();
  return department ? { departmentCode: trimmed } : { regionCode: trimmed };
}

/** Register rows as map features: the drawn shape when known, else the middle; coloured by level. */
export function areaFeatures(items: readonly (AreaSummary & { geometry?: GeoJsonGeometry | null })[]): FeatureCollection {
  const features = [];
  for (const a of items) {
    const geometry = a.geometry ?? (a.centroid ? { type: 'Point', coordinates: [a.centroid[1], a.centroid[0]] } : null);
    if (!geometry) continue;
    features.push({ type: 'Feature' as const, geometry, properties: { id: a.id, name: a.name, level: a.level ?? 'none' } });
  }
  return { type: 'FeatureCollection', features };
}

export interface BarRow {
  label: string;
  a: number;
  b: number;
}

/** 整治前后 by category, biggest before first; `name` turns a code into words. */
export function categoryRows(figures: AreaFigures, name: (code: string) => string): BarRow[] {
  const before = figures.before?.byCategory ?? {};
  const after = figures.after?.byCategory ?? {};
  const codes = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return codes
    .map((code) => ({ label: name(code), a: before[code] ?? 0, b: after[code] ?? 0 }))
    .sort((x, y) => y.a - x.a || y.b - x.b || x.label.localeCompare(y.label));
}

/** 整治前后 by weekday (Monday first); `names` are the seven day names. */
export function weekdayRows(figures: AreaFigures, names: readonly string[]): BarRow[] {
  return names.map((label, i) => ({ label, a: figures.before?.byWeekday[i] ?? 0, b: figures.after?.byWeekday[i] ?? 0 }));
}

/** The server's refusal in both languages, the reader's own first; once when they are the same. */
export function bilingual(error: { message: string; messageEn?: string }, english: boolean): string {
  const zh = error.message;
  const en = error.messageEn ?? zh;
  if (zh === en) return zh;
  return english ? `${en} — ${zh}` : `${zh} — ${en}`;
}

/** A point tapped on the map while drawing an area, in WGS-84. */
export interface SketchPoint {
  lat: number;
  lng: number;
}

// Taps closer than this (about 1 m) are one point: a double-click to finish taps twice.
const SAME_POINT = 1e-5;

function samePoint(a: SketchPoint, b: SketchPoint): boolean {
  return Math.abs(a.lat - b.lat) < SAME_POINT && Math.abs(a.lng - b.lng) < SAME_POINT;
}

/** The drawing with one more tap; a tap on the last point adds nothing. */
export function addSketchPoint(points: readonly SketchPoint[], p: SketchPoint): SketchPoint[] {
  const last = points[points.length - 1];
  return last && samePoint(last, p) ? [...points] : [...points, p];
}

/** The drawing without its last tap (撤销). */
export function undoSketchPoint(points: readonly SketchPoint[]): SketchPoint[] {
  return points.slice(0, -1);
}

/** The tapped points as a closed GeoJSON Polygon ([lng, lat] pairs); null below three points. */
export function sketchPolygon(points: readonly SketchPoint[]): GeoJsonGeometry | null {
  const distinct: SketchPoint[] = [];
  for (const p of points) {
    if (!distinct.some((q) => samePoint(p, q))) distinct.push(p);
  }
  if (distinct.length < 3) return null;
  const ring = distinct.map((p) => [p.lng, p.lat]);
  ring.push([distinct[0]!.lng, distinct[0]!.lat]);
  return { type: 'Polygon', coordinates: [ring] };
}

/** A unit chosen from the plan form's list: `region:CODE` or `department:CODE`. */
export function unitChoice(value: string): UnitIn | null {
  const match = /^(region|department):(.+)$/.exec(value);
  if (!match) return null;
  return match[1] === 'department' ? { departmentCode: match[2]! } : { regionCode: match[2]! };
}

/** The list value of a unit the plan already names. */
export function unitValue(kind: string, code: string): string {
  return `${kind === 'department' ? 'department' : 'region'}:${code}`;
}

/** The street among a located point's regions (district down), else the deepest one. */
export function streetOf(chain: readonly { code: string; level: string }[]): string | null {
  return chain.find((r) => r.level === 'street')?.code ?? chain[chain.length - 1]?.code ?? null;
}
