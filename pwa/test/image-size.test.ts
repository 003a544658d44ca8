import { describe, expect, it } from 'vitest';
import { fitWithin, formatBytes, MAX_EDGE } from '../src/actions/image-size';

describe('fitWithin', () => {
  it('shrinks the long edge to 1600, keeping the aspect ratio', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3000, 4000)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(4032, 3024)).toEqual({ width: 1600, height: 1200 });
  });
  it('never enlarges a small photo', () => {
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(MAX_EDGE, 10)).toEqual({ width: MAX_EDGE, height: 10 });
  });
  it('keeps at least one pixel of a very thin image', () => {
    expect(fitWithin(16000, 2)).toEqual({ width: 1600, height: 1 });
  });
  it('handles an empty image', () => {
    expect(fitWithin(0, 100)).toEqual({ width: 0, height: 0 });
  });
});

describe('formatBytes', () => {
  it('reads as people expect', () => {
    expect(formatBytes(850)).toBe('850 B');
    expect(formatBytes(312 * 1024)).toBe('312 KB');
    expect(formatBytes(1.44 * 1024 * 1024)).toBe('1.4 MB');
  });
});
