/** Statistics, hotspots and reports for the console (GET /stats/…). */
import { download, request } from './http';
import type { FeatureCollection } from './map';
import type { FlagRef } from './types';

export interface Metrics {
  received: number;
  registered: number;
  refused: number;
  closed: number;
  closeRate: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
  reworkRate: number | null;
  acceptHoursAvg: number | null;
  acceptHoursP90: number | null;
  resolveHoursAvg: number | null;
  resolveHoursP90: number | null;
  overdue: number;
  rated: number;
}

export interface Group {
  code: string;
  name: string;
  metrics: Metrics;
}

export interface Summary {
  region: { code: string; name: string };
  period: { kind: string; label: string; from: string; to: string };
  totals: Metrics;
  byRegion: Group[];
  byCategory: Group[];
  bySource: { resident: Metrics; patrol: Metrics };
}

export interface Hotspot {
  code: string;
  name: string;
  path: string;
  level: 'red' | 'yellow' | 'blue' | 'none';
  count: number;
  previousCount: number;
  trend: number | null;
  flag?: FlagRef | null;
}

export function summary(token: string, period: string, region?: string): Promise<Summary> {
  return request<Summary>('/stats/summary', { token, query: { period, region } });
}

export function hotspots(token: string, sort: 'level' | 'count' | 'trend'): Promise<Hotspot[]> {
  return request<Hotspot[]>('/stats/hotspots', { token, query: { sort } });
}

export function hotspotMap(token: string): Promise<FeatureCollection> {
  return request<FeatureCollection>('/stats/hotspots.geojson', { token });
}

export function downloadReport(token: string, period: string, region?: string): Promise<void> {
  return download('/stats/report.xlsx', token, { period, region }, `gridreport-${period}.xlsx`);
}

export function downloadCases(token: string, query: Record<string, string | undefined>): Promise<void> {
  return download('/cases/export.csv', token, query, 'gridreport-cases.csv');
}
