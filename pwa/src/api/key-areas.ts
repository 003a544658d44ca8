/** 重点地区 at the console: the register, one area, its lifecycle steps, plan, meetings, figures. */
import { download, request, type Query } from './http';
import type { CaseSummaryOut } from './types';

export type AreaState =
  | 'candidate'
  | 'proposed'
  | 'listed'
  | 'flagged'
  | 'accepting'
  | 'lifted'
  | 'extended'
  | 'watching'
  | 'closed'
  | 'relisted'
  | 'dismissed';
export type AreaType =
  | 'urban_village'
  | 'urban_fringe'
  | 'old_estate'
  | 'back_street'
  | 'transport_hub'
  | 'school_surroundings'
  | 'entertainment'
  | 'market'
  | 'other';
export type AreaLevel = 'red' | 'yellow' | 'blue';
export type Tier = 'street' | 'district';

export const AREA_STATES: readonly AreaState[] = [
  'candidate',
  'proposed',
  'listed',
  'flagged',
  'accepting',
  'lifted',
  'extended',
  'watching',
  'closed',
  'relisted',
  'dismissed',
];
export const AREA_TYPES: readonly AreaType[] = [
  'urban_village',
  'urban_fringe',
  'old_estate',
  'back_street',
  'transport_hub',
  'school_surroundings',
  'entertainment',
  'market',
  'other',
];
export const AREA_LEVELS: readonly AreaLevel[] = ['red', 'yellow', 'blue'];

export interface Progress {
  tasks: number;
  done: number;
  overdue: number;
  dutiesOverdue: number;
}

export interface AreaSummary {
  id: number;
  name: string;
  areaType: AreaType;
  state: AreaState;
  level: AreaLevel | null;
  tier: Tier | null;
  regionCode: string;
  regionName: string;
  deadline: string | null;
  overdue: boolean;
  progress: Progress;
  reports30D: number;
  updatedAt: string;
  /** [lat, lng] of the area's middle, WGS-84. */
  centroid?: [number, number] | null;
}

export interface AreaPage {
  items: AreaSummary[];
  next?: string | null;
}

export interface Person {
  id: number;
  name: string;
}

export interface Unit {
  kind: 'region' | 'department';
  code: string;
  name: string;
}

export interface AreaTask {
  id: number;
  kind: 'measure' | 'recheck';
  owner: Person;
  unit: Unit;
  measure: string;
  dueAt: string;
  state: 'open' | 'accepted' | 'done' | 'cancelled';
  overdue: boolean;
  reminded: boolean;
  supervised: boolean;
  doneAt?: string | null;
  late?: boolean;
  photos?: string[];
}

export interface Plan {
  id: number;
  firstResponsible: Person;
  directResponsible: Person;
  lead: Unit;
  cooperating: Unit[];
  goals: string;
  deadline: string;
  createdAt: string;
}

export interface AreaEvent {
  at: string;
  actor: string | null;
  actorRole: string;
  action: string;
  fromState: string | null;
  toState: string;
  reason: string | null;
  photos?: string[];
  detail?: Record<string, unknown>;
}

export interface Area extends AreaSummary {
  problems: string;
  problemCategories: string[];
  source: string;
  geometry: GeoJsonGeometry | null;
  coversRegionCode: string | null;
  coversRegionName?: string | null;
  plan: Plan | null;
  tasks: AreaTask[];
  events: AreaEvent[];
  listedAt?: string | null;
  flaggedAt?: string | null;
  liftedAt?: string | null;
  watchUntil?: string | null;
  mergedInto?: number | null;
}

export interface GeoJsonGeometry {
  type: string;
  coordinates: unknown;
}

export interface UnitIn {
  regionCode?: string;
  departmentCode?: string;
}

export interface AreaIn {
  name: string;
  areaType: AreaType;
  regionCode: string;
  place: { regionCode?: string; geometry?: GeoJsonGeometry };
  problems: string;
  problemCategories?: string[];
  caseIds?: number[];
}

export interface TaskIn {
  ownerId: number;
  unit: UnitIn;
  measure: string;
  dueAt: string;
}

export interface PlanIn {
  firstResponsibleId: number;
  directResponsibleId: number;
  lead: UnitIn;
  cooperating: UnitIn[];
  goals: string;
  deadline: string;
  tasks: TaskIn[];
}

export type TransitionAction = 'propose' | 'dismiss' | 'list' | 'flag';

export interface LevelDay {
  day: string;
  alert: AreaLevel | 'none';
  reports: number;
}

export interface AreaDuty {
  id: number;
  kind: 'joint_sweep' | 'patrols' | 'daily_check';
  periodStart: string;
  periodEnd: string;
  target: number;
  doneAt: string | null;
  units: string;
  findings: string;
  dueAt?: string | null;
  overdue: boolean;
  reminded: boolean;
  supervised: boolean;
}

export interface FigureWindow {
  start: string;
  end: string;
  total: number;
  byCategory: Record<string, number>;
  byHour: number[];
  byWeekday: number[];
}

export interface AreaFigures {
  areaId: number;
  since: string | null;
  before: FigureWindow | null;
  after: FigureWindow | null;
}

export interface Acceptance {
  id: number;
  surveyId: number | null;
  startedAt: string;
  decidedAt?: string | null;
  outcome?: 'passed' | 'failed' | null;
  measure?: { answered: number; satisfied: number; satisfaction: number | null; requiredPercent: number; minAnswers: number } | null;
  shortfall?: { zh: string; en: string }[];
  areaState?: string;
}

export interface Decision {
  areaId: number;
  decision: 'list' | 'flag' | 'dismiss' | 'defer';
  reason: string;
  level?: AreaLevel | null;
}

export interface MeetingIn {
  kind: 'judgement' | 'joint';
  regionCode: string;
  heldOn: string;
  units: string[];
  notes: string;
  decisions: Decision[];
}

export interface Meeting extends MeetingIn {
  id: number;
  regionName: string;
  createdAt: string;
}

const areaPath = (id: number, tail = '') => `/areas/${encodeURIComponent(String(id))}${tail}`;

export function listAreas(token: string, query: Query): Promise<AreaPage> {
  return request<AreaPage>('/areas', { token, query });
}

export function getArea(token: string, id: number): Promise<Area> {
  return request<Area>(areaPath(id), { token });
}

export function createArea(token: string, body: AreaIn): Promise<Area> {
  return request<Area>('/areas', { token, json: body });
}

export function moveArea(token: string, id: number, action: TransitionAction, reason: string, level?: AreaLevel | null): Promise<Area> {
  return request<Area>(areaPath(id, '/transitions'), { token, json: { action, reason, level: level ?? null } });
}

export function putPlan(token: string, id: number, plan: PlanIn): Promise<Area> {
  return request<Area>(areaPath(id, '/plan'), { token, method: 'PUT', json: plan });
}

export function areaCases(token: string, id: number): Promise<{ items: CaseSummaryOut[]; next?: string | null }> {
  return request(areaPath(id, '/cases'), { token });
}

export function areaLevels(token: string, id: number): Promise<LevelDay[]> {
  return request<LevelDay[]>(areaPath(id, '/levels'), { token });
}

export function areaFigures(token: string, id: number): Promise<AreaFigures> {
  return request<AreaFigures>(areaPath(id, '/figures'), { token });
}

export function areaDuties(token: string, id: number): Promise<AreaDuty[]> {
  return request<AreaDuty[]>(areaPath(id, '/duties'), { token });
}

export function areaAcceptance(token: string, id: number): Promise<Acceptance> {
  return request<Acceptance>(areaPath(id, '/acceptance'), { token });
}

export function decideAcceptance(token: string, id: number, note: string): Promise<Acceptance> {
  return request<Acceptance>(areaPath(id, '/acceptance/decision'), { token, json: { note } });
}

export function requestExtension(token: string, id: number, reason: string, newDeadline: string): Promise<unknown> {
  return request(areaPath(id, '/extensions'), { token, json: { reason, newDeadline } });
}

export function decideExtension(token: string, id: number, extensionId: number, approve: boolean, note: string): Promise<unknown> {
  return request(areaPath(id, `/extensions/${encodeURIComponent(String(extensionId))}/decision`), { token, json: { approve, note } });
}

export function confirmRecurrence(token: string, id: number, reason: string): Promise<unknown> {
  return request(areaPath(id, '/recurrence'), { token, json: { reason } });
}

export function acceptanceReport(token: string, id: number): Promise<void> {
  return download(areaPath(id, '/acceptance-report.xlsx'), token, {}, `acceptance-${id}.xlsx`);
}

export function recordMeeting(token: string, body: MeetingIn): Promise<Meeting> {
  return request<Meeting>('/area-meetings', { token, json: body });
}

export function listMeetings(token: string): Promise<Meeting[]> {
  return request<Meeting[]>('/area-meetings', { token });
}

export function meetingProposal(token: string, id: number): Promise<void> {
  return download(`/area-meetings/${encodeURIComponent(String(id))}/proposal.xlsx`, token, {}, `proposal-${id}.xlsx`);
}

/** The shape of the region an area covers (a GeoJSON Feature), to draw it on the area's map. */
export function regionShape(token: string, code: string): Promise<{ geometry: GeoJsonGeometry }> {
  return request<{ geometry: GeoJsonGeometry }>(`/regions/${encodeURIComponent(code)}`, { token });
}

/** Staff who can be named on an area's plan: no phone, no username. */
export interface StaffChoice {
  id: number;
  displayName: string;
  role: string;
  regionName: string | null;
  departmentName: string | null;
  departmentNameEn: string | null;
}

export interface UnitChoices {
  regions: { code: string; name: string; level: string }[];
  departments: { code: string; name: string; nameEn: string }[];
}

/** Where selected cases lie: their street (`regionCode`), the smallest region holding them all. */
export interface CaseProposal {
  regionCode: string;
  regionName: string;
  placeCode: string;
  placeName: string;
  caseIds: number[];
}

export interface LocatedRegion {
  region: { code: string; name: string; level: string };
  chain: { code: string; name: string; level: string }[];
}

export function areaPeople(token: string, id: number, q = ''): Promise<{ items: StaffChoice[] }> {
  return request(areaPath(id, '/people'), { token, query: { q: q.trim() || undefined } });
}

export function areaUnits(token: string, id: number): Promise<UnitChoices> {
  return request<UnitChoices>(areaPath(id, '/units'), { token });
}

export function proposeFromCases(token: string, caseIds: readonly number[]): Promise<CaseProposal> {
  return request<CaseProposal>('/areas/proposal', { token, query: { caseIds: caseIds.map(String) } });
}

/** The region that owns a point, with its ancestors from the district down. */
export function locateRegion(token: string, lat: number, lng: number): Promise<LocatedRegion> {
  return request<LocatedRegion>('/regions/locate', { token, query: { lat: String(lat), lng: String(lng) } });
}
