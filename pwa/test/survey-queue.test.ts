import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/http';
import type { SurveyOffer, SurveyQuestion } from '../src/api/surveys';
import {
  answerQueue,
  answerStatus,
  answersToSend,
  applyAnswerAttempt,
  classifyAnswerStatus,
  missingAnswers,
  offersToShow,
  toggleOption,
  type QueuedAnswer,
} from '../src/actions/survey-queue';
import { replayAnswers, type AnswerApi, type AnswerStore } from '../src/actions/survey-runner';

const SATISFACTION: SurveyQuestion = {
  key: 'satisfaction',
  kind: 'single',
  zh: '满意吗？',
  en: 'Satisfied?',
  required: true,
  options: [
    { key: 'satisfied', zh: '满意', en: 'Satisfied' },
    { key: 'dissatisfied', zh: '不满意', en: 'Dissatisfied' },
  ],
};
const WORRIES: SurveyQuestion = {
  key: 'worries',
  kind: 'multiple',
  zh: '担心什么？',
  en: 'Worries?',
  required: false,
  options: [
    { key: 'theft', zh: '盗窃', en: 'Theft' },
    { key: 'fraud', zh: '诈骗', en: 'Fraud' },
    { key: 'fights', zh: '打架', en: 'Fights' },
  ],
};
const SAFETY: SurveyQuestion = { key: 'safety', kind: 'scale5', zh: '安全吗？', en: 'Safe?', required: true, options: [] };
const LIKELY: SurveyQuestion = { key: 'likely', kind: 'scale10', zh: '推荐吗？', en: 'Recommend?', required: false, options: [] };
const NOTE: SurveyQuestion = { key: 'note', kind: 'text', zh: '意见', en: 'Remarks', required: false, options: [] };
const QUESTIONS = [SATISFACTION, WORRIES, SAFETY, LIKELY, NOTE];

function kept(surveyId: number, extra: Partial<QueuedAnswer> = {}): QueuedAnswer {
  return {
    surveyId,
    title: '问卷',
    titleEn: 'Survey',
    answers: { satisfaction: 'satisfied', safety: 4 },
    createdAt: 1000 + surveyId,
    state: 'pending',
    attempts: 0,
    ...extra,
  };
}

function offer(id: number): SurveyOffer {
  return { id, purpose: 'safety', title: '问卷', titleEn: 'Survey', closesOn: '2026-12-31', questions: QUESTIONS };
}

describe('classifyAnswerStatus', () => {
  it.each([
    [201, '', 'done'],
    [409, 'surveys.already_answered', 'done'],
    [409, 'surveys.not_taking_answers', 'rejected'],
    [404, 'surveys.unknown', 'rejected'],
    [422, 'surveys.bad_answers', 'rejected'],
    [401, '', 'reauth'],
    [429, 'surveys.rate_limited', 'later'],
    [500, '', 'later'],
    [0, '', 'later'],
  ])('%i %s → %s', (status, code, kind) => {
    expect(classifyAnswerStatus(status, code)).toBe(kind);
  });
});

describe('applyAnswerAttempt', () => {
  it('keeps a refused answer with the bilingual reason', () => {
    const after = applyAnswerAttempt(kept(1), { kind: 'rejected', message: '问卷不存在', messageEn: 'No such survey' });
    expect(after).toMatchObject({ state: 'failed', error: '问卷不存在', errorEn: 'No such survey', attempts: 1 });
    expect(after.answers).toEqual(kept(1).answers);
  });
  it('leaves a sent answer sent whatever a later attempt says', () => {
    const sent = kept(1, { state: 'sent', sentAt: 5 });
    expect(applyAnswerAttempt(sent, { kind: 'rejected', message: 'x', messageEn: 'x' })).toBe(sent);
  });
  it('keeps an answer waiting on a network error', () => {
    expect(applyAnswerAttempt(kept(1), { kind: 'later', message: 'offline', messageEn: 'offline' }).state).toBe('pending');
  });
});

describe('the queue and the offers', () => {
  it('sends waiting answers oldest first', () => {
    const list = [kept(3), kept(1, { state: 'sent' }), kept(2), kept(4, { state: 'failed' })];
    expect(answerQueue(list).map((a) => a.surveyId)).toEqual([2, 3]);
  });
  it('no longer offers a survey answered on this phone, sent or not', () => {
    expect(offersToShow([offer(1), offer(2), offer(3)], [kept(1), kept(3, { state: 'sent' })]).map((o) => o.id)).toEqual([2]);
  });
  it('says waiting offline, waiting online, sent, refused', () => {
    expect(answerStatus(kept(1), false)).toBe('offline');
    expect(answerStatus(kept(1), true)).toBe('pending');
    expect(answerStatus(kept(1, { state: 'sent' }), false)).toBe('sent');
    expect(answerStatus(kept(1, { state: 'failed' }), true)).toBe('failed');
  });
});

describe('the questionnaire', () => {
  it('names the required items still unanswered', () => {
    expect(missingAnswers(QUESTIONS, {})).toEqual(['satisfaction', 'safety']);
    expect(missingAnswers(QUESTIONS, { satisfaction: 'nope', safety: 6 })).toEqual(['satisfaction', 'safety']);
    expect(missingAnswers(QUESTIONS, { satisfaction: 'satisfied', safety: 1 })).toEqual([]);
  });
  it('sends only answered items, texts trimmed', () => {
    const answers = { satisfaction: 'satisfied', worries: [], safety: 5, likely: 0, note: '  路灯不亮 ', other: 'x' };
    expect(answersToSend(QUESTIONS, answers)).toEqual({ satisfaction: 'satisfied', safety: 5, likely: 0, note: '路灯不亮' });
    expect(answersToSend(QUESTIONS, { satisfaction: 'satisfied', safety: 3, note: '   ' })).toEqual({ satisfaction: 'satisfied', safety: 3 });
  });
  it('toggles a multiple choice in option order', () => {
    const once = toggleOption(WORRIES, undefined, 'fights');
    const twice = toggleOption(WORRIES, once, 'theft');
    expect(twice).toEqual(['theft', 'fights']);
    expect(toggleOption(WORRIES, twice, 'fights')).toEqual(['theft']);
  });
});

function memoryStore(initial: QueuedAnswer[]): AnswerStore & { items: Map<number, QueuedAnswer> } {
  const items = new Map(initial.map((a) => [a.surveyId, a]));
  return {
    items,
    list: () => Promise.resolve([...items.values()]),
    put: (a) => {
      items.set(a.surveyId, a);
      return Promise.resolve();
    },
  };
}

function api(outcomes: Record<number, unknown>): AnswerApi & { sent: number[]; dropped: number } {
  const result = {
    sent: [] as number[],
    dropped: 0,
    token: () => Promise.resolve('token'),
    send(_token: string, answer: QueuedAnswer) {
      result.sent.push(answer.surveyId);
      const outcome = outcomes[answer.surveyId];
      return outcome === undefined ? Promise.resolve() : Promise.reject(outcome);
    },
    dropToken() {
      result.dropped += 1;
      return Promise.resolve();
    },
  };
  return result;
}

describe('replayAnswers', () => {
  it('sends each waiting answer once and marks it sent', async () => {
    const store = memoryStore([kept(1), kept(2, { state: 'sent', sentAt: 1 })]);
    const calls = api({});
    expect(await replayAnswers(store, calls, () => 42)).toBe('idle');
    expect(calls.sent).toEqual([1]);
    expect(store.items.get(1)).toMatchObject({ state: 'sent', sentAt: 42 });
    expect(await replayAnswers(store, calls, () => 43)).toBe('idle');
    expect(calls.sent).toEqual([1]);
  });
  it('counts "already answered" as sent', async () => {
    const store = memoryStore([kept(1)]);
    const conflict = new ApiError(409, 'surveys.already_answered', '您已参加过这次问卷调查', 'You have already answered');
    await replayAnswers(store, api({ 1: conflict }), () => 7);
    expect(store.items.get(1)).toMatchObject({ state: 'sent', sentAt: 7 });
  });
  it('keeps a refused answer with its message and goes on to the next', async () => {
    const store = memoryStore([kept(1), kept(2)]);
    const gone = new ApiError(404, 'surveys.unknown', '没有这份问卷', 'No such survey');
    const calls = api({ 1: gone });
    expect(await replayAnswers(store, calls)).toBe('idle');
    expect(store.items.get(1)).toMatchObject({ state: 'failed', error: '没有这份问卷', errorEn: 'No such survey' });
    expect(store.items.get(2)?.state).toBe('sent');
  });
  it('stops on a network failure and keeps the answers waiting', async () => {
    const store = memoryStore([kept(1), kept(2)]);
    const calls = api({ 1: new TypeError('Failed to fetch') });
    expect(await replayAnswers(store, calls)).toBe('later');
    expect(calls.sent).toEqual([1]);
    expect(store.items.get(1)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(store.items.get(2)?.state).toBe('pending');
  });
  it('forgets a refused token and tries later', async () => {
    const store = memoryStore([kept(1)]);
    const calls = api({ 1: new ApiError(401, 'auth.invalid', '请重新登录', 'Sign in again') });
    expect(await replayAnswers(store, calls)).toBe('later');
    expect(calls.dropped).toBe(1);
    expect(store.items.get(1)?.state).toBe('pending');
  });
});
