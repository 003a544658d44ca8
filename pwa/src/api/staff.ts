/** Staff calls used by the worker (/w/) and dispatcher (/d/) views. */
import { request } from './http';
import type { CasePageOut, CaseSummaryOut, RegionNodeOut, TokenOut } from './types';

/** The browser keeps the server's known-device cookie: strangers' guesses never lock it out. */
export function login(username: string, password: string): Promise<TokenOut> {
  return request<TokenOut>('/auth/login', { json: { username, password }, knownDevice: true });
}

export function logout(token: string): Promise<unknown> {
  return request<unknown>('/auth/logout', { token, method: 'POST' });
}

export function listMyTasks(token: string): Promise<CaseSummaryOut[]> {
  return request<CaseSummaryOut[]>('/me/tasks', { token });
}

export interface QueueFilter {
  status?: string | string[];
  category?: string;
  region?: string;
  overdue?: boolean;
  q?: string;
}

/** The queue (GET /cases) with the API's filters; `cursor` continues a page. */
export function listCases(token: string, filter: QueueFilter = {}, cursor?: string): Promise<CasePageOut> {
  const query = {
    status: filter.status,
    category: filter.category,
    region: filter.region,
    overdue: filter.overdue ? 'true' : undefined,
    q: filter.q?.trim() || undefined,
    cursor,
  };
  return request<CasePageOut>('/cases', { token, query });
}

export function listRegions(token: string, parent?: string): Promise<RegionNodeOut[]> {
  return request<RegionNodeOut[]>('/regions', { token, query: { parent } });
}
