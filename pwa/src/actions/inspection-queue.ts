/**
 * 督查 on the phone, with no signal as often as with: an inspection filed on site and the
 * responsible unit's 签收 and 整改反馈 are each stored whole in IndexedDB (photos, fields, a
 * clientId made once) and replayed oldest first as upload-then-submit. Photos are uploaded by a
 * key taken from their bytes and their media ids kept with the job; the inspection or move is sent
 * with its clientId, so the server lands each once however often a dropped attempt is repeated.
 * No I/O here.
 */
import type { FindingIn, FindingMove, FindingOut, FindingState, Focus, InspectionIn, Manner, MoveIn, Plan, RegionChoice, StaffMe } from '../api/inspections';
import { classify } from './worker-moves';

export interface QueuedPhoto {
  clientKey: string;
  type: string;
  bytes: ArrayBuffer;
  /** Set once uploaded and kept with the job: a replay sends the very body the server may hold. */
  mediaId?: string;
}

export interface FindingDraft {
  text: string;
  /** ISO time with its zone: the unit must have rectified it by then. */
  deadline: string;
  responsibleRegionCode: string;
  photos: QueuedPhoto[];
}

export interface InspectionDraft {
  manner: Manner;
  plan: Plan;
  focus: Focus;
  team: string;
  regionCode: string;
  /** Shown on the phone while the inspection waits; not sent. */
  regionName: string;
  /** The day of the visit, YYYY-MM-DD. */
  day: string;
  lat?: number;
  lng?: number;
  note: string;
  photos: QueuedPhoto[];
  findings: FindingDraft[];
}

interface QueuedBase {
  seq?: number;
  /** Who made it: it is only ever sent under that staff member's sign-in. */
  userId?: number;
  /** Made once when it is made; every attempt sends this same id. */
  clientId: string;
  queuedAt: number;
  /** pending: waiting to be sent; failed: refused by the server (kept, with its message); sent. */
  state: 'pending' | 'failed' | 'sent';
  error?: string;
  sentAt?: number;
  /** What the server made of it: the inspection's or the finding's id. */
  landedId?: number;
}

export interface QueuedInspection extends QueuedBase {
  kind: 'inspection';
  draft: InspectionDraft;
}

export interface QueuedMove extends QueuedBase {
  kind: 'move';
  findingId: number;
  findingText: string;
  action: FindingMove;
  note: string;
  photos: QueuedPhoto[];
}

export type InspectJob = QueuedInspection | QueuedMove;

export interface JobStore {
  list(): Promise<InspectJob[]>;
  put(job: InspectJob): Promise<void>;
  remove(seq: number): Promise<void>;
}

export interface JobApi {
  /** Upload one photo (idempotent by its clientKey while unattached); its media id. */
  upload(photo: QueuedPhoto): Promise<string>;
  /** Submit the job, its photos uploaded, with its clientId; the landed id. */
  submit(job: InspectJob): Promise<number | null>;
}

export type JobReplay = 'idle' | 'later' | 'reauth';

/** A sent job stays listed on the phone this long, so its maker sees it went. */
export const SENT_KEPT_MS = 24 * 3600 * 1000;
export const TEXT_MAX = 500;
export const NOTE_MAX = 2000;
export const TEAM_MAX = 200;
export const FINDINGS_MAX = 50;
/** What the server takes per inspection, per finding and per move. */
export const PHOTOS_MAX = 9;

const bySeq = (a: InspectJob, b: InspectJob) => (a.seq ?? 0) - (b.seq ?? 0);

/** Without photos: a sent job keeps its fields for the list, not its bytes. */
function withoutPhotos(job: InspectJob): InspectJob {
  if (job.kind === 'move') return { ...job, photos: [] };
  return { ...job, draft: { ...job.draft, photos: [], findings: job.draft.findings.map((f) => ({ ...f, photos: [] })) } };
}

/**
 * Send the signed-in staff member's waiting jobs oldest first. A network or server failure stops
 * the run (try later) and keeps the job as it is; a refusal (4xx) keeps the job, marked failed with
 * the server's message, and the run goes on; a sent job keeps its fields but not its photos.
 */
export async function replayJobs(store: JobStore, api: JobApi, staff: number | null, now: () => number = Date.now): Promise<JobReplay> {
  const all = await store.list();
  for (const old of all.filter((j) => j.state === 'sent' && now() - (j.sentAt ?? 0) > SENT_KEPT_MS)) {
    await store.remove(old.seq ?? -1);
  }
  const queue = all.filter((j) => j.state === 'pending' && (j.userId ?? null) === staff).sort(bySeq);
  for (const queued of queue) {
    let job = queued;
    // Every media id saved is kept, whatever comes of the attempt.
    const save = async (saved: InspectJob) => {
      job = saved;
      await store.put(saved);
    };
    let landed: number | null;
    try {
      job = await uploaded(job, api.upload, save);
      landed = await api.submit(job);
    } catch (error) {
      const verdict = classify(error);
      if (verdict !== 'failed') return verdict;
      await store.put({ ...job, state: 'failed', error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const sent: InspectJob = { ...withoutPhotos(job), state: 'sent', sentAt: now() };
    if (landed !== null) sent.landedId = landed;
    delete sent.error;
    await store.put(sent);
  }
  return 'idle';
}

/** A refused job sent again as it was: the same clientId, so it cannot land twice. */
export function retried(job: InspectJob): InspectJob {
  const again: InspectJob = { ...job, state: 'pending' };
  delete again.error;
  return again;
}

/** The photos of a job in the order they are uploaded: an inspection's own, then each finding's. */
export function jobPhotos(job: InspectJob): QueuedPhoto[] {
  return job.kind === 'move' ? job.photos : [...job.draft.photos, ...job.draft.findings.flatMap((f) => f.photos)];
}

/**
 * The job with every photo uploaded. Each media id is saved with the job as soon as it is known:
 * once the server has attached a photo, uploading it again would make a new one, and the replayed
 * body would no longer be the one its clientId first landed with. A photo taken twice in one job
 * is uploaded once.
 */
export async function uploaded(job: InspectJob, upload: (photo: QueuedPhoto) => Promise<string>, save: (job: InspectJob) => Promise<void>): Promise<InspectJob> {
  const known = new Map(jobPhotos(job).flatMap((p) => (p.mediaId ? [[p.clientKey, p.mediaId] as const] : [])));
  let current = job;
  for (const photo of jobPhotos(job)) {
    if (known.has(photo.clientKey)) continue;
    known.set(photo.clientKey, await upload(photo));
    current = withMediaIds(current, known);
    await save(current);
  }
  return withMediaIds(current, known);
}

function withMediaIds(job: InspectJob, known: ReadonlyMap<string, string>): InspectJob {
  const mark = (photos: QueuedPhoto[]) => photos.map((p) => (known.has(p.clientKey) ? { ...p, mediaId: known.get(p.clientKey) } : p));
  if (job.kind === 'move') return { ...job, photos: mark(job.photos) };
  return { ...job, draft: { ...job.draft, photos: mark(job.draft.photos), findings: job.draft.findings.map((f) => ({ ...f, photos: mark(f.photos) })) } };
}

/** The media ids of uploaded photos, each sent once, where it was first put. */
function idsOnce(seen: Set<string>, photos: QueuedPhoto[]): string[] {
  const out: string[] = [];
  for (const p of photos) {
    if (seen.has(p.clientKey)) continue;
    if (!p.mediaId) throw new Error(`photo ${p.clientKey} not uploaded`);
    seen.add(p.clientKey);
    out.push(p.mediaId);
  }
  return out;
}

/** The body of POST /findings/{id}/moves, its photos uploaded. */
export function moveBody(job: QueuedMove): MoveIn {
  return { clientId: job.clientId, action: job.action, note: job.note, mediaIds: idsOnce(new Set(), job.photos) };
}

/** The body of POST /inspections, its photos uploaded: the same job always gives the same body. */
export function inspectionBody(job: QueuedInspection): InspectionIn {
  const seen = new Set<string>();
  const d = job.draft;
  const mediaIds = idsOnce(seen, d.photos);
  const findings: FindingIn[] = d.findings.map((f) => ({
    text: f.text.trim(),
    deadline: f.deadline,
    responsibleRegionCode: f.responsibleRegionCode,
    mediaIds: idsOnce(seen, f.photos),
  }));
  const where = d.lat !== undefined && d.lng !== undefined ? { lat: d.lat, lng: d.lng } : {};
  const note = d.note.trim();
  return {
    clientId: job.clientId,
    manner: d.manner,
    plan: d.plan,
    focus: d.focus,
    team: d.team.trim(),
    regionCode: d.regionCode,
    day: d.day,
    ...where,
    ...(note ? { note } : {}),
    mediaIds,
    findings,
  };
}

export type DraftProblem =
  | 'inspect.needTeam'
  | 'inspect.teamTooLong'
  | 'inspect.needRegion'
  | 'inspect.needFinding'
  | 'inspect.tooManyFindings'
  | 'inspect.needText'
  | 'inspect.textTooLong'
  | 'inspect.needUnit'
  | 'inspect.deadlinePast'
  | 'inspect.noteTooLong'
  | 'inspect.tooManyPhotos';

export interface FoundProblem {
  problem: DraftProblem;
  /** The finding (0-based) it is about, if any. */
  finding?: number;
}

/** Why the draft cannot be filed as it is (the first reason), or null: what the server would refuse. */
export function draftProblem(draft: InspectionDraft, now: number): FoundProblem | null {
  const team = draft.team.trim();
  if (!team) return { problem: 'inspect.needTeam' };
  if (team.length > TEAM_MAX) return { problem: 'inspect.teamTooLong' };
  if (!draft.regionCode) return { problem: 'inspect.needRegion' };
  if (draft.note.trim().length > NOTE_MAX) return { problem: 'inspect.noteTooLong' };
  if (draft.photos.length > PHOTOS_MAX) return { problem: 'inspect.tooManyPhotos' };
  if (draft.findings.length === 0) return { problem: 'inspect.needFinding' };
  if (draft.findings.length > FINDINGS_MAX) return { problem: 'inspect.tooManyFindings' };
  for (const [finding, f] of draft.findings.entries()) {
    const text = f.text.trim();
    if (!text) return { problem: 'inspect.needText', finding };
    if (text.length > TEXT_MAX) return { problem: 'inspect.textTooLong', finding };
    if (!f.responsibleRegionCode) return { problem: 'inspect.needUnit', finding };
    const due = Date.parse(f.deadline);
    if (!Number.isFinite(due) || due <= now) return { problem: 'inspect.deadlinePast', finding };
    if (f.photos.length > PHOTOS_MAX) return { problem: 'inspect.tooManyPhotos', finding };
  }
  return null;
}

export type MoveProblem = 'inspect.needEvidence' | 'inspect.needReportNote' | 'inspect.noteTooLong' | null;

/** 整改反馈 needs evidence photos and a note; 签收 needs nothing. */
export function moveProblem(action: FindingMove, photoCount: number, note: string): MoveProblem {
  const length = note.trim().length;
  if (length > NOTE_MAX) return 'inspect.noteTooLong';
  if (action === 'report' && photoCount < 1) return 'inspect.needEvidence';
  if (action === 'report' && length < 1) return 'inspect.needReportNote';
  return null;
}

/**
 * Whether the signed-in staff member answers for the finding, as the server decides it: its named
 * person, a user of its department, or a worker or dispatcher whose region lies in its region.
 * `chain` is the caller's own region with its ancestors.
 */
export function answersFor(me: StaffMe, chain: readonly RegionChoice[], finding: FindingOut): boolean {
  if (finding.responsibleUser?.id === me.id) return true;
  if (me.role === 'department') return finding.responsible.kind === 'department' && finding.responsible.code === me.departmentCode;
  if (me.role !== 'worker' && me.role !== 'dispatcher') return false;
  return finding.responsible.kind === 'region' && chain.some((r) => r.code === finding.responsible.code);
}

/** Who may file an inspection (the API's rule). */
export function mayFile(role: string | null | undefined): boolean {
  return role === 'dispatcher' || role === 'supervisor' || role === 'admin';
}

/** The move the responsible unit makes next: 签收 an open or reopened finding, then 整改反馈. */
export function nextMove(state: FindingState): FindingMove | null {
  if (state === 'open' || state === 'reopened') return 'accept';
  if (state === 'rectifying') return 'report';
  return null;
}

/** The finding as it will be once its waiting moves land: the unit goes on from this. */
export function projectFinding(finding: FindingOut, jobs: readonly InspectJob[]): FindingOut {
  return jobs
    .filter((j): j is QueuedMove => j.kind === 'move' && j.findingId === finding.id && j.state === 'pending')
    .sort(bySeq)
    .reduce<FindingOut>((f, j) => {
      if (j.action === 'accept' && nextMove(f.state) === 'accept') return { ...f, state: 'rectifying' };
      if (j.action === 'report' && f.state === 'rectifying') return { ...f, state: 'reported', overdue: false };
      return f;
    }, finding);
}

/** States in which a finding still asks something of its unit, or waits for the checkers. */
const SHOWN: ReadonlySet<FindingState> = new Set(['open', 'reopened', 'rectifying', 'reported']);

/** My findings to show: the ones I answer for that are not yet closed, the most urgent first. */
export function myFindings(me: StaffMe, chain: readonly RegionChoice[], findings: readonly FindingOut[], jobs: readonly InspectJob[]): FindingOut[] {
  const owing = (f: FindingOut) => (nextMove(f.state) ? 0 : 1);
  return findings
    .filter((f) => answersFor(me, chain, f))
    .map((f) => projectFinding(f, jobs))
    .filter((f) => SHOWN.has(f.state))
    .sort((a, b) => owing(a) - owing(b) || Date.parse(a.deadline) - Date.parse(b.deadline));
}

/** The day and a default deadline (a week on, at 18:00 local) for a new draft. */
export function defaultDeadline(now: Date): string {
  const due = new Date(now.getTime() + 7 * 24 * 3600 * 1000);
  due.setHours(18, 0, 0, 0);
  return due.toISOString();
}

/** A `<input type="datetime-local">` value for an ISO time, in the phone's own zone. */
export function localInputValue(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An ISO time (UTC, with its zone) for a `datetime-local` value read in the phone's zone. */
export function fromLocalInput(value: string): string {
  const at = new Date(value);
  return Number.isFinite(at.getTime()) ? at.toISOString() : '';
}

export function today(now: Date): string {
  return localInputValue(now.toISOString()).slice(0, 10);
}

export type InspectRoute = { view: 'inspect' } | { view: 'finding'; id: number };

/** `#/inspect` is 督查 (my findings, the form); `#/inspect/findings/{id}` one finding. */
export function inspectRoute(hash: string): InspectRoute | null {
  if (hash === '#/inspect' || hash === '#/inspect/') return { view: 'inspect' };
  const match = /^#\/inspect\/findings\/(\d+)$/.exec(hash);
  return match ? { view: 'finding', id: Number(match[1]) } : null;
}

export function findingHash(id: number): string {
  return `#/inspect/findings/${id}`;
}
