import { describe, expect, it } from 'vitest';
import { showPush, type NewestCheck, type PushPayload } from '../src/sw/show';

/** A phone's notification tray: one notification per tag, the last one shown wins. */
function tray(delays: number[]) {
  const shown = new Map<string, { title: string; seq?: number }>();
  const registration = {
    async showNotification(title: string, options?: NotificationOptions) {
      // A slow first notification: a later one must still end on top.
      await new Promise((r) => setTimeout(r, delays.shift() ?? 0));
      const data = options?.data as { seq?: number } | undefined;
      shown.set(options?.tag ?? '', { title, seq: data?.seq });
    },
  };
  const highest = new Map<string, number>();
  const isNewest: NewestCheck = async (tag, seq) => {
    await Promise.resolve();
    const known = highest.get(tag);
    if (known !== undefined && known > seq) return false;
    highest.set(tag, seq);
    return true;
  };
  return { sw: { registration }, shown, isNewest };
}

const push = (seq: number, title: string, caseId = 41): PushPayload => ({ title, tag: `n${seq}`, case: caseId, seq, url: `/reports/${caseId}` });

describe('pushes of one case arriving out of order', () => {
  it('an older push arriving later does not replace the newer notification', async () => {
    const t = tray([]);
    await showPush(t.sw, push(12, '已签收'), t.isNewest);
    await showPush(t.sw, push(11, '已受理'), t.isNewest);
    expect([...t.shown]).toEqual([['case-41', { title: '已签收', seq: 12 }]]);
  });

  it('pushes handled at once end with the newest on top, whatever each takes to show', async () => {
    const t = tray([30, 0]);
    await Promise.all([showPush(t.sw, push(11, '已受理'), t.isNewest), showPush(t.sw, push(12, '已签收'), t.isNewest)]);
    expect(t.shown.get('case-41')).toEqual({ title: '已签收', seq: 12 });
  });

  it('keeps one notification per case, and a push delivered twice shows once', async () => {
    const t = tray([]);
    await showPush(t.sw, push(12, '已签收'), t.isNewest);
    await showPush(t.sw, push(12, '已签收'), t.isNewest);
    await showPush(t.sw, push(13, '新任务', 42), t.isNewest);
    expect([...t.shown.keys()]).toEqual(['case-41', 'case-42']);
  });

  it('a push about no case keeps its own tag', async () => {
    const t = tray([]);
    await showPush(t.sw, { title: '通知', tag: 'n7' }, t.isNewest);
    expect([...t.shown.keys()]).toEqual(['n7']);
  });
});
