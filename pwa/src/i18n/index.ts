/** The current language, remembered in localStorage, and t() to look strings up.
 *
 * Chinese is built in; the English strings are a chunk of their own, fetched when English is
 * chosen (or was chosen before), so the first load of a phone that reads Chinese carries
 * one language, not two. Until they arrive the page reads Chinese, then redraws. */
import { zhCN, type MessageKey, type Messages } from './zh-CN';

export type Lang = 'zh-CN' | 'en';
const STORAGE_KEY = 'gridreport.lang';

let current: Lang = readStoredLang();
const listeners = new Set<() => void>();
let english: Messages | null = null;
let englishLoading: Promise<Messages> | null = null;

/** The strings of a language; English is fetched the first time it is asked for. */
export function messagesIn(which: Lang): Promise<Messages> {
  if (which === 'zh-CN') return Promise.resolve(zhCN);
  englishLoading ??= import('./en').then(
    (m) => (english = m.en),
    (error: unknown) => {
      // Offline before the English chunk was ever kept: try again on the next ask.
      englishLoading = null;
      throw error;
    },
  );
  return englishLoading;
}

/** A string in a language now, or in Chinese while that language's strings are on their way. */
export function textIn(which: Lang, key: MessageKey): string {
  return (which === 'en' && english ? english : zhCN)[key];
}

function notify(): void {
  for (const listener of listeners) listener();
}

function fetchEnglish(): void {
  messagesIn('en').then(notify, (error: unknown) => console.info('English strings not loaded yet', error));
}

function readStoredLang(): Lang {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next;
  if (next === 'en' && !english) fetchEnglish();
  notify();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Fill `{name}` placeholders from vars. */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  return format(textIn(current, key), vars);
}

/** The status label, or the raw status when the API grows a new one. */
export function statusLabel(status: string): string {
  const key = `status.${status}` as MessageKey;
  return key in zhCN ? t(key) : status;
}

export type { MessageKey };

/** A timeline step's name (签收, 处置反馈 …), or the raw action when the API grows a new one. */
export function actionLabel(action: string): string {
  const key = `event.${action}` as MessageKey;
  return key in zhCN ? t(key) : action;
}

if (current === 'en') fetchEnglish();
