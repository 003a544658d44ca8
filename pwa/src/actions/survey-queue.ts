/**
 * Pure rules of the survey answers kept on the phone until the server has them: what each
 * server answer does to a kept answer, which offers still to show, and whether a questionnaire
 * is complete. No I/O.
 */
import type { AnswerValue, SurveyOffer, SurveyQuestion } from '../api/surveys';

export type AnswerState = 'pending' | 'sent' | 'failed';

export interface QueuedAnswer {
  surveyId: number;
  title: string;
  titleEn: string;
  answers: Record<string, AnswerValue>;
  /** Where the phone stood when the survey was offered: it proves the survey reaches the device. */
  lat?: number;
  lng?: number;
  createdAt: number;
  state: AnswerState;
  attempts: number;
  /** The server's reason, in Chinese and English, for a kept answer it refused or could not take yet. */
  error?: string;
  errorEn?: string;
  sentAt?: number;
}

/** What one attempt at sending an answer came to. */
export type AnswerAttempt =
  | { kind: 'done'; at: number }
  | { kind: 'rejected'; message: string; messageEn: string }
  | { kind: 'later'; message: string; messageEn: string }
  | { kind: 'reauth'; message: string; messageEn: string };

/** The server's code when this device has answered the survey already: the answer is there. */
export const ALREADY_ANSWERED = 'surveys.already_answered';

/** How an HTTP status (0 = no answer) and error code are read. */
export function classifyAnswerStatus(status: number, code = ''): AnswerAttempt['kind'] {
  if (status >= 200 && status < 300) return 'done';
  // Sent once already (a replay after a lost response, or another tab): it counts as sent.
  if (status === 409 && code === ALREADY_ANSWERED) return 'done';
  if (status === 401) return 'reauth';
  // Timeouts and throttling pass with time.
  if (status === 408 || status === 425 || status === 429) return 'later';
  if (status >= 400 && status < 500) return 'rejected';
  return 'later';
}

/** The kept answer after an attempt; one already sent stays sent whatever this attempt came to. */
export function applyAnswerAttempt(answer: QueuedAnswer, attempt: AnswerAttempt): QueuedAnswer {
  if (answer.state === 'sent') return answer;
  switch (attempt.kind) {
    case 'done':
      return { ...answer, state: 'sent', error: undefined, errorEn: undefined, sentAt: attempt.at };
    case 'rejected':
      return { ...answer, state: 'failed', error: attempt.message, errorEn: attempt.messageEn, attempts: answer.attempts + 1 };
    case 'later':
    case 'reauth':
      return { ...answer, state: 'pending', error: attempt.message, errorEn: attempt.messageEn, attempts: answer.attempts + 1 };
  }
}

/** Answers waiting to be sent, oldest first. */
export function answerQueue(answers: readonly QueuedAnswer[]): QueuedAnswer[] {
  return answers.filter((a) => a.state === 'pending').sort((a, b) => a.createdAt - b.createdAt);
}

/** Offers not yet answered on this phone (a kept answer, sent or not, is the phone's one answer). */
export function offersToShow(offers: readonly SurveyOffer[], kept: readonly QueuedAnswer[]): SurveyOffer[] {
  const answered = new Set(kept.map((a) => a.surveyId));
  return offers.filter((o) => !answered.has(o.id));
}

/** Whether a value counts as an answer to the question (an empty text or no choice does not). */
export function isAnswered(question: SurveyQuestion, value: AnswerValue | undefined): boolean {
  if (value === undefined) return false;
  switch (question.kind) {
    case 'single':
      return typeof value === 'string' && question.options.some((o) => o.key === value);
    case 'multiple':
      return Array.isArray(value) && value.length > 0;
    case 'scale5':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5;
    case 'scale10':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 10;
    case 'text':
      return typeof value === 'string' && value.trim() !== '';
  }
}

/** The required questions still unanswered, in questionnaire order. */
export function missingAnswers(questions: readonly SurveyQuestion[], answers: Record<string, AnswerValue>): string[] {
  return questions.filter((q) => q.required && !isAnswered(q, answers[q.key])).map((q) => q.key);
}

/** The answers as sent: only this questionnaire's items that have an answer, texts trimmed. */
export function answersToSend(
  questions: readonly SurveyQuestion[],
  answers: Record<string, AnswerValue>,
): Record<string, AnswerValue> {
  const kept: Record<string, AnswerValue> = {};
  for (const question of questions) {
    const value = answers[question.key];
    if (!isAnswered(question, value) || value === undefined) continue;
    kept[question.key] = typeof value === 'string' && question.kind === 'text' ? value.trim() : value;
  }
  return kept;
}

/** A multiple-choice answer after the option is tapped: on when off, off when on, in option order. */
export function toggleOption(question: SurveyQuestion, value: AnswerValue | undefined, key: string): string[] {
  const chosen = new Set(Array.isArray(value) ? value : []);
  if (chosen.has(key)) chosen.delete(key);
  else chosen.add(key);
  return question.options.map((o) => o.key).filter((k) => chosen.has(k));
}

export type SurveyStatusKey = 'offline' | 'pending' | 'failed' | 'sent';

/** The one line about a kept answer. */
export function answerStatus(answer: QueuedAnswer, online: boolean): SurveyStatusKey {
  if (answer.state === 'sent') return 'sent';
  if (answer.state === 'failed') return 'failed';
  return online ? 'pending' : 'offline';
}
