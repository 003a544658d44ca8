/**
 * A staff member's sign-in on a phone that may be shared: the cases it keeps for offline reading,
 * the moves and patrol reports it queues, all belong to whoever signed in, and leave with them.
 */
import type { TokenOut } from '../api/types';
import { deletePatrolDrafts, listDrafts } from '../db/outbox';
import { clearStaffStores, listInspectJobs, listMoves, listSteps } from '../db/staff';
import { setStaffToken, setStaffUserId, staffUserId } from './local';

/** What the phone still has to send for the signed-in staff member. */
export async function unsentWork(): Promise<number> {
  const [moves, drafts, steps, jobs] = await Promise.all([listMoves(), listDrafts(), listSteps(), listInspectJobs()]);
  const unsent = (items: { state: string }[]) => items.filter((s) => s.state !== 'sent').length;
  return moves.length + drafts.filter((d) => d.patrol && d.state !== 'sent').length + unsent(steps) + unsent(jobs);
}

/** Remove every case, queued move and patrol report of whoever used the phone. */
export async function forgetStaffWork(): Promise<void> {
  await Promise.all([clearStaffStores(), deletePatrolDrafts()]);
}

/** Sign in: what another staff member left on the phone goes before this one sees anything. */
export async function signIn(session: TokenOut): Promise<void> {
  if (staffUserId() !== session.user.id) await forgetStaffWork();
  setStaffUserId(session.user.id);
  setStaffToken(session.token);
}

/** Sign out: the token first, so no answer still on its way is kept, then everything else. */
export async function signOut(): Promise<void> {
  setStaffToken(null);
  await forgetStaffWork();
  setStaffUserId(null);
}
