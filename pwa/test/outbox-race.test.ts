/**
 * The outbox replayed from several places at once (the page's `online` handler, Background Sync in
 * the service worker, the retry timer), over a network that drops requests and answers, against a
 * server with the API's idempotency rules. Whatever the interleaving, each draft lands as exactly
 * one report with all its photos, and no draft fails because of its own earlier attempt.
 */
import { describe, expect, it } from 'vitest';
import type { Draft } from '../src/actions/outbox-rules';
import { replayOutbox, type OutboxStore, type ReplayApi } from '../src/actions/replay';
import { ApiError } from '../src/api/http';

interface Media {
  id: string;
  uploader: number;
  clientKey: string | null;
  content: string;
  caseId: number | null;
}

interface Case {
  id: number;
  reporter: number;
  clientId: string;
  fields: string;
  mediaIds: string[];
}

interface Body {
  clientId: string;
  fields: string;
  mediaIds: string[];
}

/** POST /auth/device, /media and /reports as the API answers them (see backend reports and media). */
class Server {
  readonly cases: Case[] = [];
  readonly refusals: string[] = [];
  private readonly media: Media[] = [];
  private readonly tokens = new Map<string, number>();
  private users = 0;

  register(): string {
    this.users += 1;
    const token = `token-${this.users}`;
    this.tokens.set(token, this.users);
    return token;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  upload(token: string, clientKey: string): string {
    const uploader = this.user(token);
    const known = this.media.find((m) => m.uploader === uploader && m.clientKey === clientKey);
    if (known && known.caseId === null) return known.id;
    // The same picture already in a report, sent again: a photo of its own.
    const id = `m${this.media.length + 1}`;
    this.media.push({ id, uploader, clientKey: known ? null : clientKey, content: clientKey, caseId: null });
    return id;
  }

  submit(token: string, body: Body): { id: number; trackingNo: string } {
    const reporter = this.user(token);
    const existing = this.cases.find((c) => c.reporter === reporter && c.clientId === body.clientId);
    if (existing) {
      if (existing.fields === body.fields && this.samePhotos(reporter, existing.mediaIds, body.mediaIds)) return answer(existing);
      return this.refuse(409, 'reports.client_id_reused');
    }
    const photos = body.mediaIds.map((id) => this.media.find((m) => m.id === id));
    if (photos.some((m) => !m || m.uploader !== reporter || m.caseId !== null)) return this.refuse(422, 'reports.unknown_media');
    const created: Case = { id: this.cases.length + 1, reporter, clientId: body.clientId, fields: body.fields, mediaIds: body.mediaIds };
    this.cases.push(created);
    for (const m of photos) if (m) m.caseId = created.id;
    return answer(created);
  }

  contents(c: Case): string[] {
    return c.mediaIds.map((id) => this.media.find((m) => m.id === id)?.content ?? '?');
  }

  private samePhotos(reporter: number, kept: string[], sent: string[]): boolean {
    const content = (id: string) => this.media.find((m) => m.id === id && m.uploader === reporter)?.content;
    return kept.length === sent.length && kept.every((id, i) => content(id) !== undefined && content(id) === content(sent[i] ?? ''));
  }

  private user(token: string): number {
    const user = this.tokens.get(token);
    if (user === undefined) throw new ApiError(401, 'auth.invalid_token', '请重新登录', 'Sign in again');
    return user;
  }

  private refuse(status: number, code: string): never {
    this.refusals.push(code);
    throw new ApiError(status, code, code, code);
  }
}

function answer(c: Case) {
  return { id: c.id, trackingNo: `20261203-${String(c.id).padStart(6, '0')}` };
}

/** A seeded generator, so a failing interleaving can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Weather {
  /** Chance that a request never arrives, and that its answer is lost after the server acted. */
  drop: number;
  lose: number;
  /** Chance that the server refuses the device token just before a request (a blocked device). */
  revoke: number;
}

/** The phone: its IndexedDB (drafts and the device token) and the network between it and the server. */
function phone(server: Server, rnd: () => number, weather: Weather) {
  const rows = new Map<string, Draft>();
  let token: string | undefined;
  let registering: Promise<string> | null = null;
  const pause = async () => {
    for (let i = Math.floor(rnd() * 6); i > 0; i--) await Promise.resolve();
  };
  const store: OutboxStore = {
    list: async () => (await pause(), [...rows.values()].map((d) => structuredClone(d))),
    put: async (d) => (await pause(), void rows.set(d.clientId, structuredClone(d))),
  };
  async function network<T>(sent: string, act: () => T): Promise<T> {
    await pause();
    if (rnd() < weather.drop) throw new TypeError('Failed to fetch');
    if (rnd() < weather.revoke) server.revoke(sent);
    const result = act();
    await pause();
    if (rnd() < weather.lose) throw new TypeError('Failed to fetch');
    return result;
  }
  // One registration at a time across the page and the service worker (a Web Lock in the app).
  const ensureToken = async (): Promise<string> => {
    if (token) return token;
    registering ??= (async () => {
      await pause();
      token = server.register();
      return token;
    })().finally(() => (registering = null));
    return registering;
  };
  const api: ReplayApi = {
    sender: async () => {
      const t = await ensureToken();
      return { token: t, id: `device:${t}` };
    },
    uploadPhoto: ({ token: t }, photo) => network(t, () => server.upload(t, photo.clientKey)),
    submit: ({ token: t }, d, mediaIds) =>
      network(t, () => server.submit(t, { clientId: d.clientId, fields: JSON.stringify(d.fields), mediaIds })),
    dropToken: async () => {
      token = undefined;
    },
  };
  const add = (d: Draft) => rows.set(d.clientId, d);
  return { store, api, add, drafts: () => [...rows.values()] };
}

function draftOf(n: number, photos: number): Draft {
  return {
    seq: n,
    clientId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    createdAt: n,
    state: 'pending',
    attempts: 0,
    fields: { category: 'sanitation', lat: 30.27, lng: 120.15, accuracyM: 10, address: '', description: `d${n}`, anonymous: false },
    photos: Array.from({ length: photos }, (_, i) => ({ clientKey: `photo-${n}-${i}`, type: 'image/jpeg', bytes: new ArrayBuffer(4), size: 4 })),
  };
}

/** Replay from `paths` places at once, then keep replaying (as the retry timer does) until quiet. */
async function round(seed: number, weather: Weather, paths: number) {
  const rnd = random(seed);
  const server = new Server();
  const p = phone(server, rnd, weather);
  const drafts = [draftOf(1, 1 + Math.floor(rnd() * 3)), draftOf(2, 1 + Math.floor(rnd() * 2))];
  drafts.forEach(p.add);
  await Promise.all(Array.from({ length: paths }, () => replayOutbox(p.store, p.api)));
  for (let i = 0; i < 200 && p.drafts().some((d) => d.state === 'pending'); i++) {
    await Promise.all(Array.from({ length: 1 + Math.floor(rnd() * paths) }, () => replayOutbox(p.store, p.api)));
  }
  return { server, drafts, stored: p.drafts() };
}

async function expectEachDraftLandsOnce(seed: number, weather: Weather, paths: number) {
  const { server, drafts, stored } = await round(seed, weather, paths);
  expect(server.refusals, `seed ${seed}`).toEqual([]);
  expect(stored.map((d) => [d.clientId, d.state, d.error]), `seed ${seed}`).toEqual(drafts.map((d) => [d.clientId, 'sent', undefined]));
  for (const d of drafts) {
    const landed = server.cases.filter((c) => c.clientId === d.clientId);
    expect(landed.length, `seed ${seed}: reports of ${d.clientId}`).toBe(1);
    const [one] = landed;
    if (one) expect(server.contents(one)).toEqual(d.photos.map((ph) => ph.clientKey));
  }
}

describe('replaying one outbox from several places at once', () => {
  it('lands each draft once with its photos, over a network that drops requests and answers', async () => {
    for (let seed = 1; seed <= 300; seed++) await expectEachDraftLandsOnce(seed, { drop: 0.15, lose: 0.15, revoke: 0 }, 1 + (seed % 3));
  }, 60_000);

  it('never fails a draft when its device token is replaced between upload and submit', async () => {
    // One replay at a time, as the Web Lock in the app makes it.
    for (let seed = 1; seed <= 300; seed++) await expectEachDraftLandsOnce(seed, { drop: 0, lose: 0, revoke: 0.2 }, 1);
  }, 60_000);
});
