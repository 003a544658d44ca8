/** 督查 wired to the API and IndexedDB: every inspection and finding move is stored first, then
 * replayed; what the phone needs to file and answer offline is kept from the last time online. */
import {
  fileInspection,
  getFinding,
  getMe,
  listFindings,
  locatedChain,
  moveFinding,
  regionChain,
  regionChildren,
  uploadInspectionPhoto,
  type FindingMove,
  type FindingOut,
  type RegionChoice,
  type StaffMe,
} from '../api/inspections';
import { addInspectJob, deleteInspectJob, listInspectJobs, putInspectJob, readCache, writeCache } from '../db/staff';
import { newClientId } from './ids';
import {
  inspectionBody,
  moveBody,
  myFindings,
  projectFinding,
  replayJobs,
  retried,
  type InspectionDraft,
  type InspectJob,
  type JobApi,
  type JobReplay,
  type QueuedPhoto,
} from './inspection-queue';
import { staffToken, staffUserId } from './local';
import { isNetworkFailure } from './worker-moves';

/** Fired on window whenever the 督查 jobs change (queued, sent, refused), so views can reread. */
export const INSPECT_CHANGED = 'gridreport-inspect-jobs-changed';
const CONTEXT = 'inspect:context';
const FINDINGS = 'inspect:findings';
const findingKey = (id: number) => `inspect:finding:${id}`;
/** Pages of the ledger read for "my findings": the newest first, which is where the owed ones are. */
const PAGES_READ = 3;

const changed = () => window.dispatchEvent(new Event(INSPECT_CHANGED));

/** Keep for offline reading, unless its reader signed out meanwhile. */
async function keep(token: string, key: string, value: unknown): Promise<void> {
  if (staffToken() === token) await writeCache(key, value);
}

/** Uploads are idempotent by clientKey, the inspection and the move by clientId (and body). */
function sender(token: string): JobApi {
  return {
    upload: async (p) => (await uploadInspectionPhoto(token, p.bytes, p.type, p.clientKey)).id,
    submit: async (job) => {
      if (job.kind === 'inspection') return (await fileInspection(token, inspectionBody(job))).id;
      await moveFinding(token, job.findingId, moveBody(job));
      return job.findingId;
    },
  };
}

/** Send the signed-in staff member's waiting 督查 jobs (one replayer at a time, by Web Locks where there are). */
export async function replayInspectJobs(token: string): Promise<JobReplay> {
  const store = {
    list: listInspectJobs,
    put: async (job: InspectJob) => {
      await putInspectJob(job);
      changed();
    },
    remove: deleteInspectJob,
  };
  const run = () => replayJobs(store, sender(token), staffUserId());
  if ('locks' in navigator && navigator.locks) {
    return navigator.locks.request('gridreport-inspect-jobs', { ifAvailable: true }, (lock) => (lock ? run() : ('later' as const)));
  }
  return run();
}

function sendSoon(token: string): void {
  if (navigator.onLine) void replayInspectJobs(token).catch((e: unknown) => console.info('督查 not sent yet', e));
}

/** Store the inspection whole on the phone; it is sent from there (now when online, else later). */
export async function queueInspection(token: string, draft: InspectionDraft): Promise<void> {
  const userId = staffUserId() ?? undefined;
  await addInspectJob({ kind: 'inspection', draft, clientId: newClientId(), queuedAt: Date.now(), state: 'pending', userId });
  changed();
  sendSoon(token);
}

/** Store a 签收 or 整改反馈 on the phone; sent like an inspection. */
export async function queueFindingMove(token: string, finding: FindingOut, action: FindingMove, note: string, photos: QueuedPhoto[]): Promise<void> {
  const userId = staffUserId() ?? undefined;
  await addInspectJob({
    kind: 'move',
    findingId: finding.id,
    findingText: finding.text,
    action,
    note,
    photos,
    clientId: newClientId(),
    queuedAt: Date.now(),
    state: 'pending',
    userId,
  });
  changed();
  sendSoon(token);
}

export function inspectJobs(): Promise<InspectJob[]> {
  return listInspectJobs();
}

/** A refused job goes back in the queue as it was, with its clientId. */
export async function retryInspectJob(job: InspectJob): Promise<void> {
  await putInspectJob(retried(job));
  changed();
}

export async function dropInspectJob(seq: number): Promise<void> {
  await deleteInspectJob(seq);
  changed();
}

/** Who the phone's staff member is and the regions they may pick, as last read online. */
export interface InspectContext {
  me: StaffMe;
  /** Their own region with its ancestors (who answers for a region's findings). */
  chain: RegionChoice[];
  /** The region where the phone stood when last located, with its ancestors. */
  here: RegionChoice[];
  /** The regions right below their own (or the city's top level). */
  below: RegionChoice[];
  /** When the context came from the phone: when it was last read. */
  offlineSince: number | null;
}

interface KeptContext extends Omit<InspectContext, 'offlineSince'> {
  at: number;
}

async function readContext(token: string, where: { lat: number; lng: number } | null): Promise<KeptContext> {
  const me = await getMe(token);
  const [chain, here, below] = await Promise.all([
    me.regionCode ? regionChain(token, me.regionCode).catch(() => []) : Promise.resolve([]),
    where ? locatedChain(token, where.lat, where.lng).catch(() => null) : Promise.resolve(null),
    regionChildren(token, me.regionCode ?? undefined).catch(() => []),
  ]);
  // Without a new position, the place last located stands (read now: a located read may have
  // finished meanwhile).
  const last = here ?? (await readCache<KeptContext>(CONTEXT))?.here ?? [];
  return { me, chain, here: last, below, at: Date.now() };
}

/** The context from the API (kept for offline use), or as last kept when there is no signal. */
export async function loadInspectContext(token: string, where: { lat: number; lng: number } | null): Promise<InspectContext> {
  const kept = await readCache<KeptContext>(CONTEXT);
  try {
    const fresh = await readContext(token, where);
    await keep(token, CONTEXT, fresh);
    return { ...fresh, offlineSince: null };
  } catch (error) {
    if (!isNetworkFailure(error) || !kept) throw error;
    return { ...kept, offlineSince: kept.at };
  }
}

/** The context as last kept, without asking the API (null before the first time online). */
export async function keptInspectContext(): Promise<InspectContext | null> {
  const kept = await readCache<KeptContext>(CONTEXT);
  return kept ? { ...kept, offlineSince: kept.at } : null;
}

export interface MyFindings {
  items: FindingOut[];
  offlineSince: number | null;
}

interface KeptFindings {
  items: FindingOut[];
  at: number;
}

async function readLedger(token: string): Promise<FindingOut[]> {
  const all: FindingOut[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < PAGES_READ; page += 1) {
    const got = await listFindings(token, cursor ? { cursor } : {});
    all.push(...got.items);
    if (!got.next) break;
    cursor = got.next;
  }
  return all;
}

/** The findings I answer for, not yet closed, with my waiting moves applied; kept for offline. */
export async function loadMyFindings(token: string, context: InspectContext): Promise<MyFindings> {
  const jobs = await listInspectJobs();
  try {
    const ledger = await readLedger(token);
    const mine = myFindings(context.me, context.chain, ledger, []);
    await keep(token, FINDINGS, { items: mine, at: Date.now() } satisfies KeptFindings);
    return { items: mine.map((f) => projectFinding(f, jobs)), offlineSince: null };
  } catch (error) {
    if (!isNetworkFailure(error)) throw error;
    const kept = await readCache<KeptFindings>(FINDINGS);
    if (!kept) throw error;
    return { items: kept.items.map((f) => projectFinding(f, jobs)), offlineSince: kept.at };
  }
}

/** One finding with its timeline (kept), or as last kept offline, with my waiting moves applied. */
export async function loadFinding(token: string, id: number): Promise<{ finding: FindingOut; offline: boolean }> {
  const jobs = await listInspectJobs();
  try {
    const finding = await getFinding(token, id);
    await keep(token, findingKey(id), finding);
    return { finding: projectFinding(finding, jobs), offline: false };
  } catch (error) {
    if (!isNetworkFailure(error)) throw error;
    const kept = (await readCache<FindingOut>(findingKey(id))) ?? (await readCache<KeptFindings>(FINDINGS))?.items.find((f) => f.id === id);
    if (!kept) throw error;
    return { finding: projectFinding(kept, jobs), offline: true };
  }
}
