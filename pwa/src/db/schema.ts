/**
 * The one IndexedDB database of the app: the outbox of drafts, a small key-value store, and for
 * grid workers the queue of offline moves and the cached task list.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { InspectJob } from '../actions/inspection-queue';
import type { Draft } from '../actions/outbox-rules';
import type { TaskStep } from '../actions/task-steps';
import type { QueuedMove } from '../actions/worker-moves';

interface GridreportDB extends DBSchema {
  drafts: { key: number; value: Draft; indexes: { clientId: string } };
  kv: { key: string; value: string };
  /** A grid worker's moves made offline, replayed in order (seq). */
  staffMoves: { key: number; value: QueuedMove };
  /** The worker's task list and the cases behind it, as last seen, for reading offline. */
  caseCache: { key: string; value: unknown };
  /** Steps on key-area tasks made on the phone, replayed in order (seq); sent ones kept a day. */
  taskSteps: { key: number; value: TaskStep };
  /** Inspections filed and findings moved (签收, 整改反馈) on the phone, replayed in order (seq). */
  inspectionJobs: { key: number; value: InspectJob };
}

export type Database = IDBPDatabase<GridreportDB>;

let opening: Promise<Database> | null = null;

/** Open (once per page or worker) the `gridreport` database, creating its stores on first use. */
export function database(): Promise<Database> {
  opening ??= openDB<GridreportDB>('gridreport', 4, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        // seq (auto-increment) is the FIFO order of the outbox.
        const drafts = db.createObjectStore('drafts', { keyPath: 'seq', autoIncrement: true });
        drafts.createIndex('clientId', 'clientId', { unique: true });
        db.createObjectStore('kv');
      }
      if (oldVersion < 2) {
        db.createObjectStore('staffMoves', { keyPath: 'seq', autoIncrement: true });
        db.createObjectStore('caseCache');
      }
      if (oldVersion < 3) db.createObjectStore('taskSteps', { keyPath: 'seq', autoIncrement: true });
      if (oldVersion < 4) db.createObjectStore('inspectionJobs', { keyPath: 'seq', autoIncrement: true });
    },
    // A newer page (or service worker) needs a newer schema: give way, the next call reopens.
    blocking(_current, _wanted, event) {
      (event.target as IDBDatabase).close();
      opening = null;
    },
  });
  return opening;
}
