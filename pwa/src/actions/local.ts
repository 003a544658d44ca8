/** What the page keeps in localStorage: the staff token and the categories for offline starts. */
import { listCategories } from '../api/resident';
import type { CategoryOut } from '../api/types';
import { deleteValue, setValue } from '../db/kv';
import { STAFF_TOKEN_KEY, STAFF_USER_KEY } from './outbox-runner';

const STAFF_TOKEN = 'gridreport.staffToken';
const STAFF_USER = 'gridreport.staffUser';
const CATEGORIES = 'gridreport.categories';

export function staffToken(): string | null {
  return localStorage.getItem(STAFF_TOKEN);
}

export function setStaffToken(token: string | null): void {
  if (token) localStorage.setItem(STAFF_TOKEN, token);
  else localStorage.removeItem(STAFF_TOKEN);
  // The service worker sends queued patrol reports and cannot read localStorage.
  const mirrored = token ? setValue(STAFF_TOKEN_KEY, token) : deleteValue(STAFF_TOKEN_KEY);
  mirrored.catch((error: unknown) => console.warn('staff token not mirrored for the service worker', error));
}

/** The signed-in staff member's user id: queued moves and patrol reports carry it. */
export function staffUserId(): number | null {
  const id = Number(localStorage.getItem(STAFF_USER) ?? '');
  return Number.isInteger(id) && id > 0 ? id : null;
}

export function setStaffUserId(id: number | null): void {
  if (id === null) localStorage.removeItem(STAFF_USER);
  else localStorage.setItem(STAFF_USER, String(id));
  // The service worker checks a patrol report's author against it before sending.
  const mirrored = id === null ? deleteValue(STAFF_USER_KEY) : setValue(STAFF_USER_KEY, String(id));
  mirrored.catch((error: unknown) => console.warn('staff user not mirrored for the service worker', error));
}

/** Categories cached for offline starts; refreshed from the API when it answers. */
export function cachedCategories(): CategoryOut[] {
  try {
    return JSON.parse(localStorage.getItem(CATEGORIES) ?? '[]') as CategoryOut[];
  } catch {
    return [];
  }
}

export async function freshCategories(): Promise<CategoryOut[]> {
  const list = (await listCategories())
    .filter((c) => c.active)
    .sort((a, b) => a.sortOrder - b.sortOrder);
  localStorage.setItem(CATEGORIES, JSON.stringify(list));
  return list;
}
