/** Staff calls used by the worker (/w/) and dispatcher (/d/) views. */
import { request } from './http';
import type { CasePageOut, CaseSummaryOut, TokenOut } from './types';

export function login(username: string, password: string): Promise<TokenOut> {
  return request<TokenOut>('/auth/login', { json: { username, password } });
}

export function logout(token: string): Promise<unknown> {
  return request<unknown>('/auth/logout', { token, method: 'POST' });
}

export function listMyTasks(token: string): Promise<CaseSummaryOut[]> {
  return request<CaseSummaryOut[]>('/me/tasks', { token });
}

export function listCases(token: string, status?: string, cursor?: string): Promise<CasePageOut> {
  return request<CasePageOut>('/cases', { token, query: { status, cursor } });
}
