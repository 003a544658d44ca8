/** 督导检查 and 考核 screens' pure logic: routes, the ledger's query, the moves a finding offers,
 * the desk's inspection form turned into the API's body, the monthly report's rules, and the
 * assessment's figures as text. The server decides; these only shape what is offered. */
import type { Query } from '../api/http';
import type { FindingAction, FindingIn, FindingState, Focus, InspectionIn, Manner, MonthlyReportIn, PlanKind, ScoreItem, ScoreOut, UnitIn } from '../api/oversight';

export type OversightRoute =
  | { view: 'inspections' }
  | { view: 'inspection'; id: number }
  | { view: 'findings' }
  | { view: 'finding'; id: number }
  | { view: 'monthly-reports' }
  | { view: 'assessment' }
  | { view: 'result'; id: number };

const ONE: readonly [RegExp, 'inspection' | 'finding' | 'result'][] = [
  [/^#\/inspections\/(\d+)$/, 'inspection'],
  [/^#\/findings\/(\d+)$/, 'finding'],
  [/^#\/assessment\/(\d+)$/, 'result'],
];

/** `#/inspections`, `#/findings`, `#/monthly-reports`, `#/assessment` and one of each; null elsewhere. */
export function oversightRoute(hash: string): OversightRoute | null {
  if (hash === '#/inspections') return { view: 'inspections' };
  if (hash === '#/findings' || hash.startsWith('#/findings?')) return { view: 'findings' };
  if (hash === '#/monthly-reports') return { view: 'monthly-reports' };
  if (hash === '#/assessment') return { view: 'assessment' };
  for (const [pattern, view] of ONE) {
    const match = pattern.exec(hash);
    if (match) return { view, id: Number(match[1]) };
  }
  return null;
}

/** The console tab a route belongs to. */
export function oversightTab(route: OversightRoute): 'inspections' | 'findings' | 'monthly-reports' | 'assessment' {
  if (route.view === 'inspection') return 'inspections';
  if (route.view === 'finding') return 'findings';
  if (route.view === 'result') return 'assessment';
  return route.view;
}

export const inspectionHash = (id: number): string => `#/inspections/${id}`;
export const findingHash = (id: number): string => `#/findings/${id}`;
export const resultHash = (id: number): string => `#/assessment/${id}`;

export interface LedgerFilter {
  state: FindingState | '';
  overdue: boolean;
  region: string;
  departmentId: string;
  inspectionId: string;
}

export const NO_LEDGER_FILTER: LedgerFilter = { state: '', overdue: false, region: '', departmentId: '', inspectionId: '' };

/** The ledger's query (also the export's): only what is chosen, well-formed, and the page's cursor. */
export function ledgerQuery(filter: LedgerFilter, cursor?: string | null): Query {
  const query: Query = {};
  if (filter.state) query.state = filter.state;
  if (filter.overdue) query.overdue = 'true';
  if (/^\d{6,}$/.test(filter.region.trim())) query.region = filter.region.trim();
  if (/^\d+$/.test(filter.departmentId.trim())) query.departmentId = filter.departmentId.trim();
  if (/^\d+$/.test(filter.inspectionId.trim())) query.inspectionId = filter.inspectionId.trim();
  if (cursor) query.cursor = cursor;
  return query;
}

const MOVES: Record<FindingState, FindingAction[]> = {
  open: ['accept'],
  reopened: ['accept'],
  rectifying: ['report'],
  reported: ['recheck'],
  rechecked: ['close', 'reopen'],
  closed: [],
};

/** The moves a finding's state leaves open (签收, 整改反馈, 复查, 销号, reopen); who may take them
 * the server decides. */
export function movesFor(state: FindingState): FindingAction[] {
  return MOVES[state] ?? [];
}

export type MoveProblem = 'noteRequired' | 'photosRequired' | 'deadlineRequired';

/** What a move lacks before it is sent: a report evidence photos and a note, a recheck a note,
 * a reopen a reason and a later deadline. */
export function moveProblem(action: FindingAction, note: string, photos: number, deadline: string, now: Date): MoveProblem | null {
  if (['report', 'recheck', 'reopen'].includes(action) && !note.trim()) return 'noteRequired';
  if (action === 'report' && photos === 0) return 'photosRequired';
  if (action === 'reopen') {
    const at = Date.parse(deadline);
    if (!deadline || Number.isNaN(at) || at <= now.getTime()) return 'deadlineRequired';
  }
  return null;
}

/** One finding row as typed at the desk: the unit is a region code or a department's id. */
export interface FindingRow {
  text: string;
  unit: string;
  deadline: string;
  category: string;
}

export function blankFinding(deadline = ''): FindingRow {
  return { text: '', unit: '', deadline, category: '' };
}

export function isBlankFinding(row: FindingRow): boolean {
  return !row.text.trim() && !row.unit.trim() && !row.category.trim();
}

export type FindingProblem = { row: number; field: 'text' | 'unit' | 'deadline'; problem: 'missing' | 'past' };

/** A `datetime-local` value as an instant with its offset (the server wants a zone). */
export function localToIso(local: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(local)) return null;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/** A `datetime-local` value `days` from now, at 18:00 local: a sensible default deadline. */
export function defaultDeadline(now: Date, days: number): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, 18, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A unit typed in a row: digits of six or more are a region code, a short number a department id. */
export function unitOf(text: string): Pick<FindingIn, 'responsibleRegionCode' | 'responsibleDepartmentId'> | null {
  const value = text.trim();
  if (/^\d{6,}$/.test(value)) return { responsibleRegionCode: value };
  const dept = /^(?:d|dept|部门)?\s*[:#：]?\s*(\d{1,5})$/i.exec(value);
  return dept ? { responsibleDepartmentId: Number(dept[1]) } : null;
}

/** The rows worth sending (blank ones dropped) as findings, or what stops them (1-based rows). */
export function rowsToFindings(rows: readonly FindingRow[], now: Date): { findings: FindingIn[] } | { problems: FindingProblem[] } {
  const findings: FindingIn[] = [];
  const problems: FindingProblem[] = [];
  rows.forEach((row, i) => {
    if (isBlankFinding(row)) return;
    const n = i + 1;
    if (!row.text.trim()) problems.push({ row: n, field: 'text', problem: 'missing' });
    const unit = unitOf(row.unit);
    if (!unit) problems.push({ row: n, field: 'unit', problem: 'missing' });
    const deadline = localToIso(row.deadline);
    if (!deadline) problems.push({ row: n, field: 'deadline', problem: 'missing' });
    else if (Date.parse(deadline) <= now.getTime()) problems.push({ row: n, field: 'deadline', problem: 'past' });
    if (!unit || !deadline) return;
    findings.push({ text: row.text.trim(), deadline, ...unit, ...(row.category.trim() ? { categoryCode: row.category.trim() } : {}), mediaIds: [] });
  });
  if (!problems.length && !findings.length) problems.push({ row: 1, field: 'text', problem: 'missing' });
  return problems.length ? { problems } : { findings };
}

export interface InspectionDraft {
  manner: Manner;
  plan: PlanKind;
  focus: Focus;
  team: string;
  regionCode: string;
  departmentId: string;
  day: string;
  note: string;
}

/** The inspection as the API takes it, its findings already checked. */
export function inspectionBody(clientId: string, draft: InspectionDraft, findings: FindingIn[], mediaIds: string[] = []): InspectionIn {
  const dept = draft.departmentId.trim();
  return {
    clientId,
    manner: draft.manner,
    plan: draft.plan,
    focus: draft.focus,
    team: draft.team.trim(),
    regionCode: draft.regionCode.trim(),
    day: draft.day,
    ...(/^\d+$/.test(dept) ? { departmentId: Number(dept) } : {}),
    ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
    mediaIds,
    findings,
  };
}

// 定期访查

/** "2026-11" of a date, in local time. */
export function monthOf(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** The month before "2026-01" is "2025-12". */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const index = y! * 12 + (m! - 1) - 1;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The month whose report is owed now (the month just ended) and the `count - 1` before it. */
export function recentMonths(today: Date, count: number): string[] {
  const out = [previousMonth(monthOf(today))];
  while (out.length < count) out.push(previousMonth(out[out.length - 1]!));
  return out;
}

/** The last day a report may be filed on time: its due time is the end of that day (city
 * time), so the day of the instant just before it. */
export function dueDay(iso: string): string {
  const at = new Date(Date.parse(iso) - 1);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;
}

export type ReportProblem = 'places' | 'problems' | 'zeroWithProblems' | 'nothingFound';

/** A report as typed, or what is wrong: counts are whole numbers ≥ 0; a 零报告 carries no
 * problems, and a report that found none must be filed as one. */
export function reportBody(places: string, problems: string, zero: boolean, note: string): MonthlyReportIn | { problem: ReportProblem } {
  const whole = (s: string) => (/^\d{1,7}$/.test(s.trim()) ? Number(s.trim()) : null);
  const placesVisited = whole(places);
  if (placesVisited === null) return { problem: 'places' };
  const problemsFound = zero && !problems.trim() ? 0 : whole(problems);
  if (problemsFound === null) return { problem: 'problems' };
  if (zero && problemsFound !== 0) return { problem: 'zeroWithProblems' };
  if (!zero && problemsFound === 0) return { problem: 'nothingFound' };
  return { placesVisited, problemsFound, zeroReport: zero, note: note.trim() };
}

// 考核

/** Points with at most two decimals, without trailing zeros: 12.5, 8, 3.33. */
export function pointsText(n: number): string {
  return String(Math.round(n * 100) / 100);
}

const RATES = new Set(['on_time_rate', 'satisfaction_rate', 'rework_rate', 'mediation_rate', 'findings_on_time', 'monthly_reports_on_time', 'duties_on_time']);

/** An item's measured value as the desk reads it: a rate as a percentage with what it divides,
 * the index with one decimal, a count as it is; "no data" is not a zero. */
export function itemValueText(item: ScoreItem, noData: string): string {
  if (item.noData || item.value === null) return noData;
  if (item.source === 'manual') return pointsText(item.value);
  if (RATES.has(item.source)) {
    const pct = `${(Math.round(item.value * 1000) / 10).toFixed(1)}%`;
    return item.numerator !== null && item.numerator !== undefined && item.denominator ? `${pct} (${item.numerator}/${item.denominator})` : pct;
  }
  if (item.source === 'safety_index') return item.value.toFixed(1);
  return pointsText(item.value);
}

/** The key a unit is known by in the page: "region:330106" or "department:3". */
export function unitKey(unit: { kind: string; code?: string | null; id?: number | null }): string {
  return unit.kind === 'region' ? `region:${unit.code ?? ''}` : `department:${unit.id ?? ''}`;
}

/** A unit as the API takes it back. */
export function unitIn(unit: { kind: 'region' | 'department'; code?: string | null; id?: number | null }): UnitIn {
  return unit.kind === 'region' ? { kind: 'region', code: unit.code ?? '' } : { kind: 'department', id: unit.id ?? 0 };
}

/** Regions first, then departments, each by rank (a vetoed unit already ranks last). */
export function rankedScores(scores: readonly ScoreOut[]): ScoreOut[] {
  const kind = (s: ScoreOut) => (s.unit.kind === 'region' ? 0 : 1);
  return [...scores].sort((a, b) => kind(a) - kind(b) || a.rank - b.rank || a.unit.name.localeCompare(b.unit.name));
}

/** A manual item's points typed at the desk: a number within 0..weight, or null. */
export function manualPoints(text: string, weight: number): number | null {
  if (!/^\d+(\.\d+)?$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= 0 && n <= weight ? n : null;
}
