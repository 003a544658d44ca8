import { describe, expect, it } from 'vitest';
import {
  actionsFor,
  addSketchPoint,
  areaFeatures,
  areaHash,
  areaRoute,
  bilingual,
  categoryRows,
  deadlineTone,
  lateCount,
  NO_FILTER,
  parsePlace,
  pendingExtension,
  progressPercent,
  progressText,
  registerQuery,
  sketchPolygon,
  streetOf,
  undoSketchPoint,
  unitChoice,
  unitIn,
  unitValue,
  weekdayRows,
} from '../src/actions/area-logic';
import type { AreaEvent, AreaFigures, AreaSummary } from '../src/api/key-areas';
import { caseIdFromHash, staffRoute } from '../src/actions/case-logic';

const SQUARE = { type: 'Polygon', coordinates: [[[120.15, 30.27], [120.16, 30.27], [120.16, 30.28], [120.15, 30.27]]] };

function area(over: Partial<AreaSummary> = {}): AreaSummary {
  return {
    id: 7,
    name: '文三路夜市',
    areaType: 'back_street',
    state: 'listed',
    level: 'yellow',
    tier: 'street',
    regionCode: '330106001',
    regionName: '北山街道',
    deadline: null,
    overdue: false,
    progress: { tasks: 0, done: 0, overdue: 0, dutiesOverdue: 0 },
    reports30D: 0,
    updatedAt: '2026-12-01T00:00:00Z',
    centroid: [30.275, 120.155],
    ...over,
  };
}

describe('area routes', () => {
  it('names the register, one area and the meetings, and leaves other pages alone', () => {
    expect(areaRoute('#/areas')).toEqual({ view: 'areas' });
    expect(areaRoute(areaHash(42))).toEqual({ view: 'area', id: 42 });
    expect(areaRoute('#/meetings')).toEqual({ view: 'meetings' });
    expect(areaRoute('#/areas/x')).toBeNull();
    expect(areaRoute('#/c/3')).toBeNull();
    expect(areaRoute('')).toBeNull();
    // A case page is not mistaken for an area page and the other way round.
    expect(caseIdFromHash(areaHash(42))).toBeNull();
    expect(staffRoute(areaHash(42))).toEqual({ view: 'list' });
  });
});

describe('register query', () => {
  it('sends only the filters chosen', () => {
    expect(registerQuery(NO_FILTER)).toEqual({});
    expect(registerQuery({ state: 'flagged', type: '', level: 'red' })).toEqual({ state: 'flagged', level: 'red' });
    expect(registerQuery({ state: '', type: 'market', level: '' })).toEqual({ type: 'market' });
  });

  it('adds the cursor of the next page', () => {
    expect(registerQuery({ state: 'listed', type: '', level: '' }, 'abc')).toEqual({ state: 'listed', cursor: 'abc' });
    expect(registerQuery(NO_FILTER, null)).toEqual({});
  });
});

describe('progress and deadlines', () => {
  it('shows done/total, a dash without tasks, and what is late', () => {
    expect(progressText({ tasks: 0, done: 0, overdue: 0, dutiesOverdue: 0 })).toBe('—');
    expect(progressText({ tasks: 4, done: 1, overdue: 2, dutiesOverdue: 0 })).toBe('1/4');
    expect(progressPercent({ tasks: 3, done: 1, overdue: 0, dutiesOverdue: 0 })).toBe(33);
    expect(progressPercent({ tasks: 0, done: 0, overdue: 0, dutiesOverdue: 0 })).toBe(0);
    expect(lateCount({ tasks: 4, done: 1, overdue: 2, dutiesOverdue: 1 })).toBe(3);
  });

  it('marks an overdue deadline red, one within a week amber', () => {
    const today = new Date(2026, 11, 3);
    expect(deadlineTone({ deadline: null, overdue: false }, today)).toBe('none');
    expect(deadlineTone({ deadline: '2026-12-01', overdue: true }, today)).toBe('overdue');
    expect(deadlineTone({ deadline: '2026-12-10', overdue: false }, today)).toBe('soon');
    expect(deadlineTone({ deadline: '2026-12-11', overdue: false }, today)).toBe('normal');
    // Past the date but no longer being put right (lifted): the server does not call it overdue.
    expect(deadlineTone({ deadline: '2026-11-01', overdue: false }, today)).toBe('normal');
  });
});

describe('actions offered', () => {
  it('follows the state and the role', () => {
    expect(actionsFor('candidate', 'dispatcher')).toEqual(['propose', 'dismiss', 'plan']);
    expect(actionsFor('proposed', 'dispatcher')).toEqual(['dismiss', 'plan']);
    expect(actionsFor('proposed', 'supervisor')).toEqual(['dismiss', 'list', 'flag', 'plan']);
    expect(actionsFor('listed', 'supervisor')).toEqual(['flag', 'plan']);
    // Once listed, the plan is a leader's to change.
    expect(actionsFor('listed', 'dispatcher')).toEqual([]);
    expect(actionsFor('flagged', 'dispatcher')).toEqual([]);
    expect(actionsFor('accepting', 'supervisor')).toEqual(['acceptance', 'extension']);
    expect(actionsFor('accepting', 'dispatcher')).toEqual(['extension']);
    expect(actionsFor('watching', 'admin')).toEqual(['recurrence']);
    expect(actionsFor('closed', 'admin')).toEqual([]);
    expect(actionsFor('proposed', 'worker')).toEqual([]);
  });

  it('offers the decision on an extension once one is asked for, to leaders only', () => {
    expect(actionsFor('accepting', 'supervisor', true)).toEqual(['acceptance', 'decideExtension']);
    expect(actionsFor('accepting', 'dispatcher', true)).toEqual([]);
  });
});

describe('the pending extension', () => {
  const step = (action: string, detail: Record<string, unknown> = {}): AreaEvent => ({
    at: '2026-12-01T00:00:00Z',
    actor: null,
    actorRole: 'supervisor',
    action,
    fromState: 'accepting',
    toState: 'accepting',
    reason: null,
    detail,
  });

  it('is the last request while the area is being accepted', () => {
    const events = [step('accept'), step('acceptance_failed'), step('extension_requested', { extensionId: 4 })];
    expect(pendingExtension(events, 'accepting')).toBe(4);
    expect(pendingExtension(events, 'extended')).toBeNull();
  });

  it('is none once decided, or before any request', () => {
    expect(pendingExtension([step('extension_requested', { extensionId: 4 }), step('refuse_extension')], 'accepting')).toBeNull();
    expect(pendingExtension([step('extension_requested', { extensionId: 4 }), step('extend')], 'accepting')).toBeNull();
    expect(pendingExtension([step('accept')], 'accepting')).toBeNull();
    expect(pendingExtension([step('extension_requested', { extensionId: 'x' })], 'accepting')).toBeNull();
  });
});

describe('a pasted place', () => {
  it('takes a polygon, a feature or a collection of one', () => {
    expect(parsePlace(JSON.stringify(SQUARE))).toEqual({ geometry: SQUARE });
    expect(parsePlace(JSON.stringify({ type: 'Feature', properties: {}, geometry: SQUARE }))).toEqual({ geometry: SQUARE });
    const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: SQUARE }] };
    expect(parsePlace(JSON.stringify(fc))).toEqual({ geometry: SQUARE });
  });

  it('says what is wrong otherwise', () => {
    expect(parsePlace('  ')).toEqual({ problem: 'place.empty' });
    expect(parsePlace('{"type":')).toEqual({ problem: 'place.json' });
    expect(parsePlace('{"type":"Point","coordinates":[120,30]}')).toEqual({ problem: 'place.type' });
    expect(parsePlace(JSON.stringify({ type: 'FeatureCollection', features: [] }))).toEqual({ problem: 'place.type' });
  });
});

describe('units and map features', () => {
  it('types a unit as a region or a department', () => {
    expect(unitIn(' 330106001 ', false)).toEqual({ regionCode: '330106001' });
    expect(unitIn('330106-cg', true)).toEqual({ departmentCode: '330106-cg' });
  });

  it('draws the shape when known, else the middle as lng,lat, and skips areas with neither', () => {
    const fc = areaFeatures([area(), { ...area({ id: 8, level: null, centroid: null }), geometry: SQUARE }, area({ id: 9, centroid: null })]);
    expect(fc.features).toHaveLength(2);
    expect(fc.features[0]?.geometry).toEqual({ type: 'Point', coordinates: [120.155, 30.275] });
    expect(fc.features[0]?.properties).toEqual({ id: 7, name: '文三路夜市', level: 'yellow' });
    expect(fc.features[1]?.geometry).toEqual(SQUARE);
    expect(fc.features[1]?.properties.level).toBe('none');
  });
});

describe('before and after', () => {
  const figures: AreaFigures = {
    areaId: 7,
    since: '2026-11-01T00:00:00Z',
    before: { start: '', end: '', total: 5, byCategory: { noise: 3, litter: 2 }, byHour: [], byWeekday: [1, 0, 0, 0, 0, 0, 4] },
    after: { start: '', end: '', total: 2, byCategory: { noise: 1, parking: 1 }, byWeekday: [0, 1, 0, 0, 0, 0, 1], byHour: [] },
  };

  it('pairs categories from both windows, biggest before first', () => {
    expect(categoryRows(figures, (c) => c.toUpperCase())).toEqual([
      { label: 'NOISE', a: 3, b: 1 },
      { label: 'LITTER', a: 2, b: 0 },
      { label: 'PARKING', a: 0, b: 1 },
    ]);
  });

  it('pairs weekdays Monday first', () => {
    const rows = weekdayRows(figures, ['一', '二', '三', '四', '五', '六', '日']);
    expect(rows[0]).toEqual({ label: '一', a: 1, b: 0 });
    expect(rows[6]).toEqual({ label: '日', a: 4, b: 1 });
  });
});

describe('a refusal', () => {
  it('shows both languages, the reader’s first, once when they are the same', () => {
    const refused = { message: '须先制定整治方案', messageEn: 'A plan is needed first' };
    expect(bilingual(refused, false)).toBe('须先制定整治方案 — A plan is needed first');
    expect(bilingual(refused, true)).toBe('A plan is needed first — 须先制定整治方案');
    expect(bilingual({ message: 'HTTP 500', messageEn: 'HTTP 500' }, false)).toBe('HTTP 500');
    expect(bilingual({ message: 'offline' }, true)).toBe('offline');
  });
});

describe('drawing an area on the map', () => {
  const a = { lat: 30.27, lng: 120.15 };
  const b = { lat: 30.27, lng: 120.16 };
  const c = { lat: 30.28, lng: 120.16 };

  it('closes three tapped corners into a Polygon of [lng, lat] pairs', () => {
    expect(sketchPolygon([a, b, c])).toEqual({
      type: 'Polygon',
      coordinates: [[[120.15, 30.27], [120.16, 30.27], [120.16, 30.28], [120.15, 30.27]]],
    });
  });

  it('needs three distinct corners', () => {
    expect(sketchPolygon([])).toBeNull();
    expect(sketchPolygon([a, b])).toBeNull();
    expect(sketchPolygon([a, b, { lat: 30.270001, lng: 120.160001 }])).toBeNull();
  });

  it('counts the two taps of a double-click once and undoes the last corner', () => {
    let points = addSketchPoint([], a);
    points = addSketchPoint(points, b);
    points = addSketchPoint(points, { lat: b.lat + 1e-7, lng: b.lng });
    expect(points).toEqual([a, b]);
    expect(undoSketchPoint(points)).toEqual([a]);
    expect(undoSketchPoint([])).toEqual([]);
  });
});

describe('plan form choices', () => {
  it('turns a chosen unit into the body the API takes, and back', () => {
    expect(unitChoice('region:330106002')).toEqual({ regionCode: '330106002' });
    expect(unitChoice('department:330106-cg')).toEqual({ departmentCode: '330106-cg' });
    expect(unitChoice('')).toBeNull();
    expect(unitValue('department', '330106-cg')).toBe('department:330106-cg');
    expect(unitValue('region', '330106')).toBe('region:330106');
  });

  it('finds the street of a located point, else its deepest region', () => {
    expect(streetOf([{ code: '330106', level: 'district' }, { code: '330106002', level: 'street' }, { code: 'g', level: 'grid' }])).toBe('330106002');
    expect(streetOf([{ code: '330106', level: 'district' }])).toBe('330106');
    expect(streetOf([])).toBeNull();
  });
});
