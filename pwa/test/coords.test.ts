import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, mapFrame, metresBetween, wgs84ToGcj02 } from '../src/actions/coords';

describe('GCJ-02', () => {
  it('shifts a Beijing point the way published converters do', () => {
    // The reference pair used by coordtransform and eviltransform.
    const g = wgs84ToGcj02({ lat: 39.915, lng: 116.404 });
    expect(g.lat).toBeCloseTo(39.91640428150164, 9);
    expect(g.lng).toBeCloseTo(116.41024449916938, 9);
  });

  it('moves a Hangzhou point by a few hundred metres, and back to within a millimetre', () => {
    const wgs = { lat: 30.2741, lng: 120.1551 };
    const gcj = wgs84ToGcj02(wgs);
    const shift = metresBetween(wgs, gcj);
    expect(shift).toBeGreaterThan(300);
    expect(shift).toBeLessThan(700);
    expect(metresBetween(gcj02ToWgs84(gcj), wgs)).toBeLessThan(0.001);
  });

  it('leaves points outside China alone', () => {
    const london = { lat: 51.5, lng: -0.12 };
    expect(wgs84ToGcj02(london)).toEqual(london);
    expect(gcj02ToWgs84(london)).toEqual(london);
  });

  it('a WGS-84 frame draws points where they are', () => {
    const frame = mapFrame('wgs84');
    const p = { lat: 30.27, lng: 120.15 };
    expect(frame.toMap(p)).toEqual(p);
    expect(mapFrame('gcj02').fromMap(mapFrame('gcj02').toMap(p)).lat).toBeCloseTo(p.lat, 8);
  });
});
