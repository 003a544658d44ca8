/** The one fetch wrapper: JSON in and out, the server's error body turned into ApiError. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageEn: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: string;
  token?: string | null;
  json?: unknown;
  form?: FormData;
  query?: Query;
  /** Send and keep the known-device cookie (staff login only; no other call needs cookies). */
  knownDevice?: boolean;
  /** The browser's HTTP cache: unused unless a call's answer says how long it keeps (ETag, max-age). */
  cache?: RequestCache;
}

/** Query values; a list repeats the key (`status=a&status=b`). */
export type Query = Record<string, string | string[] | undefined>;

interface ErrorBody {
  code?: string;
  message?: string;
  messageEn?: string;
  detail?: string;
}

export const API_BASE = '/api/v1';

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== '') params.append(key, one);
    }
  }
  const qs = params.toString();
  return API_BASE + path + (qs ? `?${qs}` : '');
}

/** Fetch `path` under /api/v1; resolves with the decoded body, rejects with ApiError or a network TypeError. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(buildUrl(path, options.query), {
    method: options.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
    credentials: options.knownDevice ? 'same-origin' : 'omit',
    cache: options.cache ?? 'no-store',
  });
  const text = await response.text();
  const data: unknown = text ? safeJson(text) : null;
  if (!response.ok) throw toApiError(response.status, data);
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toApiError(status: number, data: unknown): ApiError {
  const body = (data && typeof data === 'object' ? data : {}) as ErrorBody;
  const message = body.message ?? body.detail ?? `HTTP ${status}`;
  return new ApiError(status, body.code ?? `http.${status}`, message, body.messageEn ?? message);
}

/** A file the API makes (XLSX, CSV), fetched with the token and handed to the browser to save. */
export async function download(path: string, token: string, query: Query, filename: string): Promise<void> {
  const response = await fetch(buildUrl(path, query), { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!response.ok) {
    const text = await response.text();
    throw toApiError(response.status, text ? safeJson(text) : null);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
