/** The current language, remembered in localStorage, and t() to look strings up. */
import { en } from './en';
import { zhCN, type MessageKey, type Messages } from './zh-CN';

export type Lang = 'zh-CN' | 'en';
export const LANGS: Record<Lang, Messages> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'gridreport.lang';

let current: Lang = readStoredLang();
const listeners = new Set<() => void>();

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
  for (const listener of listeners) listener();
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
  return format(LANGS[current][key], vars);
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
