/**
 * 治安动态 without the network: the last page kept on the phone (shown with "数据截至 …" while
 * offline or loading), the region the resident last chose, and the figures' arithmetic for display.
 */
import type { AreaPage, AreaPlace, AreaProgress, Figure } from '../api/area-page';
import { ApiError } from '../api/http';
import { bilingual } from './area-logic';

// In both languages, like the server's refusals, whichever strings this phone has loaded.
const NETWORK_FAILED = {
  message: '无法连接服务器，请检查网络后重试',
  messageEn: 'Cannot reach the server; check the network and try again',
};

const SAVED_KEY = 'gridreport.areaPage';
const CHOSEN_KEY = 'gridreport.areaRegion';

/** A page as it was fetched and when; the page names its region, never where the resident stood. */
export interface SavedAreaPage {
  page: AreaPage;
  savedAt: number;
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

function isSaved(value: unknown): value is SavedAreaPage {
  if (!value || typeof value !== 'object') return false;
  const saved = value as Partial<SavedAreaPage>;
  return typeof saved.savedAt === 'number' && typeof saved.page?.region?.code === 'string' && typeof saved.page.asOf === 'string';
}

export function readSavedPage(store: Store | undefined): SavedAreaPage | null {
  try {
    const raw = store?.getItem(SAVED_KEY);
    const value: unknown = raw ? JSON.parse(raw) : null;
    // Only the page and its time: a position an older app kept alongside is left behind.
    return isSaved(value) ? { page: value.page, savedAt: value.savedAt } : null;
  } catch {
    // Private mode or a page from an older app: start without one.
    return null;
  }
}

export function keepPage(store: Store | undefined, saved: SavedAreaPage): void {
  try {
    store?.setItem(SAVED_KEY, JSON.stringify({ page: saved.page, savedAt: saved.savedAt }));
  } catch {
    // A full or private storage only loses the offline copy.
  }
}

export function readChosenRegion(store: Store | undefined): string | null {
  try {
    const code = store?.getItem(CHOSEN_KEY) ?? null;
    return code && /^[0-9A-Za-z-]{1,32}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

export function keepChosenRegion(store: Store | undefined, code: string): void {
  try {
    store?.setItem(CHOSEN_KEY, code);
  } catch {
    // Without storage the choice lasts for this visit only.
  }
}

/**
 * Where to look when the phone gives no position: the region chosen last, else the region of the
 * page kept; null asks the resident to choose on the map.
 */
export function fallbackPlace(chosen: string | null, saved: SavedAreaPage | null): AreaPlace | null {
  if (chosen) return { region: chosen };
  if (saved) return { region: saved.page.region.code };
  return null;
}

/** Why the page did not come, in both languages (the reader's first): the server's refusal, or no network. */
export function problemText(error: unknown, english: boolean): string {
  if (error instanceof ApiError) return bilingual({ message: error.message, messageEn: error.messageEn }, english);
  return bilingual(NETWORK_FAILED, english);
}

/** A 0..1 rate as a whole-or-one-decimal percentage ("93.5%"), null when not published. */
export function percentText(rate: number | null): string | null {
  if (rate === null || !Number.isFinite(rate)) return null;
  return `${oneDecimal(rate * 100)}%`;
}

/** A 0–100 figure with one decimal, trailing ".0" dropped. */
export function oneDecimal(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

/** Share of a key area's plan done, 0–100 (a plan with no tasks yet is at 0). */
export function progressPercent(progress: AreaProgress): number {
  if (progress.tasks <= 0) return 0;
  return Math.round((Math.min(progress.done, progress.tasks) / progress.tasks) * 100);
}

export interface FigureBar {
  /** The 95 % interval as a band: its left edge and width, in % of the 0–100 scale. */
  left: number;
  width: number;
  value: number;
  target: number;
}

const clamp = (v: number) => Math.min(100, Math.max(0, v));

/** Positions on a 0–100 track of a published figure's interval, value and the target line. */
export function figureBar(figure: Figure, target: number): FigureBar | null {
  if (figure.value === null) return null;
  const low = clamp(figure.low ?? figure.value);
  const high = clamp(figure.high ?? figure.value);
  return { left: low, width: Math.max(0, high - low), value: clamp(figure.value), target: clamp(target) };
}

/** The change against the previous survey in points, one decimal; null when either is unpublished. */
export function changeText(now: Figure | null, before: Figure | null | undefined): string | null {
  if (now?.value == null || before?.value == null) return null;
  const change = Math.round((now.value - before.value) * 10) / 10;
  if (change === 0) return '±0';
  return change > 0 ? `+${oneDecimal(change)}` : `−${oneDecimal(-change)}`;
}

/** The year and quarter a period starting on `firstDay` (YYYY-MM-DD) is. */
export function quarterOf(firstDay: string): { year: number; quarter: number } {
  const [year, month] = firstDay.split('-').map(Number);
  return { year: year ?? 0, quarter: Math.floor(((month ?? 1) - 1) / 3) + 1 };
}
