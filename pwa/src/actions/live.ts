/** The console's live feed: GET /stream with the token, resumed from the last event after a drop. */
import { API_BASE } from '../api/http';
import { parseSse } from './sse';

export interface CaseChange {
  eventId: number;
  caseId: number;
  action: string;
  status: string;
  at: string;
}

export type LiveState = 'connecting' | 'live' | 'retrying';

const RETRY_MS = [1000, 2000, 5000, 10000, 30000];

/** Follow case changes until the returned function is called; `onChange` sees each once. */
export function followCaseChanges(
  token: string,
  onChange: (change: CaseChange) => void,
  onState: (state: LiveState) => void,
  onUnauthorised: () => void,
): () => void {
  let stopped = false;
  let lastId: string | null = null;
  let failures = 0;
  let controller: AbortController | null = null;

  const connect = async (): Promise<void> => {
    onState(failures === 0 ? 'connecting' : 'retrying');
    controller = new AbortController();
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
    if (lastId) headers['last-event-id'] = lastId;
    const response = await fetch(`${API_BASE}/stream`, { headers, signal: controller.signal, cache: 'no-store' });
    if (response.status === 401) {
      stopped = true;
      onUnauthorised();
      return;
    }
    if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      failures = 0;
      onState('live');
      const parsed = parseSse(buffer + value);
      buffer = parsed.rest;
      for (const message of parsed.messages) {
        if (message.id) lastId = message.id;
        if (message.event === 'case') onChange(JSON.parse(message.data) as CaseChange);
      }
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await connect();
      } catch (error) {
        if (stopped) return;
        console.info('live feed interrupted', error);
      }
      if (stopped) return;
      const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 30000;
      failures += 1;
      onState('retrying');
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  void loop();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
