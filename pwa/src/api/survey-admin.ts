/** Surveys at the console: the list, a questionnaire from the standard template, its steps, the
 * answers staff collected, and the indices by region. */
import { request } from './http';
import type { AnswerValue, SurveyQuestion } from './surveys';

export type SurveyState = 'draft' | 'open' | 'closed' | 'published';
export type SurveyPurpose = 'safety' | 'acceptance';
export type SurveyChannel = 'app' | 'visit' | 'phone' | 'forum';
/** 入户走访, 电话回访, 座谈会: the answers staff take down. */
export type StaffChannel = 'visit' | 'phone' | 'forum';
/** Who spoke at a 座谈会. */
export type ForumGroup = 'resident' | 'informant' | 'victim';
export type Standing = 'meets' | 'below' | 'uncertain';

export const SURVEY_CHANNELS: readonly SurveyChannel[] = ['app', 'visit', 'phone', 'forum'];
export const STAFF_CHANNELS: readonly StaffChannel[] = ['visit', 'phone', 'forum'];
export const FORUM_GROUPS: readonly ForumGroup[] = ['resident', 'informant', 'victim'];
export const SURVEY_STATES: readonly SurveyState[] = ['draft', 'open', 'closed', 'published'];

export interface SurveyListItem {
  id: number;
  purpose: SurveyPurpose;
  state: SurveyState;
  title: string;
  titleEn: string;
  regionCode: string;
  regionName: string;
  placeId: number | null;
  opensOn: string;
  closesOn: string;
  answered: number;
}

export interface SurveyDetail {
  id: number;
  purpose: SurveyPurpose;
  state: SurveyState;
  regionCode: string;
  regionName: string;
  placeId: number | null;
  title: string;
  titleEn: string;
  questions: SurveyQuestion[];
  channels: SurveyChannel[];
  opensOn: string;
  closesOn: string;
  createdAt: string;
  openedAt: string | null;
  closedAt: string | null;
  answered: number;
}

export interface NewSurvey {
  title: string;
  titleEn: string;
  questions: SurveyQuestion[];
  opensOn: string;
  closesOn: string;
  purpose: SurveyPurpose;
  regionCode: string;
  channels: SurveyChannel[];
}

/** One index or rate on 0–100 with its 95 % interval; value, low and high are null below 5 answers. */
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

export interface RegionIndices {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  depth: number;
  indices: Indices;
  previous: Indices | null;
}

export interface SurveyIndices {
  surveyId: number;
  title: string;
  titleEn: string;
  state: SurveyState;
  target: number;
  previousSurveyId: number | null;
  previousTitle: string | null;
  regions: RegionIndices[];
}

/** The figures of the newest published 安全感 survey over a region, as the public reads them. */
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

export interface Entry {
  answers: Record<string, AnswerValue>;
  group?: ForumGroup;
}

export interface EntriesIn {
  channel: StaffChannel;
  entries: Entry[];
  day?: string;
  regionCode?: string;
  /** Made for one batch as sent: the same batch sent again after a lost answer counts once. */
  batchId?: string;
}

export interface EntriesOut {
  surveyId: number;
  entered: number;
}

const surveyPath = (id: number, tail = '') => `/surveys/${encodeURIComponent(String(id))}${tail}`;

export function listSurveys(token: string, query: { state?: SurveyState | ''; purpose?: SurveyPurpose | '' } = {}): Promise<SurveyListItem[]> {
  return request<SurveyListItem[]>('/surveys/', { token, query: { state: query.state || undefined, purpose: query.purpose || undefined } });
}

/** The standard 安全感 questionnaire, to start a new survey from. */
export function standardSafety(token: string): Promise<SurveyQuestion[]> {
  return request<SurveyQuestion[]>('/surveys/standard/safety', { token });
}

export function createSurvey(token: string, body: NewSurvey): Promise<SurveyDetail> {
  return request<SurveyDetail>('/surveys/', { token, json: body });
}

export function getSurvey(token: string, id: number): Promise<SurveyDetail> {
  return request<SurveyDetail>(surveyPath(id), { token });
}

export type SurveyStep = 'open' | 'close' | 'publish';

/** 开始 (draft → open), 结束 (open → closed), 发布 (closed → published). */
export function moveSurvey(token: string, id: number, step: SurveyStep): Promise<unknown> {
  return request<unknown>(surveyPath(id, `/${step}`), { token, method: 'POST' });
}

export function surveyIndices(token: string, id: number): Promise<SurveyIndices> {
  return request<SurveyIndices>(surveyPath(id, '/indices'), { token });
}

export function enterAnswers(token: string, id: number, body: EntriesIn): Promise<EntriesOut> {
  return request<EntriesOut>(surveyPath(id, '/entries'), { token, json: body });
}
