/** 督导检查 and 考核 at the console: inspections, the findings ledger (问题台账), monthly reports
 * (定期访查), and the assessment's schemes and results. */
import { download, request, type Query } from './http';

export type Manner = 'open' | 'covert';
export type PlanKind = 'scheduled' | 'random';
export type Focus = 'special' | 'general';
export type FindingState = 'open' | 'rectifying' | 'reported' | 'rechecked' | 'closed' | 'reopened';
export type FindingAction = 'accept' | 'report' | 'recheck' | 'close' | 'reopen';

export const MANNERS: readonly Manner[] = ['open', 'covert'];
export const PLAN_KINDS: readonly PlanKind[] = ['scheduled', 'random'];
export const FOCUSES: readonly Focus[] = ['special', 'general'];
export const FINDING_STATES: readonly FindingState[] = ['open', 'rectifying', 'reported', 'rechecked', 'closed', 'reopened'];

export interface FindingIn {
  text: string;
  deadline: string;
  categoryCode?: string;
  responsibleRegionCode?: string;
  responsibleDepartmentId?: number;
  responsibleUserId?: number;
  mediaIds: string[];
}

export interface InspectionIn {
  clientId: string;
  manner: Manner;
  plan: PlanKind;
  focus: Focus;
  team: string;
  regionCode: string;
  day: string;
  departmentId?: number;
  lat?: number;
  lng?: number;
  note?: string;
  mediaIds: string[];
  findings: FindingIn[];
}

export interface ResponsibleOut {
  kind: 'region' | 'department';
  id: number;
  code: string;
  name: string;
}

export interface FindingEventOut {
  id: number;
  at: string;
  action: string;
  toState: string;
  fromState?: string | null;
  actorRole: string;
  actorId?: number | null;
  note?: string;
  deadline?: string | null;
  photos?: string[];
}

export interface FindingOut {
  id: number;
  inspectionId: number;
  seq: number;
  text: string;
  categoryCode?: string | null;
  state: FindingState;
  deadline: string;
  /** The deadline set when the inspection was filed; a reopen moves `deadline` only. */
  firstDeadline?: string | null;
  overdue: boolean;
  responsible: ResponsibleOut;
  responsibleUser?: { id: number; name: string } | null;
  photos?: string[];
  evidence?: string[];
  reportedAt?: string | null;
  closedAt?: string | null;
  closedOnTime: boolean;
  reopened: number;
  inspectionDay?: string | null;
  events?: FindingEventOut[] | null;
}

export interface InspectionOut {
  id: number;
  clientId: string;
  manner: Manner;
  plan: PlanKind;
  focus: Focus;
  team: string;
  regionCode: string;
  regionName: string;
  departmentId?: number | null;
  departmentName?: string | null;
  day: string;
  lat?: number | null;
  lng?: number | null;
  note?: string;
  photos?: string[];
  createdBy: number;
  createdAt: string;
  findings: FindingOut[];
}

export interface Page<T> {
  items: T[];
  next?: string | number | null;
}

export interface UnitFindings {
  kind: 'region' | 'department';
  id: number;
  code: string;
  name: string;
  open: number;
  overdue: number;
  closed: number;
  closedOnTime: number;
}

export interface MoveIn {
  clientId: string;
  action: FindingAction;
  note?: string;
  mediaIds?: string[];
  deadline?: string;
}

const cursorOf = (next: string | number | null | undefined): string | undefined => (next === null || next === undefined ? undefined : String(next));

export function fileInspection(token: string, body: InspectionIn): Promise<InspectionOut> {
  return request<InspectionOut>('/inspections', { token, json: body });
}

export function listInspections(token: string, cursor?: string | number | null): Promise<Page<InspectionOut>> {
  return request<Page<InspectionOut>>('/inspections', { token, query: { cursor: cursorOf(cursor) } });
}

export function getInspection(token: string, id: number): Promise<InspectionOut> {
  return request<InspectionOut>(`/inspections/${encodeURIComponent(String(id))}`, { token });
}

export function listFindings(token: string, query: Query): Promise<Page<FindingOut>> {
  return request<Page<FindingOut>>('/findings', { token, query });
}

export function getFinding(token: string, id: number): Promise<FindingOut> {
  return request<FindingOut>(`/findings/${encodeURIComponent(String(id))}`, { token });
}

export function moveFinding(token: string, id: number, body: MoveIn): Promise<FindingOut> {
  return request<FindingOut>(`/findings/${encodeURIComponent(String(id))}/moves`, { token, json: body });
}

export function findingUnits(token: string, from?: string, to?: string): Promise<UnitFindings[]> {
  return request<UnitFindings[]>('/findings/units', { token, query: { from, to } });
}

/** The ledger as a workbook, with the filters the table shows. */
export function exportFindings(token: string, query: Query, filename: string): Promise<void> {
  return download('/findings/export', token, query, filename);
}

// 定期访查

export type ReportState = 'due' | 'submitted' | 'late' | 'missing';
export const REPORT_STATES: readonly ReportState[] = ['due', 'submitted', 'late', 'missing'];

export interface ReportUnit {
  kind: 'region' | 'department';
  id: number;
  code: string;
  name: string;
}

export interface MonthlyReportOut {
  id: number;
  month: string;
  unit: ReportUnit;
  state: ReportState;
  dueAt: string;
  overdue: boolean;
  reminded?: boolean;
  supervised?: boolean;
  placesVisited?: number | null;
  problemsFound?: number | null;
  zeroReport?: boolean | null;
  note?: string | null;
  submittedBy?: { id: number; name: string } | null;
  submittedAt?: string | null;
}

export interface MonthlyReportIn {
  placesVisited: number;
  problemsFound: number;
  zeroReport: boolean;
  note: string;
}

export interface UnitReportSummary {
  kind: 'region' | 'department';
  id: number;
  code: string;
  name: string;
  owed: number;
  onTime: number;
  late: number;
  missing: number;
}

export function listMonthlyReports(token: string, month?: string, state?: string): Promise<MonthlyReportOut[]> {
  return request<MonthlyReportOut[]>('/monthly-reports', { token, query: { month, state } });
}

export function myMonthlyReports(token: string): Promise<MonthlyReportOut[]> {
  return request<MonthlyReportOut[]>('/monthly-reports/mine', { token });
}

export function submitMonthlyReport(token: string, id: number, body: MonthlyReportIn): Promise<MonthlyReportOut> {
  return request<MonthlyReportOut>(`/monthly-reports/${encodeURIComponent(String(id))}/submit`, { token, json: body });
}

export function monthlySummary(token: string, from: string, to: string): Promise<UnitReportSummary[]> {
  return request<UnitReportSummary[]>('/monthly-reports/summary', { token, query: { from, to } });
}

// 考核

export type Source =
  | 'on_time_rate'
  | 'satisfaction_rate'
  | 'rework_rate'
  | 'safety_index'
  | 'mediation_rate'
  | 'areas_lifted'
  | 'areas_overdue'
  | 'findings_on_time'
  | 'monthly_reports_on_time'
  | 'duties_on_time'
  | 'manual';
export const SOURCES: readonly Source[] = [
  'on_time_rate',
  'satisfaction_rate',
  'rework_rate',
  'safety_index',
  'mediation_rate',
  'areas_lifted',
  'areas_overdue',
  'findings_on_time',
  'monthly_reports_on_time',
  'duties_on_time',
  'manual',
];
export type Direction = 'higher' | 'lower';
export type ResultState = 'draft' | 'posted' | 'final';

export interface Indicator {
  key: string;
  name: string;
  nameEn: string;
  weight: number;
  source: Source;
  target: number | null;
  direction: Direction;
}

export interface SchemeIn {
  year: number;
  regionCode: string;
  name: string;
  indicators: Indicator[];
}

export interface SchemeOut extends SchemeIn {
  id: number;
  regionName: string;
  createdBy: number;
  createdAt: string;
}

/** A unit of a result: a region by code, a department by id. */
export interface ScoreUnit {
  kind: 'region' | 'department';
  code: string | null;
  id: number | null;
  name: string;
}

export interface ScoreItem {
  key: string;
  source: string;
  weight: number;
  points: number;
  value: number | null;
  numerator?: number | null;
  denominator?: number | null;
  noData?: boolean;
  reason?: string | null;
}

export interface ScoreOut {
  unit: ScoreUnit;
  total: number;
  rank: number;
  vetoed: boolean;
  vetoReasons: string[];
  eligible: boolean;
  atBottom: boolean;
  breakdown: ScoreItem[];
}

export interface ObjectionOut {
  id: number;
  unit: ScoreUnit;
  text: string;
  raisedBy: number;
  raisedAt: string;
  answer: string | null;
  answeredBy: number | null;
  answeredAt: string | null;
}

export interface InterviewOut {
  id: number;
  unit: ScoreUnit;
  at: string;
  who: string;
  notes: string;
  recordedBy: number;
  recordedAt: string;
}

export interface ResultSummary {
  id: number;
  schemeId: number;
  schemeName: string;
  year: number;
  regionCode: string;
  regionName: string;
  period: { label: string; from: string; to: string };
  state: ResultState;
  computedAt: string;
  postedAt: string | null;
  objectionUntil: string | null;
  finalAt: string | null;
}

export interface ResultOut extends ResultSummary {
  indicators: Indicator[];
  scores: ScoreOut[];
  objections: ObjectionOut[];
  interviews: InterviewOut[];
}

export interface UnitIn {
  kind: 'region' | 'department';
  code?: string;
  id?: number;
}

const result = (id: number, tail = '') => `/assessment/results/${encodeURIComponent(String(id))}${tail}`;

export function listSchemes(token: string): Promise<SchemeOut[]> {
  return request<SchemeOut[]>('/assessment/schemes', { token });
}

export function createScheme(token: string, body: SchemeIn): Promise<SchemeOut> {
  return request<SchemeOut>('/assessment/schemes', { token, json: body });
}

export function listResults(token: string): Promise<ResultSummary[]> {
  return request<ResultSummary[]>('/assessment/results', { token });
}

/** The posted or final results that score the caller's own unit (a department, a region). */
export function listMyResults(token: string): Promise<ResultSummary[]> {
  return request<ResultSummary[]>('/assessment/results/mine', { token });
}

export function computeResult(token: string, schemeId: number, period: string): Promise<ResultOut> {
  return request<ResultOut>('/assessment/results', { token, json: { schemeId, period } });
}

export function getResult(token: string, id: number): Promise<ResultOut> {
  return request<ResultOut>(result(id), { token });
}

export function setManual(token: string, id: number, body: { unit: UnitIn; key: string; points: number; reason: string }): Promise<ResultOut> {
  return request<ResultOut>(result(id, '/manual'), { token, method: 'PUT', json: body });
}

export function postResult(token: string, id: number, objectionDays: number): Promise<ResultOut> {
  return request<ResultOut>(result(id, '/post'), { token, json: { objectionDays } });
}

export function objectToResult(token: string, id: number, unit: UnitIn, text: string): Promise<ResultOut> {
  return request<ResultOut>(result(id, '/objections'), { token, json: { unit, text } });
}

export function answerObjection(token: string, id: number, objectionId: number, answer: string): Promise<ResultOut> {
  return request<ResultOut>(result(id, `/objections/${encodeURIComponent(String(objectionId))}/answer`), { token, json: { answer } });
}

export function finaliseResult(token: string, id: number): Promise<ResultOut> {
  return request<ResultOut>(result(id, '/final'), { token, method: 'POST' });
}

export function recordInterview(token: string, id: number, body: { unit: UnitIn; at: string; notes: string; who: string }): Promise<ResultOut> {
  return request<ResultOut>(result(id, '/interviews'), { token, json: body });
}

export function setVeto(token: string, body: { regionCode: string; year: number; reason: string }): Promise<unknown> {
  return request<unknown>('/assessment/vetoes', { token, json: body });
}

/** A department an inspection or a finding may name: one of the caller's subtree. */
export interface DepartmentChoiceOut {
  id: number;
  code: string;
  name: string;
  nameEn: string;
  regionName: string;
}

export function inspectionDepartments(token: string): Promise<DepartmentChoiceOut[]> {
  return request<DepartmentChoiceOut[]>('/inspections/departments', { token });
}
