import { describe, expect, it } from 'vitest';
import { parseSse } from '../src/actions/sse';

describe('parseSse', () => {
  it('yields complete events and keeps the unfinished rest', () => {
    const { messages, rest } = parseSse('id: 7\nevent: case\ndata: {"caseId":1}\n\n: keep-alive\n\nid: 8\nevent: ca');
    expect(messages).toEqual([{ id: '7', event: 'case', data: '{"caseId":1}' }]);
    expect(rest).toBe('id: 8\nevent: ca');
    const next = parseSse(rest + 'se\ndata: {"caseId":2}\n\n');
    expect(next.messages).toEqual([{ id: '8', event: 'case', data: '{"caseId":2}' }]);
    expect(next.rest).toBe('');
  });

  it('joins multi-line data and accepts CRLF', () => {
    const { messages } = parseSse('data: a\r\ndata: b\r\n\r\n');
    expect(messages).toEqual([{ id: null, event: 'message', data: 'a\nb' }]);
  });

  it('comments alone are not events', () => {
    expect(parseSse(': live\n\n').messages).toEqual([]);
  });
});
