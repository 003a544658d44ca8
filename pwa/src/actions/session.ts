/** The resident's device token, as the page sees it. */
import { deleteValue } from '../db/kv';
import { ensureResidentToken, TOKEN_KEY } from './outbox-runner';

const RESIDENT_TOKEN = 'gridreport.residentToken';

/** The device token: IndexedDB holds it (the service worker reads it there), localStorage mirrors it. */
export async function residentToken(locale: string): Promise<string> {
  const token = await ensureResidentToken(locale);
  localStorage.setItem(RESIDENT_TOKEN, token);
  return token;
}

/** After the outbox (maybe in the service worker) replaced a refused token. */
export async function forgetResidentToken(): Promise<void> {
  localStorage.removeItem(RESIDENT_TOKEN);
  await deleteValue(TOKEN_KEY);
}
