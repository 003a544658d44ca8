import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/http';
import type { FindingOut, StaffMe } from '../src/api/inspections';
import {
  answersFor,
  draftProblem,
  inspectionBody,
  inspectRoute,
  moveBody,
  uploaded,
  mayFile,
  moveProblem,
  myFindings,
  nextMove,
  projectFinding,
  replayJobs,
  retried,
  SENT_KEPT_MS,
  type InspectionDraft,
  type InspectJob,
  type JobApi,
  type QueuedInspection,
  type QueuedMove,
} from '../src/actions/inspection-queue';

const NOW = Date.parse('2026-12-03T08:00:00Z');
const photo = (key: string) => ({ clientKey: key.repeat(64).slice(0, 64), type: 'image/jpeg', bytes: new ArrayBuffer(8) });

const draft = (extra: Partial<InspectionDraft> = {}): InspectionDraft => ({
  manner: 'covert',
  plan: 'random',
  focus: 'general',
  team: '区综治办第二督查组',
  regionCode: '330106001001001',
  regionName: '演示网格',
  day: '2026-12-03',
  lat: 30.2741,
  lng: 120.1551,
  note: '',
  photos: [],
  findings: [{ text: '消防通道堵塞', deadline: '2026-12-10T10:00:00Z', responsibleRegionCode: '330106001001001', photos: [photo('a')] }],
  ...extra,
});

const inspection = (clientId: string, extra: Partial<QueuedInspection> = {}): QueuedInspection => ({
  kind: 'inspection',
  clientId,
  draft: draft(),
  queuedAt: 0,
  state: 'pending',
  userId: 7,
  ...extra,
});

const move = (findingId: number, action: QueuedMove['action'], clientId: string, extra: Partial<QueuedMove> = {}): QueuedMove => ({
  kind: 'move',
  findingId,
  findingText: '消防通道堵塞',
  action,
  note: '',
  photos: [],
  clientId,
  queuedAt: 0,
  state: 'pending',
  userId: 7,
  ...extra,
});

function memoryStore(initial: InspectJob[]) {
  const jobs: InspectJob[] = initial.map((j, i) => ({ ...j, seq: i + 1 }));
  return {
    jobs,
    list: async () => jobs.map((j) => ({ ...j })),
    put: async (j: InspectJob) => void jobs.splice(jobs.findIndex((x) => x.seq === j.seq), 1, j),
    remove: async (seq: number) => void jobs.splice(jobs.findIndex((x) => x.seq === seq), 1),
  };
}

/**
 * A server that lands a clientId once and refuses it with another body, as POST /inspections and
 * /findings/{id}/moves do; an upload of a photo already attached makes a new media id, as /media does.
 */
function server(answer: (j: InspectJob, attempt: number) => void = () => undefined) {
  const landed = new Map<string, { id: number; body: string }>();
  const sent: string[] = [];
  const uploads: string[] = [];
  let attempt = 0;
  const api: JobApi = {
    upload: async (p) => {
      uploads.push(p.clientKey.slice(0, 1));
      return `media-${uploads.length}`;
    },
    submit: async (j) => {
      attempt += 1;
      sent.push(j.clientId);
      const body = JSON.stringify(j.kind === 'inspection' ? inspectionBody(j) : moveBody(j));
      const known = landed.get(j.clientId);
      if (known && known.body !== body) throw new ApiError(409, 'oversight.client_id_reused', '该离线编号已用于另一份督查记录', 'reused');
      if (!known) landed.set(j.clientId, { id: 100 + landed.size, body });
      answer(j, attempt);
      return landed.get(j.clientId)?.id ?? null;
    },
  };
  return { api, sent, landed, uploads };
}

const finding = (extra: Partial<FindingOut> = {}): FindingOut => ({
  id: 5,
  inspectionId: 1,
  seq: 1,
  text: '消防通道堵塞',
  state: 'open',
  deadline: '2026-12-10T10:00:00Z',
  overdue: false,
  responsible: { kind: 'region', id: 3, code: '330106001', name: '演示街道' },
  ...extra,
});

describe('replaying 督查 jobs', () => {
  it('sends oldest first and keeps sent jobs without their photos, with what landed', async () => {
    const store = memoryStore([inspection('i-1'), move(5, 'report', 'm-1', { note: '已清理', photos: [photo('b')] })]);
    const { api, sent } = server();
    expect(await replayJobs(store, api, 7, () => NOW)).toBe('idle');
    expect(sent).toEqual(['i-1', 'm-1']);
    expect(store.jobs.map((j) => [j.state, j.landedId])).toEqual([
      ['sent', 100],
      ['sent', 101],
    ]);
    const [filed, moved] = store.jobs as [QueuedInspection, QueuedMove];
    expect(filed.draft.findings[0]?.photos).toEqual([]);
    expect(filed.draft.findings[0]?.text).toBe('消防通道堵塞');
    expect(moved.photos).toEqual([]);
  });

  it('stops at a dropped connection and lands once when replayed with the same body', async () => {
    const store = memoryStore([inspection('i-1'), inspection('i-2')]);
    // The first attempt lands on the server but its answer is lost on the way back.
    const { api, sent, landed, uploads } = server((_j, attempt) => {
      if (attempt === 1) throw new TypeError('Failed to fetch');
    });
    expect(await replayJobs(store, api, 7, () => NOW)).toBe('later');
    expect(store.jobs.map((j) => j.state)).toEqual(['pending', 'pending']);
    // The photo's media id was kept with the job: it is not uploaded again.
    expect((store.jobs[0] as QueuedInspection).draft.findings[0]?.photos[0]?.mediaId).toBe('media-1');
    expect(await replayJobs(store, api, 7, () => NOW)).toBe('idle');
    expect(sent).toEqual(['i-1', 'i-1', 'i-2']);
    expect(uploads).toEqual(['a', 'a']);
    expect([...landed.keys()]).toEqual(['i-1', 'i-2']);
    expect(store.jobs.map((j) => [j.state, j.landedId])).toEqual([
      ['sent', 100],
      ['sent', 101],
    ]);
  });

  it('keeps the media ids of a job refused half way', async () => {
    const job = inspection('i-1', { draft: draft({ photos: [photo('c')] }) });
    const store = memoryStore([job]);
    let uploads = 0;
    const api: JobApi = {
      upload: async () => {
        uploads += 1;
        if (uploads === 2) throw new ApiError(413, 'media.too_large', '照片太大', 'too large');
        return 'media-c';
      },
      submit: async () => 1,
    };
    expect(await replayJobs(store, api, 7, () => NOW)).toBe('idle');
    const kept = store.jobs[0] as QueuedInspection;
    expect([kept.state, kept.draft.photos[0]?.mediaId, kept.draft.findings[0]?.photos[0]?.mediaId]).toEqual(['failed', 'media-c', undefined]);
  });

  it('keeps a refused job with its message, goes on, and a retry keeps its clientId', async () => {
    const store = memoryStore([move(5, 'accept', 'm-1'), move(6, 'accept', 'm-2')]);
    const { api } = server((j) => {
      if (j.clientId === 'm-1') throw new ApiError(409, 'oversight.finding_state', '该问题当前状态不能进行此操作', 'no');
    });
    expect(await replayJobs(store, api, 7, () => NOW)).toBe('idle');
    expect(store.jobs.map((j) => [j.state, j.error])).toEqual([
      ['failed', '该问题当前状态不能进行此操作'],
      ['sent', undefined],
    ]);
    const again = retried(store.jobs[0] as InspectJob);
    expect([again.state, again.clientId, 'error' in again]).toEqual(['pending', 'm-1', false]);
  });

  it('asks to sign in again on 401 and waits on 5xx and 429', async () => {
    for (const [status, verdict] of [
      [401, 'reauth'],
      [503, 'later'],
      [429, 'later'],
    ] as const) {
      const store = memoryStore([inspection('i-1')]);
      const { api } = server(() => {
        throw new ApiError(status, 'x', 'x', 'x');
      });
      expect(await replayJobs(store, api, 7, () => NOW)).toBe(verdict);
      expect(store.jobs[0]?.state).toBe('pending');
    }
  });

  it("never sends another staff member's jobs, and forgets sent ones after a day", async () => {
    const store = memoryStore([inspection('theirs', { userId: 8 }), inspection('old', { state: 'sent', sentAt: NOW - SENT_KEPT_MS - 1 }), inspection('mine')]);
    const { api, sent } = server();
    await replayJobs(store, api, 7, () => NOW);
    expect(sent).toEqual(['mine']);
    expect(store.jobs.map((j) => j.clientId)).toEqual(['theirs', 'mine']);
  });
});

describe('the inspection body', () => {
  it('uploads each photo once and sends the clientId, position and findings', async () => {
    const twice = photo('c');
    const job = inspection('i-1', {
      draft: draft({ photos: [twice], note: '  暗访  ', findings: [{ text: ' 占道经营 ', deadline: '2026-12-10T10:00:00Z', responsibleRegionCode: 'R1', photos: [twice, photo('d')] }] }),
    });
    expect(() => inspectionBody(job)).toThrow('not uploaded');
    const sent: string[] = [];
    const saved: InspectJob[] = [];
    const ready = await uploaded(
      job,
      async (p) => {
        sent.push(p.clientKey.slice(0, 1));
        return `media-${p.clientKey.slice(0, 1)}`;
      },
      async (j) => void saved.push(j),
    );
    expect(sent).toEqual(['c', 'd']);
    expect(saved).toHaveLength(2);
    const body = inspectionBody(ready as QueuedInspection);
    expect(body).toMatchObject({
      clientId: 'i-1',
      manner: 'covert',
      regionCode: '330106001001001',
      lat: 30.2741,
      note: '暗访',
      mediaIds: ['media-c'],
      findings: [{ text: '占道经营', responsibleRegionCode: 'R1', mediaIds: ['media-d'] }],
    });
    expect('regionName' in body).toBe(false);
  });
});

describe('checks before filing', () => {
  it('names what the server would refuse, and the finding it is about', () => {
    expect(draftProblem(draft(), NOW)).toBeNull();
    expect(draftProblem(draft({ team: '  ' }), NOW)).toEqual({ problem: 'inspect.needTeam' });
    expect(draftProblem(draft({ regionCode: '' }), NOW)).toEqual({ problem: 'inspect.needRegion' });
    expect(draftProblem(draft({ findings: [] }), NOW)).toEqual({ problem: 'inspect.needFinding' });
    const second = (change: object) => draft({ findings: [draft().findings[0]!, { ...draft().findings[0]!, ...change }] });
    expect(draftProblem(second({ text: ' ' }), NOW)).toEqual({ problem: 'inspect.needText', finding: 1 });
    expect(draftProblem(second({ text: 'x'.repeat(501) }), NOW)).toEqual({ problem: 'inspect.textTooLong', finding: 1 });
    expect(draftProblem(second({ deadline: '2026-12-01T00:00:00Z' }), NOW)).toEqual({ problem: 'inspect.deadlinePast', finding: 1 });
    expect(draftProblem(second({ deadline: '' }), NOW)).toEqual({ problem: 'inspect.deadlinePast', finding: 1 });
    expect(draftProblem(second({ responsibleRegionCode: '' }), NOW)).toEqual({ problem: 'inspect.needUnit', finding: 1 });
  });

  it('asks a fix report for evidence photos and a note, an acceptance for nothing', () => {
    expect(moveProblem('accept', 0, '')).toBeNull();
    expect(moveProblem('report', 0, '已清理')).toBe('inspect.needEvidence');
    expect(moveProblem('report', 1, ' ')).toBe('inspect.needReportNote');
    expect(moveProblem('report', 1, '已清理')).toBeNull();
  });
});

describe('my findings', () => {
  const worker: StaffMe = { id: 7, role: 'worker', regionCode: '330106001001001' };
  const chain = [
    { code: '330106', name: '西湖区', level: 'district' },
    { code: '330106001', name: '演示街道', level: 'street' },
    { code: '330106001001001', name: '演示网格', level: 'grid' },
  ];

  it('are the ones I answer for, as the server decides', () => {
    expect(answersFor(worker, chain, finding())).toBe(true);
    expect(answersFor(worker, chain, finding({ responsible: { kind: 'region', id: 9, code: '330106002', name: '别的街道' } }))).toBe(false);
    expect(answersFor({ ...worker, role: 'supervisor' }, chain, finding())).toBe(false);
    expect(answersFor({ ...worker, role: 'supervisor' }, chain, finding({ responsibleUser: { id: 7, name: '我' } }))).toBe(true);
    const department: StaffMe = { id: 8, role: 'department', departmentCode: '330106-cg' };
    expect(answersFor(department, [], finding({ responsible: { kind: 'department', id: 2, code: '330106-cg', name: '城管' } }))).toBe(true);
    expect(answersFor(department, [], finding())).toBe(false);
  });

  it('take my waiting moves into account and put what I owe first', () => {
    const list = [
      finding({ id: 1, state: 'reported', deadline: '2026-12-04T00:00:00Z' }),
      finding({ id: 2, state: 'closed' }),
      finding({ id: 3, state: 'open', deadline: '2026-12-12T00:00:00Z' }),
      finding({ id: 4, state: 'rectifying', deadline: '2026-12-11T00:00:00Z' }),
    ];
    const jobs = [move(3, 'accept', 'a'), move(4, 'report', 'b', { state: 'failed' })];
    expect(myFindings(worker, chain, list, jobs).map((f) => [f.id, f.state])).toEqual([
      [4, 'rectifying'],
      [3, 'rectifying'],
      [1, 'reported'],
    ]);
  });

  it('move 签收 then 整改反馈 in order, offline', () => {
    const both = [move(5, 'accept', 'a'), move(5, 'report', 'b')].map((j, i) => ({ ...j, seq: i + 1 }));
    expect(projectFinding(finding({ overdue: true }), both)).toMatchObject({ state: 'reported', overdue: false });
    expect(projectFinding(finding({ state: 'reopened' }), [both[0]!]).state).toBe('rectifying');
    expect(nextMove('open')).toBe('accept');
    expect(nextMove('rectifying')).toBe('report');
    expect(nextMove('reported')).toBeNull();
  });
});

describe('who files and where the pages are', () => {
  it('lets inspectors file', () => {
    expect(['worker', 'department', 'dispatcher', 'supervisor', 'admin'].map(mayFile)).toEqual([false, false, true, true, true]);
  });
  it('reads the 督查 routes', () => {
    expect(inspectRoute('#/inspect')).toEqual({ view: 'inspect' });
    expect(inspectRoute('#/inspect/findings/12')).toEqual({ view: 'finding', id: 12 });
    expect(inspectRoute('#/tasks')).toBeNull();
  });
});
