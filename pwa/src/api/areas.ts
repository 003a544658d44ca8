/** A worker's or a department's key-area (重点地区) tasks and duties: read, and the steps on a task. */
import { request } from './http';
import type { MediaOut } from './types';

export type AreaTaskState = 'open' | 'accepted' | 'done' | 'cancelled';

export interface PersonOut {
  id: number;
  name: string;
}

export interface UnitOut {
  kind: 'region' | 'department';
  code: string;
  name: string;
}

/** A photo the task carries as evidence, when the API lists them with it. */
export interface TaskPhotoOut {
  id?: string;
  url: string;
  thumbnailUrl?: string;
}

/** GET /tasks/mine, GET /tasks/{id}: one task of an area's plan (整治任务). */
export interface AreaTaskOut {
  id: number;
  areaId: number;
  areaName: string;
  kind: 'measure' | 'recheck';
  owner: PersonOut;
  unit: UnitOut;
  measure: string;
  dueAt: string;
  state: AreaTaskState;
  overdue: boolean;
  reminded: boolean;
  supervised: boolean;
  doneAt?: string | null;
  late?: boolean;
  photos?: (TaskPhotoOut | string)[];
}

/** GET /duties/mine: something owed by a deadline (a task, a level's sweep or check). */
export interface DutyOut {
  id: number;
  subjectKind: string;
  subjectId: number;
  title: string;
  dueAt: string;
  overdue: boolean;
  /** When 催办 went out to the owner, and 督办 to the leaders. */
  remindedAt?: string | null;
  supervisedAt?: string | null;
}

export type TaskStepKind = 'accept' | 'progress' | 'done';

/** POST /tasks/{id}/updates: the same clientId twice lands once. */
export interface TaskUpdateIn {
  clientId: string;
  kind: TaskStepKind;
  note: string;
  mediaIds: string[];
  lat?: number;
  lng?: number;
}

/** A task's photos are evidence: only such a photo may be attached to a task's step. */
export const TASK_PHOTO_PURPOSE = 'evidence';

const taskPath = (id: number, tail = '') => `/tasks/${encodeURIComponent(String(id))}${tail}`;

export function listMyAreaTasks(token: string): Promise<AreaTaskOut[]> {
  return request<AreaTaskOut[] | { items: AreaTaskOut[] }>('/tasks/mine', { token }).then(itemsOf);
}

export function getAreaTask(token: string, id: number): Promise<AreaTaskOut> {
  return request<AreaTaskOut>(taskPath(id), { token });
}

export function listMyDuties(token: string): Promise<DutyOut[]> {
  return request<DutyOut[] | { items: DutyOut[] }>('/duties/mine', { token }).then(itemsOf);
}

/** The task as it now is, when the API answers with it. */
export function postTaskUpdate(token: string, id: number, body: TaskUpdateIn): Promise<unknown> {
  return request<unknown>(taskPath(id, '/updates'), { token, json: body });
}

/** A task's photo, keyed by the SHA-256 of its bytes so a retry is not a duplicate. */
export function uploadTaskPhoto(token: string, bytes: ArrayBuffer, type: string, clientKey: string): Promise<MediaOut> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), type === 'image/jpeg' ? 'photo.jpg' : 'photo');
  form.append('clientKey', clientKey);
  form.append('purpose', TASK_PHOTO_PURPOSE);
  return request<MediaOut>('/media', { token, form });
}

/** A list as a bare array or as a page `{ items }`. */
function itemsOf<T>(got: T[] | { items: T[] }): T[] {
  return Array.isArray(got) ? got : got.items;
}
