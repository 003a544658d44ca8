import { describe, expect, it } from 'vitest';
import { parseRoute } from '../src/ui/route';

describe('resident routes', () => {
  it('reads push links, in-app hashes and the start page', () => {
    expect(parseRoute('/reports/42', '')).toEqual({ view: 'detail', id: 42 });
    expect(parseRoute('/reports/42/', '')).toEqual({ view: 'detail', id: 42 });
    expect(parseRoute('/', '#/r/7')).toEqual({ view: 'detail', id: 7 });
    expect(parseRoute('/', '#/mine')).toEqual({ view: 'mine' });
    expect(parseRoute('/', '#/area')).toEqual({ view: 'area' });
    expect(parseRoute('/', '')).toEqual({ view: 'report' });
    expect(parseRoute('/reports/abc', '')).toEqual({ view: 'report' });
  });
});
