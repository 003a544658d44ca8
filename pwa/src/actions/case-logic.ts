/** Pure rules behind the staff case view: which buttons, what a move needs, links to the map app. */
import { ApiError } from '../api/http';
import type { RejectReason } from '../api/cases';

export const REJECT_REASONS: readonly RejectReason[] = [
  'duplicate',
  'not_our_remit',
  'insufficient_information',
  'not_a_problem',
  'false_report',
  'other',
];

/** Open the phone's map app at the spot: AMap's web marker (works everywhere) and a geo: URI. */
export function mapLinks(lat: number, lng: number): { amap: string; geo: string } {
  const la = String(lat);
  const ln = String(lng);
  return {
    amap: `https://uri.amap.com/marker?position=${ln},${la}`,
    geo: `geo:${la},${ln}`,
  };
}

/** A move answered 409: someone else changed the case (or its state moved on); reload it. */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

export function can(allowed: readonly string[], action: string): boolean {
  return allowed.includes(action);
}

export type ResolveProblem = 'resolve.needPhoto' | 'resolve.needNote' | null;

/** The server wants at least one after-photo and a note of 2–500 characters. */
export function resolveProblem(photoCount: number, note: string): ResolveProblem {
  if (photoCount < 1) return 'resolve.needPhoto';
  const length = note.trim().length;
  if (length < 2 || length > 500) return 'resolve.needNote';
  return null;
}

/** A reason of 2–500 characters (return, extension). */
export function reasonOk(reason: string): boolean {
  const length = reason.trim().length;
  return length >= 2 && length <= 500;
}

/** Hours typed by the worker as whole minutes for POST …/extension (1 … 129600), or null. */
export function extensionMinutes(hours: string): number | null {
  const value = Number(hours);
  if (!Number.isFinite(value) || value <= 0) return null;
  const minutes = Math.round(value * 60);
  return minutes >= 1 && minutes <= 129600 ? minutes : null;
}

/** `#/c/{id}` opens one case in the staff views; anything else is the list. */
export function caseIdFromHash(hash: string): number | null {
  const match = /^#\/c\/(\d+)$/.exec(hash);
  return match ? Number(match[1]) : null;
}

export function caseHash(id: number): string {
  return `#/c/${id}`;
}

export type StaffRoute = { view: 'case'; id: number } | { view: 'map' } | { view: 'stats' } | { view: 'patrol' } | { view: 'list' };

/** The staff views' pages: `#/c/{id}`, `#/map`, `#/stats`, `#/patrol`; anything else is the list. */
export function staffRoute(hash: string): StaffRoute {
  const id = caseIdFromHash(hash);
  if (id !== null) return { view: 'case', id };
  if (hash === '#/map') return { view: 'map' };
  if (hash === '#/stats') return { view: 'stats' };
  if (hash === '#/patrol') return { view: 'patrol' };
  return { view: 'list' };
}
