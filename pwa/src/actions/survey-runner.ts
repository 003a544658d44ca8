/** Survey answers kept whole in IndexedDB and sent when online, once; shared logic is in survey-queue. */
import { ApiError } from '../api/http';
import { answerSurvey, offeredSurveys, type SurveyOffer } from '../api/surveys';
import { database } from '../db/schema';
import { deleteValue, getValue, setValue } from '../db/kv';
import { lang } from '../i18n';
import { ensureResidentToken } from './outbox-runner';
import { forgetResidentToken } from './session';
import { answerQueue, applyAnswerAttempt, classifyAnswerStatus, type AnswerAttempt, type QueuedAnswer } from './survey-queue';

/** Kept answers live in the key-value store, one entry per survey, under this prefix. */
const PREFIX = 'surveyAnswer:';
/** The offers last fetched, for a phone that starts offline. */
const OFFERS_KEY = 'surveyOffers';
/** A sent answer is shown as sent for a while, then forgotten (the server no longer offers it). */
const KEEP_SENT_MS = 30 * 24 * 3600 * 1000;
const CHANNEL = 'gridreport-surveys';

export interface AnswerStore {
  list(): Promise<QueuedAnswer[]>;
  put(answer: QueuedAnswer): Promise<void>;
}

export interface AnswerApi {
  token(): Promise<string>;
  send(token: string, answer: QueuedAnswer): Promise<void>;
  dropToken(): Promise<void>;
}

/** 'idle': nothing left to send now; 'later': stopped on a network or server error. */
export type AnswerReplay = 'idle' | 'later';

/** Send every waiting answer, oldest first; stop at the first one that must wait. */
export async function replayAnswers(store: AnswerStore, api: AnswerApi, now: () => number = Date.now): Promise<AnswerReplay> {
  for (const queued of answerQueue(await store.list())) {
    let attempt: AnswerAttempt;
    try {
      await api.send(await api.token(), queued);
      attempt = { kind: 'done', at: now() };
    } catch (error) {
      attempt = attemptFromError(error, now());
    }
    const latest = (await store.list()).find((a) => a.surveyId === queued.surveyId) ?? queued;
    await store.put(applyAnswerAttempt(latest, attempt));
    if (attempt.kind === 'reauth') await api.dropToken();
    if (attempt.kind === 'later' || attempt.kind === 'reauth') return 'later';
  }
  return 'idle';
}

export function attemptFromError(error: unknown, at: number): AnswerAttempt {
  if (error instanceof ApiError) {
    const kind = classifyAnswerStatus(error.status, error.code);
    if (kind === 'done') return { kind, at };
    return { kind, message: error.message, messageEn: error.messageEn };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'later', message, messageEn: message };
}

export async function listAnswers(now = Date.now()): Promise<QueuedAnswer[]> {
  const db = await database();
  const range = IDBKeyRange.bound(PREFIX, `${PREFIX}\uffff`);
  // One transaction, so the keys and the values match.
  const tx = db.transaction('kv');
  const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range), tx.done]);
  const kept: QueuedAnswer[] = [];
  for (const [i, key] of keys.entries()) {
    const answer = JSON.parse(values[i] ?? 'null') as QueuedAnswer | null;
    if (answer === null) continue;
    if (answer.state === 'sent' && now - (answer.sentAt ?? now) > KEEP_SENT_MS) await db.delete('kv', key);
    else kept.push(answer);
  }
  return kept.sort((a, b) => a.createdAt - b.createdAt);
}

export async function putAnswer(answer: QueuedAnswer): Promise<void> {
  await setValue(PREFIX + String(answer.surveyId), JSON.stringify(answer));
}

export async function removeAnswer(surveyId: number): Promise<void> {
  await deleteValue(PREFIX + String(surveyId));
  announce();
}

/** Keep a new answer; it is the phone's one answer to that survey. */
export async function keepAnswer(answer: QueuedAnswer): Promise<void> {
  await putAnswer(answer);
  announce();
}

const liveApi: AnswerApi = {
  token: () => ensureResidentToken(lang()),
  async send(token, answer) {
    const where = answer.lat !== undefined && answer.lng !== undefined ? { lat: answer.lat, lng: answer.lng } : {};
    await answerSurvey(token, answer.surveyId, { answers: answer.answers, ...where });
  },
  dropToken: forgetResidentToken,
};

/** Send the waiting answers; with Web Locks one page at a time ('busy' otherwise). */
export async function sendAnswers(): Promise<AnswerReplay | 'busy'> {
  const run = async (): Promise<AnswerReplay> => {
    try {
      return await replayAnswers({ list: () => listAnswers(), put: putAnswer }, liveApi);
    } finally {
      announce();
    }
  };
  if (typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks) {
    return navigator.locks.request('gridreport-surveys', { ifAvailable: true }, (lock) => (lock ? run() : ('busy' as const)));
  }
  return run();
}

/** The surveys offered now (remembered for an offline start); the last known ones when offline. */
export async function fetchOffers(point: { lat: number; lng: number } | null): Promise<SurveyOffer[]> {
  try {
    const offers = await offeredSurveys(await ensureResidentToken(lang()), point);
    await setValue(OFFERS_KEY, JSON.stringify(offers));
    return offers;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const known = await getValue(OFFERS_KEY);
    return known ? (JSON.parse(known) as SurveyOffer[]) : [];
  }
}

function announce(): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage('changed');
  channel.close();
}

/** Call handler when another page of the app changed the kept answers. */
export function listenAnswers(handler: () => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = () => handler();
  return () => channel.close();
}
