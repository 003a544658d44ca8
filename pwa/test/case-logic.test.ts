import { describe, expect, it } from 'vitest';
import { caseHash, caseIdFromHash, can, extensionMinutes, isConflict, mapLinks, reasonOk, REJECT_REASONS, resolveProblem, staffRoute } from '../src/actions/case-logic';
import { ApiError } from '../src/api/http';

describe('case logic', () => {
  it('links to the map app with lng,lat for AMap and lat,lng for geo:', () => {
    expect(mapLinks(30.2742, 120.155)).toEqual({
      amap: 'https://uri.amap.com/marker?position=120.155,30.2742',
      geo: 'geo:30.2742,120.155',
    });
  });
  it('treats any 409 as a stale case', () => {
    expect(isConflict(new ApiError(409, 'cases.stale', 'x', 'x'))).toBe(true);
    expect(isConflict(new ApiError(403, 'cases.not_yours', 'x', 'x'))).toBe(false);
    expect(isConflict(new TypeError('offline'))).toBe(false);
  });
  it('shows only allowed actions', () => {
    expect(can(['accept', 'return'], 'accept')).toBe(true);
    expect(can(['accept'], 'resolve')).toBe(false);
  });
  it('requires an after-photo and a note of 2–500 characters to resolve', () => {
    expect(resolveProblem(0, '已清理')).toBe('resolve.needPhoto');
    expect(resolveProblem(1, ' a ')).toBe('resolve.needNote');
    expect(resolveProblem(1, 'x'.repeat(501))).toBe('resolve.needNote');
    expect(resolveProblem(2, '已清理')).toBeNull();
  });
  it('checks reasons and extension hours', () => {
    expect(reasonOk('不')).toBe(false);
    expect(reasonOk('不归我管')).toBe(true);
    expect(extensionMinutes('24')).toBe(1440);
    expect(extensionMinutes('0.5')).toBe(30);
    expect(extensionMinutes('0')).toBeNull();
    expect(extensionMinutes('abc')).toBeNull();
    expect(extensionMinutes('3000')).toBeNull();
  });
  it('routes #/c/{id}', () => {
    expect(caseIdFromHash(caseHash(42))).toBe(42);
    expect(caseIdFromHash('')).toBeNull();
    expect(caseIdFromHash('#/c/x')).toBeNull();
  });
  it('routes the staff pages', () => {
    expect(staffRoute('#/c/7')).toEqual({ view: 'case', id: 7 });
    expect(staffRoute('#/map')).toEqual({ view: 'map' });
    expect(staffRoute('#/stats')).toEqual({ view: 'stats' });
    expect(staffRoute('#/patrol')).toEqual({ view: 'patrol' });
    expect(staffRoute('#/nonsense')).toEqual({ view: 'list' });
    expect(staffRoute('')).toEqual({ view: 'list' });
  });
  it('offers exactly the reasons the API accepts', () => {
    expect([...REJECT_REASONS]).toEqual(['duplicate', 'not_our_remit', 'insufficient_information', 'not_a_problem', 'false_report', 'other']);
  });
});
