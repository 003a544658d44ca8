/** The resident's calls: device token, categories, photos, reports. */
import { request } from './http';
import type {
  CategoryOut,
  MediaOut,
  NearbyReportOut,
  PublicKeyOut,
  RatingIn,
  ReportCreatedOut,
  ReportIn,
  ReportOut,
  ReportPageOut,
  SubscriptionIn,
  TokenOut,
} from './types';

export function registerDevice(locale: string): Promise<TokenOut> {
  return request<TokenOut>('/auth/device', { json: { locale } });
}

export function listCategories(): Promise<CategoryOut[]> {
  return request<CategoryOut[]>('/categories');
}

export function uploadPhoto(token: string, bytes: ArrayBuffer, type: string, clientKey: string): Promise<MediaOut> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), type === 'image/jpeg' ? 'photo.jpg' : 'photo');
  form.append('clientKey', clientKey);
  return request<MediaOut>('/media', { token, form });
}

export function submitReport(token: string, report: ReportIn): Promise<ReportCreatedOut> {
  return request<ReportCreatedOut>('/reports', { token, json: report });
}

export function listMyReports(token: string, cursor?: string): Promise<ReportPageOut> {
  return request<ReportPageOut>('/me/reports', { token, query: { cursor } });
}

export function getReport(token: string, id: number): Promise<ReportOut> {
  return request<ReportOut>(`/reports/${encodeURIComponent(String(id))}`, { token });
}

export function rateReport(token: string, id: number, rating: RatingIn): Promise<ReportOut> {
  return request<ReportOut>(`/reports/${encodeURIComponent(String(id))}/rating`, { token, json: rating });
}

export function getPushKey(token: string): Promise<PublicKeyOut> {
  return request<PublicKeyOut>('/push/key', { token });
}

export function saveSubscription(token: string, subscription: SubscriptionIn): Promise<unknown> {
  return request<unknown>('/push/subscriptions', { token, json: subscription });
}

export function nearbyReports(token: string, lat: number, lng: number, category: string): Promise<NearbyReportOut[]> {
  return request<NearbyReportOut[]>('/reports/nearby', { token, query: { lat: String(lat), lng: String(lng), category } });
}

/** 关注此事: the resident is told about a report somebody else made, instead of filing it again. */
export function followReport(token: string, id: number): Promise<unknown> {
  return request<unknown>(`/reports/${encodeURIComponent(String(id))}/follow`, { token, method: 'POST' });
}
