/** 督导检查 from the phone: file an inspection, read the findings one answers for, move them. */
import { request } from './http';
import type { MediaOut } from './types';

export type Manner = 'open' | 'covert';
export type Plan = 'scheduled' | 'random';
export type Focus = 'special' | 'general';
export type FindingState = 'open' | 'rectifying' | 'reported' | 'rechecked' | 'closed' | 'reopened';
/** The moves the responsible unit makes from the phone: 签收 and 整改反馈. */
export type FindingMove = 'accept' | 'report';

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
  plan: Plan;
  focus: Focus;
  team: string;
  regionCode: string;
  day: string;
  lat?: number;
  lng?: number;
  note?: string;
  mediaIds: string[];
  findings: FindingIn[];
}

export interface Responsible {
  kind: 'region' | 'department';
  id: number;
  code: string;
  name: string;
}

export interface FindingEvent {
  id: number;
  at: string;
  action: string;
  toState: string;
  actorRole: string;
  note?: string;
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
  overdue: boolean;
  responsible: Responsible;
  responsibleUser?: { id: number; name: string } | null;
  photos?: string[];
  evidence?: string[];
  reportedAt?: string | null;
  closedAt?: string | null;
  closedOnTime?: boolean;
  reopened?: number;
  inspectionDay?: string | null;
  events?: FindingEvent[] | null;
}

export interface InspectionOut {
  id: number;
  clientId: string;
  regionCode: string;
  regionName: string;
  team: string;
  day: string;
  findings: FindingOut[];
}

export interface MoveIn {
  clientId: string;
  action: FindingMove;
  note: string;
  mediaIds: string[];
}

/** The signed-in staff member as the API knows them: role and scope. */
export interface StaffMe {
  id: number;
  role: string;
  regionCode?: string | null;
  departmentCode?: string | null;
}

export interface RegionChoice {
  code: string;
  name: string;
  level: string;
}

/** Photos of inspections and of 整改反馈 are evidence, attached to what they prove. */
const PHOTO_PURPOSE = 'evidence';

export function uploadInspectionPhoto(token: string, bytes: ArrayBuffer, type: string, clientKey: string): Promise<MediaOut> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), type === 'image/jpeg' ? 'photo.jpg' : 'photo');
  form.append('clientKey', clientKey);
  form.append('purpose', PHOTO_PURPOSE);
  return request<MediaOut>('/media', { token, form });
}

/** File an inspection; the same clientId again answers with the inspection first filed. */
export function fileInspection(token: string, body: InspectionIn): Promise<InspectionOut> {
  return request<InspectionOut>('/inspections', { token, json: body });
}

/** One page of the findings the caller sees (newest first). */
export function listFindings(token: string, query: { state?: FindingState; cursor?: string } = {}): Promise<{ items: FindingOut[]; next?: string | null }> {
  return request('/findings', { token, query });
}

export function getFinding(token: string, id: number): Promise<FindingOut> {
  return request<FindingOut>(`/findings/${encodeURIComponent(String(id))}`, { token });
}

/** 签收 or 整改反馈; the same clientId again lands once. */
export function moveFinding(token: string, id: number, body: MoveIn): Promise<FindingOut> {
  return request<FindingOut>(`/findings/${encodeURIComponent(String(id))}/moves`, { token, json: body });
}

export function getMe(token: string): Promise<StaffMe> {
  return request<StaffMe>('/me', { token });
}

/** A region with its ancestors, from the district down (GET /regions/{code}). */
export async function regionChain(token: string, code: string): Promise<RegionChoice[]> {
  const got = await request<{ properties?: { code: string; name: string; level: string; ancestors?: RegionChoice[] } }>(`/regions/${encodeURIComponent(code)}`, {
    token,
  });
  const p = got.properties;
  return p ? [...(p.ancestors ?? []), { code: p.code, name: p.name, level: p.level }] : [];
}

/** The region that owns a point, with its ancestors from the district down. */
export async function locatedChain(token: string, lat: number, lng: number): Promise<RegionChoice[]> {
  const got = await request<{ region: RegionChoice; chain: RegionChoice[] }>('/regions/locate', { token, query: { lat: String(lat), lng: String(lng) } });
  const last = got.chain[got.chain.length - 1];
  return last?.code === got.region.code ? got.chain : [...got.chain, got.region];
}

/** Children of a region, or the caller's own root when none is named. */
export function regionChildren(token: string, parent?: string): Promise<RegionChoice[]> {
  return request<RegionChoice[]>('/regions', { token, query: { parent } });
}
