/** One case for staff and the moves on it; every move carries the version last seen (409 if stale). */
import { request } from './http';
import type { CaseOut, ContactOut, MediaOut } from './types';

export type RejectReason = 'duplicate' | 'not_our_remit' | 'insufficient_information' | 'not_a_problem' | 'false_report' | 'other';

function casePath(id: number, move?: string): string {
  return `/cases/${encodeURIComponent(String(id))}${move ? `/${move}` : ''}`;
}

export function getCase(token: string, id: number): Promise<CaseOut> {
  return request<CaseOut>(casePath(id), { token });
}

function move(token: string, id: number, name: string, body: Record<string, unknown>): Promise<CaseOut> {
  return request<CaseOut>(casePath(id, name), { token, json: body });
}

export const accept = (token: string, id: number, version: number) => move(token, id, 'accept', { version });
export const dispatch = (token: string, id: number, version: number) => move(token, id, 'dispatch', { version });
export const returnCase = (token: string, id: number, version: number, note: string) =>
  move(token, id, 'return', { version, note });
export const requestExtension = (token: string, id: number, version: number, minutes: number, reason: string) =>
  move(token, id, 'extension', { version, minutes, reason });
export const verify = (token: string, id: number, version: number, passed: boolean, note: string) =>
  move(token, id, 'verify', { version, passed, note });
export const reject = (token: string, id: number, version: number, reason: RejectReason, note: string) =>
  move(token, id, 'reject', { version, reason, note });
/** 转办: to another region's workers or to a department, by code (exactly one). */
export const transfer = (token: string, id: number, version: number, target: { regionCode?: string; departmentCode?: string }, note: string) =>
  move(token, id, 'transfer', { version, target, note });
export const escalate = (token: string, id: number, version: number, note: string) => move(token, id, 'escalate', { version, note });
/** 合并: this case becomes a duplicate of `masterId`; its reporter follows the master. */
export const merge = (token: string, id: number, version: number, masterId: number, note: string) =>
  move(token, id, 'merge', { version, masterId, note });
export const decideExtension = (token: string, id: number, version: number, approve: boolean, note: string) =>
  move(token, id, 'extension/decision', { version, approve, note });
/** 查看举报人: recorded with its reason in the audit log; refused unless the account may reveal. */
export function reveal(token: string, id: number, reason: string): Promise<ContactOut> {
  return request<ContactOut>(casePath(id, 'reveal'), { token, json: { reason } });
}
export const comment = (token: string, id: number, note: string, isPublic: boolean) =>
  move(token, id, 'comments', { note, public: isPublic });

export interface ResolveBody {
  version: number;
  note: string;
  mediaIds: string[];
  lat?: number;
  lng?: number;
}

export const resolve = (token: string, id: number, body: ResolveBody) => move(token, id, 'resolve', { ...body });

/** An after-photo (purpose=resolution), keyed by the SHA-256 of its bytes so a retry is not a duplicate. */
export function uploadResolutionPhoto(token: string, bytes: ArrayBuffer, type: string, clientKey: string): Promise<MediaOut> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), type === 'image/jpeg' ? 'photo.jpg' : 'photo');
  form.append('clientKey', clientKey);
  form.append('purpose', 'resolution');
  return request<MediaOut>('/media', { token, form });
}
