/** The one IndexedDB database of the app: the outbox of drafts and a small key-value store. */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Draft } from '../actions/outbox-rules';

interface GridreportDB extends DBSchema {
  drafts: { key: number; value: Draft; indexes: { clientId: string } };
  kv: { key: string; value: string };
}

export type Database = IDBPDatabase<GridreportDB>;

let opening: Promise<Database> | null = null;

/** Open (once per page or worker) the `gridreport` database, creating its stores on first use. */
export function database(): Promise<Database> {
  opening ??= openDB<GridreportDB>('gridreport', 1, {
    upgrade(db) {
      // seq (auto-increment) is the FIFO order of the outbox.
      const drafts = db.createObjectStore('drafts', { keyPath: 'seq', autoIncrement: true });
      drafts.createIndex('clientId', 'clientId', { unique: true });
      db.createObjectStore('kv');
    },
  });
  return opening;
}
