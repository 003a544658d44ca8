import { describe, expect, it, vi } from 'vitest';
import { base64UrlToBytes, TimeoutError, toSubscriptionIn, withTimeout } from '../src/actions/push-optin';

describe('push opt-in', () => {
  it('decodes a base64url VAPID key', () => {
    expect(Array.from(base64UrlToBytes('AQID_-8'))).toEqual([1, 2, 3, 255, 239]);
    expect(base64UrlToBytes('BPx1' + 'A'.repeat(83)).length).toBe(65);
  });
  it('gives up on a subscribe() that never answers', async () => {
    vi.useFakeTimers();
    const hung = withTimeout(new Promise<never>(() => {}), 8000);
    vi.advanceTimersByTime(8000);
    await expect(hung).rejects.toBeInstanceOf(TimeoutError);
    vi.useRealTimers();
  });
  it('passes a prompt answer through', async () => {
    await expect(withTimeout(Promise.resolve(7), 8000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('no')), 8000)).rejects.toThrow('no');
  });
  it('turns toJSON() into the API body', () => {
    expect(toSubscriptionIn({ endpoint: 'https://push.example/abc', keys: { p256dh: 'p', auth: 'a' } })).toEqual({
      endpoint: 'https://push.example/abc',
      keys: { p256dh: 'p', auth: 'a' },
      expirationTime: null,
    });
    expect(toSubscriptionIn({ endpoint: 'https://push.example/abc' })).toBeNull();
  });
});
