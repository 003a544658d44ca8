/** 治安动态: one request for the figures of the region around a point, or of a region by code. */
import { request } from './http';

export interface RegionRef {
  code: string;
  name: string;
  level: string;
}

/** This quarter's valid reports (立案量) and how they went; rates 0..1, null when too few to publish. */
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

export interface AreaProgress {
  tasks: number;
  done: number;
  overdue: number;
}

/** 挂牌督办: a key area under supervision, by name only. */
export interface FlaggedArea {
  id: number;
  name: string;
  areaType: string;
  level: string | null;
  state: string;
  deadline: string | null;
  regionName: string;
  progress: AreaProgress;
}

/** 摘牌: a key area lifted within the last year. */
export interface LiftedArea {
  id: number;
  name: string;
  areaType: string;
  liftedOn: string;
  regionName: string;
}

export interface PublicReportRef {
  id: number;
  year: number;
  quarter: number;
  version: number;
  regionCode: string;
  regionName: string;
  sections: string[];
  publishedAt: string;
}

export type Standing = 'meets' | 'below' | 'uncertain';

/** An index or rate on 0–100 with its 95 % interval; all null when the sample is too small. */
export interface Figure {
  n: number | null;
  value: number | null;
  low: number | null;
  high: number | null;
  standing: Standing | null;
}

export interface Indices {
  answered: number | null;
  safety: Figure | null;
  satisfaction: Figure | null;
  awareness: Figure | null;
  support: Figure | null;
}

export interface PublishedSurvey {
  surveyId: number;
  title: string;
  titleEn: string;
  publishedAt: string;
  opensOn: string;
  closesOn: string;
  regionCode: string;
  regionName: string;
  target: number;
  indices: Indices;
  previous: Indices | null;
}

export interface AreaPage {
  region: RegionRef;
  parent: RegionRef | null;
  periodLabel: string;
  firstDay: string;
  lastDay: string;
  asOf: string;
  reports: ReportFigures;
  categories: CategoryCount[];
  flagged: FlaggedArea[];
  lifted: LiftedArea[];
  survey: PublishedSurvey | null;
  report: PublicReportRef | null;
}

/** Where the page is about: the resident's position, or a region they chose. */
export type AreaPlace = { lat: number; lng: number } | { region: string };

export function areaQuery(place: AreaPlace): Record<string, string> {
  return 'region' in place ? { region: place.region } : { lat: place.lat.toFixed(6), lng: place.lng.toFixed(6) };
}

/**
 * Always asks the server, with the ETag of the copy the browser holds: an unchanged page costs a
 * 304, and a held copy is never passed off as fresh (offline the phone's kept page is shown instead).
 */
export function getAreaPage(token: string | null, place: AreaPlace): Promise<AreaPage> {
  return request<AreaPage>('/area-page', { token, query: areaQuery(place), cache: 'no-cache' });
}

/** The printable page of a published quarterly report (Chinese with the English beneath). */
export function publicReportPageUrl(id: number): string {
  return `/api/v1/public-reports/${encodeURIComponent(String(id))}/page`;
}
