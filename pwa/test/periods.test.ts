import { describe, expect, it } from 'vitest';
import { hours, isoWeek, percent, periodLabel } from '../src/actions/periods';

describe('periods', () => {
  it('names ISO weeks, months and quarters as the API does', () => {
    const day = new Date(2026, 10, 22); // Sunday 22 November 2026
    expect(periodLabel('week', day)).toBe('2026-W47');
    expect(periodLabel('month', day)).toBe('2026-11');
    expect(periodLabel('quarter', day)).toBe('2026-Q4');
  });

  it('puts the turn of the year in the right ISO year', () => {
    expect(isoWeek(new Date(2027, 0, 1))).toEqual({ year: 2026, week: 53 });
    expect(isoWeek(new Date(2024, 11, 30))).toEqual({ year: 2025, week: 1 });
  });

  it('formats rates and hours, with a dash for nothing', () => {
    expect(percent(0.9234)).toBe('92.3%');
    expect(percent(null)).toBe('—');
    expect(hours(1.26)).toBe('1.3');
  });
});
