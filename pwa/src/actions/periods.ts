/** The periods a report speaks of (周/月/季), named as the API names them, for a given day. */

export type PeriodKind = 'week' | 'month' | 'quarter';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(day: Date): { year: number; week: number } {
  const d = new Date(Date.UTC(day.getFullYear(), day.getMonth(), day.getDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return { year: d.getUTCFullYear(), week: Math.ceil(((d.getTime() - yearStart) / 86400000 + 1) / 7) };
}

export function periodLabel(kind: PeriodKind, day: Date): string {
  if (kind === 'week') {
    const { year, week } = isoWeek(day);
    return `${year}-W${pad(week)}`;
  }
  if (kind === 'month') return `${day.getFullYear()}-${pad(day.getMonth() + 1)}`;
  return `${day.getFullYear()}-Q${Math.floor(day.getMonth() / 3) + 1}`;
}

/** A rate 0..1 as a percentage with one decimal, or a dash when there is nothing to divide. */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

export function hours(value: number | null): string {
  return value === null ? '—' : (Math.round(value * 10) / 10).toFixed(1);
}
