/** 季度公开报告: preview a region's quarter, publish it (a new version each time), and the
 * published versions with their printable page and workbook (readable without signing in). */
import { API_BASE, request } from './http';
import type { PublishedSurvey } from './survey-admin';

export type ReportSection = 'reports' | 'areas' | 'survey';
export const REPORT_SECTIONS: readonly ReportSection[] = ['reports', 'areas', 'survey'];

/** This quarter's valid reports and how they went; null where fewer than 5 would be shown. */
export interface ReportFigures {
  valid: number | null;
  closeRate: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
}

export interface CategoryCount {
  code: string;
  name: string;
  nameEn: string;
  count: number;
}

export interface NamedArea {
  id: number;
  name: string;
  areaType: string;
  regionName: string;
  state?: string;
  level?: string | null;
  deadline?: string | null;
  liftedOn?: string;
  progress?: { tasks: number; done: number; overdue: number };
}

/** The figures a report freezes; a section not chosen is absent. */
export interface ReportContents {
  reports?: ReportFigures | null;
  categories?: CategoryCount[] | null;
  flagged?: NamedArea[] | null;
  lifted?: NamedArea[] | null;
  survey?: PublishedSurvey | null;
}

export interface PublicReport {
  id: number | null;
  regionCode: string;
  regionName: string;
  year: number;
  quarter: number;
  version: number | null;
  sections: ReportSection[];
  surveyId: number | null;
  publishedAt: string | null;
  figures: ReportContents;
}

export interface PublicReportRef {
  id: number;
  regionCode?: string;
  regionName: string;
  year: number;
  quarter: number;
  version?: number;
  sections?: ReportSection[];
  publishedAt: string;
}

export interface PublicReportIn {
  regionCode: string;
  year: number;
  quarter: number;
  sections: ReportSection[];
  surveyId?: number;
}

export function previewReport(token: string, body: PublicReportIn): Promise<PublicReport> {
  return request<PublicReport>('/public-reports/preview', {
    token,
    query: {
      region: body.regionCode,
      year: String(body.year),
      quarter: String(body.quarter),
      sections: body.sections.join(','),
      surveyId: body.surveyId === undefined ? undefined : String(body.surveyId),
    },
  });
}

export function publishReport(token: string, body: PublicReportIn): Promise<PublicReport> {
  return request<PublicReport>('/public-reports', { token, json: body });
}

/** The published reports of a region, newest first. */
export function listPublicReports(region: string): Promise<PublicReportRef[]> {
  return request<PublicReportRef[] | { items: PublicReportRef[] }>('/public-reports', { query: { region } }).then((got) => (Array.isArray(got) ? got : got.items));
}

/** The printable page and the workbook of a published report: plain links, no sign-in needed. */
export function reportPageUrl(id: number): string {
  return `${API_BASE}/public-reports/${encodeURIComponent(String(id))}/page`;
}

export function reportWorkbookUrl(id: number): string {
  return `${API_BASE}/public-reports/${encodeURIComponent(String(id))}/workbook`;
}
