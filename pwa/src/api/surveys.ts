/** The resident's survey calls: the questionnaires offered to this device, and answering one. */
import { request } from './http';

export type QuestionKind = 'single' | 'multiple' | 'scale5' | 'scale10' | 'text';

export interface SurveyOption {
  key: string;
  zh: string;
  en: string;
}

export interface SurveyQuestion {
  key: string;
  kind: QuestionKind;
  zh: string;
  en: string;
  options: SurveyOption[];
  standard?: string | null;
  required: boolean;
}

/** An open survey whose scope holds one of this device's reports or where it stands. */
export interface SurveyOffer {
  id: number;
  purpose: string;
  title: string;
  titleEn: string;
  closesOn: string;
  questions: SurveyQuestion[];
}

/** One answer: an option key (single), option keys (multiple), a number (scale) or a text. */
export type AnswerValue = string | number | string[];

export interface SurveyAnswerIn {
  answers: Record<string, AnswerValue>;
  lat?: number;
  lng?: number;
}

export interface SurveyAnswerOut {
  surveyId: number;
  day: string;
}

export function offeredSurveys(token: string, point: { lat: number; lng: number } | null): Promise<SurveyOffer[]> {
  const query = point ? { lat: String(point.lat), lng: String(point.lng) } : undefined;
  return request<SurveyOffer[]>('/surveys/offered', { token, query });
}

export function answerSurvey(token: string, surveyId: number, body: SurveyAnswerIn): Promise<SurveyAnswerOut> {
  return request<SurveyAnswerOut>(`/surveys/${encodeURIComponent(String(surveyId))}/answers`, { token, json: body });
}
