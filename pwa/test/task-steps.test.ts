import { describe, expect, it } from 'vitest';
import type { AreaTaskOut, DutyOut } from '../src/api/areas';
import { ApiError } from '../src/api/http';
import {
  allowedSteps,
  areaTaskRoute,
  dutiesBeside,
  projectTask,
  replaySteps,
  retried,
  SENT_KEPT_MS,
  stepProblem,
  type StepApi,
  type TaskStep,
} from '../src/actions/task-steps';

function memoryStore(initial: TaskStep[]) {
  const steps: TaskStep[] = initial.map((s, i) => ({ ...s, seq: i + 1 }));
  return {
    steps,
    list: async () => steps.map((s) => ({ ...s })),
    put: async (s: TaskStep) => void steps.splice(steps.findIndex((x) => x.seq === s.seq), 1, s),
    remove: async (seq: number) => void steps.splice(steps.findIndex((x) => x.seq === seq), 1),
  };
}

const photo = { clientKey: 'ab'.repeat(32), type: 'image/jpeg', bytes: new ArrayBuffer(8) };

const step = (taskId: number, kind: TaskStep['kind'], clientId: string, extra: Partial<TaskStep> = {}): TaskStep => ({
  taskId,
  clientId,
  kind,
  note: '',
  photos: [],
  queuedAt: 0,
  state: 'pending',
  ...extra,
});

/** A server that lands a clientId once, as POST /tasks/{id}/updates does. */
function server(answer: (s: TaskStep, attempt: number) => void = () => undefined) {
  const landed = new Map<string, TaskStep>();
  const sent: string[] = [];
  let attempt = 0;
  const api: StepApi = {
    send: async (s) => {
      attempt += 1;
      sent.push(`${s.taskId}:${s.kind}:${s.clientId}`);
      answer(s, attempt);
      if (!landed.has(s.clientId)) landed.set(s.clientId, s);
    },
    landed: async () => undefined,
  };
  return { api, sent, landed };
}

const task = (state: AreaTaskOut['state']): AreaTaskOut => ({
  id: 5,
  areaId: 1,
  areaName: '文三路夜市',
  kind: 'measure',
  owner: { id: 3, name: '演示网格员' },
  unit: { kind: 'region', code: '330106001', name: '北山街道' },
  measure: '清理占道经营',
  dueAt: '2026-12-10T10:00:00Z',
  state,
  overdue: true,
  reminded: true,
  supervised: false,
});

describe('key-area task steps queued on the phone', () => {
  it('replays oldest first, upload-then-submit per step, and keeps sent steps without their photos', async () => {
    const store = memoryStore([
      step(5, 'accept', 'c-1'),
      step(6, 'accept', 'c-2'),
      step(5, 'done', 'c-3', { note: '已清理', photos: [photo] }),
    ]);
    const { api, sent } = server();
    expect(await replaySteps(store, api, null, () => 1000)).toBe('idle');
    expect(sent).toEqual(['5:accept:c-1', '6:accept:c-2', '5:done:c-3']);
    expect(store.steps.map((s) => [s.clientId, s.state, s.photos.length, s.sentAt])).toEqual([
      ['c-1', 'sent', 0, 1000],
      ['c-2', 'sent', 0, 1000],
      ['c-3', 'sent', 0, 1000],
    ]);
    // Sent steps are not sent again.
    expect(await replaySteps(store, api, null, () => 2000)).toBe('idle');
    expect(sent).toHaveLength(3);
  });

  it('keeps the clientId across retries after a drop, so the step lands once', async () => {
    const store = memoryStore([step(5, 'done', 'c-9', { note: '已清理', photos: [photo] })]);
    // The first attempt reaches the server but the answer is lost on the way back.
    const { api, sent, landed } = server((_s, attempt) => {
      if (attempt === 1) throw new TypeError('Failed to fetch');
    });
    expect(await replaySteps(store, api, null)).toBe('later');
    expect(store.steps).toMatchObject([{ clientId: 'c-9', state: 'pending', photos: [photo] }]);
    expect(await replaySteps(store, api, null)).toBe('idle');
    expect(sent).toEqual(['5:done:c-9', '5:done:c-9']);
    expect([...landed.keys()]).toEqual(['c-9']);
  });

  it('stops at a server failure and keeps the rest in order for later', async () => {
    const store = memoryStore([step(5, 'accept', 'c-1'), step(5, 'progress', 'c-2', { note: '进行中' })]);
    const { api, sent } = server(() => {
      throw new ApiError(503, 'unavailable', '服务暂不可用', 'Unavailable');
    });
    expect(await replaySteps(store, api, null)).toBe('later');
    expect(sent).toEqual(['5:accept:c-1']);
    expect(store.steps.map((s) => s.state)).toEqual(['pending', 'pending']);
  });

  it('keeps a refused step with the server message, goes on, and retries it with the same clientId', async () => {
    const store = memoryStore([step(5, 'done', 'c-1', { photos: [photo] }), step(6, 'accept', 'c-2')]);
    let refuse = true;
    const { api, sent } = server((s) => {
      if (refuse && s.clientId === 'c-1') throw new ApiError(422, 'task.photo', '照片不可用', 'The photo cannot be used');
    });
    expect(await replaySteps(store, api, null)).toBe('idle');
    expect(store.steps).toMatchObject([
      { clientId: 'c-1', state: 'failed', error: '照片不可用', photos: [photo] },
      { clientId: 'c-2', state: 'sent' },
    ]);
    // A refused step is never sent again on its own.
    expect(await replaySteps(store, api, null)).toBe('idle');
    expect(sent).toEqual(['5:done:c-1', '6:accept:c-2']);

    refuse = false;
    const failed = store.steps[0];
    if (!failed) throw new Error('the refused step is gone');
    await store.put(retried(failed));
    expect(store.steps[0]).not.toHaveProperty('error');
    expect(await replaySteps(store, api, null)).toBe('idle');
    expect(sent).toEqual(['5:done:c-1', '6:accept:c-2', '5:done:c-1']);
    expect(store.steps[0]).toMatchObject({ clientId: 'c-1', state: 'sent' });
  });

  it('signs out on 401 and keeps the step for its worker', async () => {
    const store = memoryStore([step(5, 'accept', 'c-1', { userId: 3 })]);
    const { api } = server(() => {
      throw new ApiError(401, 'auth', '请重新登录', 'Sign in again');
    });
    expect(await replaySteps(store, api, 3)).toBe('reauth');
    expect(store.steps).toMatchObject([{ state: 'pending' }]);
  });

  it("never sends another worker's step", async () => {
    const store = memoryStore([step(5, 'accept', 'c-1', { userId: 7 }), step(6, 'accept', 'c-2', { userId: 8 })]);
    const { api, sent } = server();
    expect(await replaySteps(store, api, 8)).toBe('idle');
    expect(sent).toEqual(['6:accept:c-2']);
    expect(store.steps).toMatchObject([{ userId: 7, state: 'pending' }, { userId: 8, state: 'sent' }]);
  });

  it('forgets sent steps after a day, never waiting or refused ones', async () => {
    const store = memoryStore([
      step(5, 'accept', 'c-1', { state: 'sent', sentAt: 0 }),
      step(5, 'done', 'c-2', { state: 'failed', error: 'x', queuedAt: 0 }),
      step(5, 'progress', 'c-3', { state: 'sent', sentAt: 10 }),
    ]);
    const { api } = server();
    await replaySteps(store, api, null, () => SENT_KEPT_MS + 5);
    expect(store.steps.map((s) => s.clientId)).toEqual(['c-2', 'c-3']);
  });
});

describe('a key-area task on the phone', () => {
  it('shows waiting steps as made', () => {
    const steps = [step(5, 'accept', 'a'), step(5, 'done', 'b'), step(6, 'accept', 'c')];
    expect(projectTask(task('open'), steps)).toMatchObject({ state: 'done', overdue: false });
    expect(projectTask(task('open'), [step(5, 'accept', 'a')]).state).toBe('accepted');
    expect(projectTask(task('open'), [step(5, 'accept', 'a', { state: 'failed' })]).state).toBe('open');
  });

  it('offers 签收 first, then 进展 and 完成', () => {
    expect(allowedSteps('open')).toEqual(['accept']);
    expect(allowedSteps('accepted')).toEqual(['progress', 'done']);
    expect(allowedSteps('done')).toEqual([]);
  });

  it('wants an after-photo for 完成 and something to say for 进展', () => {
    expect(stepProblem('done', 0, '已清理')).toBe('areaTask.needPhoto');
    expect(stepProblem('done', 1, '')).toBeNull();
    expect(stepProblem('progress', 0, ' a ')).toBe('areaTask.needProgress');
    expect(stepProblem('progress', 1, '')).toBeNull();
    expect(stepProblem('progress', 0, '拆除中')).toBeNull();
    expect(stepProblem('progress', 0, 'x'.repeat(1001))).toBe('areaTask.noteTooLong');
  });

  it('lists duties beside the tasks without repeating a task', () => {
    const duty = (subjectKind: string, subjectId: number, dueAt: string): DutyOut => ({
      id: subjectId * 10,
      subjectKind,
      subjectId,
      title: `${subjectKind} ${subjectId}`,
      dueAt,
      overdue: false,
    });
    const duties = [duty('area_duty', 2, '2026-12-09T00:00:00Z'), duty('area_task', 5, '2026-12-01T00:00:00Z'), duty('area_task', 9, '2026-12-02T00:00:00Z')];
    expect(dutiesBeside([task('open')], duties).map((d) => d.title)).toEqual(['area_task 9', 'area_duty 2']);
  });

  it('opens the task a push links to', () => {
    expect(areaTaskRoute('#/tasks/42')).toEqual({ view: 'areaTask', id: 42 });
    expect(areaTaskRoute('#/tasks')).toEqual({ view: 'areaTasks' });
    expect(areaTaskRoute('#/c/42')).toBeNull();
    expect(areaTaskRoute('#/tasks/x')).toBeNull();
  });
});
