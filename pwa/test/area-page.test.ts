import { describe, expect, it } from 'vitest';
import {
  changeText,
  fallbackPlace,
  figureBar,
  keepChosenRegion,
  keepPage,
  oneDecimal,
  percentText,
  problemText,
  progressPercent,
  quarterOf,
  readChosenRegion,
  readSavedPage,
  type SavedAreaPage,
} from '../src/actions/area-page';
import { areaQuery, type AreaPage, type Figure } from '../src/api/area-page';
import { ApiError } from '../src/api/http';

function memoryStore(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

const page: AreaPage = {
  region: { code: '330106002001', name: '文三社区', level: 'community' },
  parent: { code: '330106002', name: '文三街道', level: 'street' },
  periodLabel: '2026年第4季度',
  firstDay: '2026-10-01',
  lastDay: '2026-12-31',
  asOf: '2026-12-03T10:00:00Z',
  reports: { valid: null, closeRate: null, onTimeRate: null, satisfactionRate: null },
  categories: [],
  flagged: [],
  lifted: [],
  survey: null,
  report: null,
};

const figure = (value: number | null, low: number | null, high: number | null): Figure => ({ n: 30, value, low, high, standing: null });

describe('the area page kept on the phone', () => {
  it('keeps the last page and reads it back', () => {
    const store = memoryStore();
    expect(readSavedPage(store)).toBeNull();
    const saved: SavedAreaPage = { page, savedAt: 1_000 };
    keepPage(store, saved);
    expect(readSavedPage(store)).toEqual(saved);
  });

  it('keeps no trace of where the resident stood', () => {
    const store = memoryStore();
    const withPosition = { page, savedAt: 1_000, place: { lat: 30.274123, lng: 120.155456 } };
    keepPage(store, withPosition);
    expect(store.getItem('gridreport.areaPage')).not.toContain('30.274123');
    expect(store.getItem('gridreport.areaPage')).not.toContain('place');
    // A copy an older app kept with the position is read without it.
    store.setItem('gridreport.areaPage', JSON.stringify(withPosition));
    expect(readSavedPage(store)).toEqual({ page, savedAt: 1_000 });
  });

  it('ignores what is not a page (an older app, a broken write, no storage)', () => {
    const store = memoryStore();
    store.setItem('gridreport.areaPage', '{"savedAt": "yesterday"}');
    expect(readSavedPage(store)).toBeNull();
    store.setItem('gridreport.areaPage', '{not json');
    expect(readSavedPage(store)).toBeNull();
    expect(readSavedPage(undefined)).toBeNull();
    const full = { getItem: () => null, setItem: () => { throw new Error('quota'); } };
    expect(() => keepPage(full, { page, savedAt: 1 })).not.toThrow();
  });

  it('falls back to the region chosen last, then the page kept, then the map', () => {
    const store = memoryStore();
    const saved: SavedAreaPage = { page, savedAt: 1 };
    expect(fallbackPlace(readChosenRegion(store), null)).toBeNull();
    expect(fallbackPlace(readChosenRegion(store), saved)).toEqual({ region: '330106002001' });
    keepChosenRegion(store, '330106002');
    expect(fallbackPlace(readChosenRegion(store), saved)).toEqual({ region: '330106002' });
    store.setItem('gridreport.areaRegion', 'no spaces allowed');
    expect(readChosenRegion(store)).toBeNull();
  });
});

describe('the area page figures', () => {
  it('asks by point or by region code', () => {
    expect(areaQuery({ lat: 30.2741, lng: 120.1551 })).toEqual({ lat: '30.274100', lng: '120.155100' });
    expect(areaQuery({ region: '330106002' })).toEqual({ region: '330106002' });
  });

  it('shows rates as percentages and leaves unpublished ones out', () => {
    expect(percentText(0.935)).toBe('93.5%');
    expect(percentText(1)).toBe('100%');
    expect(percentText(0)).toBe('0%');
    expect(percentText(null)).toBeNull();
    expect(oneDecimal(86.04)).toBe('86');
    expect(oneDecimal(86.06)).toBe('86.1');
  });

  it('measures a plan by tasks done, none planned being nothing done', () => {
    expect(progressPercent({ tasks: 4, done: 1, overdue: 0 })).toBe(25);
    expect(progressPercent({ tasks: 3, done: 3, overdue: 1 })).toBe(100);
    expect(progressPercent({ tasks: 0, done: 0, overdue: 0 })).toBe(0);
  });

  it('draws the interval, the value and the target on a 0–100 track', () => {
    expect(figureBar(figure(86, 80, 92), 95)).toEqual({ left: 80, width: 12, value: 86, target: 95 });
    // An interval reaching past the scale is drawn to its edge.
    expect(figureBar(figure(98, 93, 103), 95)).toEqual({ left: 93, width: 7, value: 98, target: 95 });
    expect(figureBar(figure(null, null, null), 95)).toBeNull();
  });

  it('compares with the previous survey in points', () => {
    expect(changeText(figure(86, 80, 92), figure(82.5, 75, 90))).toBe('+3.5');
    expect(changeText(figure(80, 75, 85), figure(82.5, 75, 90))).toBe('−2.5');
    expect(changeText(figure(80, 75, 85), figure(80, 70, 90))).toBe('±0');
    expect(changeText(figure(80, 75, 85), null)).toBeNull();
    expect(changeText(figure(80, 75, 85), figure(null, null, null))).toBeNull();
  });

  it('names the quarter from its first day', () => {
    expect(quarterOf('2026-10-01')).toEqual({ year: 2026, quarter: 4 });
    expect(quarterOf('2027-01-01')).toEqual({ year: 2027, quarter: 1 });
    expect(quarterOf('2027-06-30')).toEqual({ year: 2027, quarter: 2 });
  });
});

describe('why the page did not come', () => {
  it('gives the server refusal in both languages, the reader\'s first', () => {
    const refusal = new ApiError(404, 'region.not_found', '没有这个地区', 'No such region');
    expect(problemText(refusal, false)).toBe('没有这个地区 — No such region');
    expect(problemText(refusal, true)).toBe('No such region — 没有这个地区');
  });

  it('says the network failed in words, not the browser\'s message', () => {
    const text = problemText(new TypeError('Failed to fetch'), false);
    expect(text).not.toContain('Failed to fetch');
    expect(text).toContain('无法连接服务器');
    expect(text).toContain('Cannot reach the server');
  });
});
