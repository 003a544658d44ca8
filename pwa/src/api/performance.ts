/** 网格员绩效: grid workers' figures over a period (GET /performance/…). */
import { request } from './http';

export interface WorkerPerformance {
  userId: number;
  name: string;
  region: { code: string; name: string } | null;
  handled: number;
  onTime: number;
  onTimeRate: number | null;
  reworked: number;
  reworkRate: number | null;
  rated: number;
  ratingAvg: number | null;
  satisfactionRate: number | null;
  patrolReports: number;
  dutiesDone: number;
  dutiesOverdue: number;
}

export interface Performance {
  period: { kind: string; label: string; from: string; to: string };
  workers: WorkerPerformance[];
  truncated: boolean;
}

/** The grid workers in the caller's scope (supervisors and admins). */
export function workersPerformance(token: string, period: string): Promise<Performance> {
  return request<Performance>('/performance/workers', { token, query: { period } });
}

/** The calling grid worker's own figures. */
export function myPerformance(token: string, period: string): Promise<Performance> {
  return request<Performance>('/performance/mine', { token, query: { period } });
}
