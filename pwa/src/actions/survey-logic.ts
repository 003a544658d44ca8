/** Pure pieces of the survey and public-report screens: routes, figures as text, quarters, and
 * the batch entry rows turned into the answers the server takes. */
import type { PublicReportIn } from '../api/public-reports';
import type { Figure, ForumGroup, Indices, StaffChannel } from '../api/survey-admin';
import type { AnswerValue, SurveyQuestion } from '../api/surveys';

export type SurveyRoute = { view: 'surveys' } | { view: 'survey'; id: number } | { view: 'public-reports' };

/** `#/surveys` the list, `#/surveys/{id}` one survey, `#/public-reports` publication; null elsewhere. */
export function surveyRoute(hash: string): SurveyRoute | null {
  if (hash === '#/surveys') return { view: 'surveys' };
  if (hash === '#/public-reports') return { view: 'public-reports' };
  const match = /^#\/surveys\/(\d+)$/.exec(hash);
  return match ? { view: 'survey', id: Number(match[1]) } : null;
}

export function surveyHash(id: number): string {
  return `#/surveys/${id}`;
}

/** One decimal, rounded as the printed report and the workbook round it. */
function one(x: number): string {
  return x.toFixed(1);
}

/** "82.5 [78.1, 86.9]"; a dash when the figure is withheld (fewer than 5 answers) or absent. */
export function figureText(f: Figure | null | undefined): string {
  if (!f || f.value === null) return '—';
  return f.low === null || f.high === null ? one(f.value) : `${one(f.value)} [${one(f.low)}, ${one(f.high)}]`;
}

/** The change of a figure against the previous survey's, or null when either is withheld. */
export function change(now: Figure | null | undefined, before: Figure | null | undefined): number | null {
  if (!now || !before || now.value === null || before.value === null) return null;
  return Math.round((now.value - before.value) * 10) / 10;
}

export function changeText(delta: number | null): string {
  if (delta === null) return '';
  if (delta === 0) return '±0.0';
  return delta > 0 ? `+${delta.toFixed(1)}` : `−${Math.abs(delta).toFixed(1)}`;
}

export const FIGURES = ['safety', 'satisfaction', 'awareness', 'support'] as const;
export type FigureName = (typeof FIGURES)[number];

/** The figures a questionnaire has items for (the server sends null for the others). */
export function figuresPresent(rows: { indices: Indices }[]): FigureName[] {
  return FIGURES.filter((name) => rows.some((r) => r.indices[name] !== null));
}

export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export interface Quarter {
  year: number;
  quarter: number;
}

export function quarterOf(d: Date): Quarter {
  return { year: d.getFullYear(), quarter: Math.floor(d.getMonth() / 3) + 1 };
}

/** The last day of the quarter `d` lies in. */
export function quarterEnd(d: Date): string {
  const q = quarterOf(d);
  return isoDay(new Date(q.year, q.quarter * 3, 0));
}

/** This quarter and the `count - 1` before it, newest first: the quarters one may publish. */
export function startedQuarters(today: Date, count: number): Quarter[] {
  const out: Quarter[] = [];
  let { year, quarter } = quarterOf(today);
  for (let i = 0; i < count; i += 1) {
    out.push({ year, quarter });
    quarter -= 1;
    if (quarter === 0) {
      quarter = 4;
      year -= 1;
    }
  }
  return out;
}

/** The items a batch row asks: the standard ones and any the questionnaire requires (no texts). */
export function entryQuestions(questions: readonly SurveyQuestion[]): SurveyQuestion[] {
  return questions.filter((q) => q.kind !== 'text' && (Boolean(q.standard) || q.required));
}

/** One person's answers as typed: an option key, a scale number as text, or option keys. */
export interface EntryRow {
  group: ForumGroup | '';
  answers: Record<string, string | string[]>;
}

export function blankRow(group: ForumGroup | '' = ''): EntryRow {
  return { group, answers: {} };
}

function filled(value: string | string[] | undefined): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value?.trim());
}

export function isBlankRow(row: EntryRow, questions: readonly SurveyQuestion[]): boolean {
  return questions.every((q) => !filled(row.answers[q.key]));
}

function scaleValue(q: SurveyQuestion, text: string): number | null {
  if (!/^\d{1,2}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  const [low, high] = q.kind === 'scale5' ? [1, 5] : [0, 10];
  return n >= low && n <= high ? n : null;
}

/** Where a row is wrong: `{row}.{key}` (1-based) → what is missing or out of range. */
export type RowProblem = { row: number; key: string; problem: 'missing' | 'range' | 'group' };

/** The rows worth sending (blank ones dropped) as entries, or the problems that stop them. */
export function rowsToEntries(
  channel: StaffChannel,
  rows: readonly EntryRow[],
  questions: readonly SurveyQuestion[],
): { entries: { answers: Record<string, AnswerValue>; group?: ForumGroup }[] } | { problems: RowProblem[] } {
  const entries: { answers: Record<string, AnswerValue>; group?: ForumGroup }[] = [];
  const problems: RowProblem[] = [];
  rows.forEach((row, i) => {
    if (isBlankRow(row, questions)) return;
    const answers: Record<string, AnswerValue> = {};
    for (const q of questions) {
      const raw = row.answers[q.key];
      if (!filled(raw)) {
        if (q.required) problems.push({ row: i + 1, key: q.key, problem: 'missing' });
        continue;
      }
      if (q.kind === 'scale5' || q.kind === 'scale10') {
        const n = scaleValue(q, String(raw));
        if (n === null) problems.push({ row: i + 1, key: q.key, problem: 'range' });
        else answers[q.key] = n;
      } else if (q.kind === 'multiple') {
        answers[q.key] = Array.isArray(raw) ? [...raw] : [String(raw)];
      } else {
        answers[q.key] = String(raw);
      }
    }
    if (channel === 'forum' && !row.group) problems.push({ row: i + 1, key: 'group', problem: 'group' });
    entries.push(channel === 'forum' && row.group ? { answers, group: row.group } : { answers });
  });
  return problems.length ? { problems } : { entries };
}

/**
 * The published survey a region's report offers first: the one of the region itself, else of its
 * nearest ancestor in the known tree (`parentOf`); null when none covers the region.
 */
export function coveringSurvey<S extends { regionCode: string }>(surveys: readonly S[], region: string, parentOf: (code: string) => string | null | undefined): S | null {
  const seen = new Set<string>();
  for (let code: string | null | undefined = region; code && !seen.has(code); code = parentOf(code)) {
    seen.add(code);
    const found = surveys.find((s) => s.regionCode === code);
    if (found) return found;
  }
  return null;
}

/** Whether two report requests ask for the same report: a preview only stands for the form it was asked for. */
export function sameReportAsked(a: PublicReportIn, b: PublicReportIn): boolean {
  return (
    a.regionCode === b.regionCode &&
    a.year === b.year &&
    a.quarter === b.quarter &&
    a.sections.length === b.sections.length &&
    a.sections.every((s, i) => b.sections[i] === s) &&
    (a.surveyId ?? null) === (b.surveyId ?? null)
  );
}
