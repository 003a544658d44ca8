/** Follow the live feed while mounted; call `onChange` (debounced) when cases in scope move. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { followCaseChanges, type CaseChange, type LiveState } from '../../../actions/live';

const SETTLE_MS = 400;

export function useLive(token: string, onChange: (changes: CaseChange[]) => void, signOut: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    let pending: CaseChange[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    // A burst of moves (a dispatcher clearing the queue) becomes one reload, not one per move.
    const stop = followCaseChanges(
      token,
      (change) => {
        pending.push(change);
        timer ??= setTimeout(() => {
          const batch = pending;
          pending = [];
          timer = null;
          latest.current(batch);
        }, SETTLE_MS);
      },
      setState,
      signOut,
    );
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [token]);
  return state;
}
