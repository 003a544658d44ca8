/** Drafts kept in IndexedDB until the server has them. */
import type { Draft } from '../actions/outbox-rules';
import { database } from './schema';

/** All drafts, oldest first (key order = FIFO). */
export async function listDrafts(): Promise<Draft[]> {
  return (await database()).getAll('drafts');
}

/** Add a new draft; resolves with its queue position (seq). */
export async function addDraft(draft: Draft): Promise<number> {
  const { seq: _unused, ...rest } = draft;
  return (await database()).add('drafts', rest as Draft);
}

export async function putDraft(draft: Draft): Promise<void> {
  await (await database()).put('drafts', draft);
}

export async function deleteDraft(seq: number): Promise<void> {
  await (await database()).delete('drafts', seq);
}

/** Delete the patrol reports (巡查上报) a staff member left in the outbox. */
export async function deletePatrolDrafts(): Promise<void> {
  const tx = (await database()).transaction('drafts', 'readwrite');
  for (const draft of await tx.store.getAll()) {
    if (draft.patrol && draft.seq !== undefined) await tx.store.delete(draft.seq);
  }
  await tx.done;
}
