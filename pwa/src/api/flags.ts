/** 挂牌督办: flag a region, list the flags in force, lift one (摘牌). */
import { request } from './http';
import type { FlagRef, UserOut } from './types';

export interface ExitBar {
  met: boolean;
  rated: number;
  satisfied: number;
  satisfaction: number | null;
  requiredSatisfaction: number;
  minRated: number;
  level: string;
  worstAllowedLevel: string;
  unmet: string[];
}

export interface Flag extends FlagRef {
  active: boolean;
  overdue: boolean;
  liftedAt?: string | null;
  liftReason?: string | null;
  liftPath?: string | null;
  exitBar?: ExitBar | null;
}

export function me(token: string): Promise<UserOut> {
  return request<UserOut>('/me', { token });
}

/** The flags in force, each with its exit bar measured now (only the single read carries it). */
export async function activeFlags(token: string): Promise<Flag[]> {
  const listed = await request<Flag[]>('/flags', { token, query: { state: 'active' } });
  return Promise.all(listed.map((f) => request<Flag>(`/flags/${encodeURIComponent(String(f.id))}`, { token })));
}

export function flagRegion(token: string, code: string, reason: string, deadline: string): Promise<Flag> {
  return request<Flag>(`/regions/${encodeURIComponent(code)}/flags`, { token, json: { reason, deadline } });
}

export function liftFlag(token: string, id: number, reason: string, override: boolean): Promise<Flag> {
  return request<Flag>(`/flags/${encodeURIComponent(String(id))}/lift`, { token, json: { reason, override } });
}
