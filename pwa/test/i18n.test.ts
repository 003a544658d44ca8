import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { format } from '../src/i18n/index';
import { zhCN } from '../src/i18n/zh-CN';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('has every key in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });
  it('has the same placeholders in both languages', () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zhCN[key]));
    }
  });
  it('leaves no string empty except the idle status', () => {
    for (const [key, value] of [...Object.entries(zhCN), ...Object.entries(en)]) {
      if (key !== 'outbox.idle') expect(value.trim(), key).not.toBe('');
    }
  });
  it('uses the product words', () => {
    expect(zhCN['outbox.pending']).toBe('待发送 {n}');
    expect(zhCN['outbox.sending']).toBe('发送中…');
    expect(zhCN['outbox.offline']).toBe('离线，联网后自动发送');
    expect(zhCN['outbox.failed']).toBe('发送失败 — 重试');
    expect(zhCN['update.available']).toBe('有新版本，点击更新');
  });
  it('fills placeholders', () => {
    expect(format('待发送 {n}', { n: 3 })).toBe('待发送 3');
    expect(format('{missing}', {})).toBe('{missing}');
  });
});
