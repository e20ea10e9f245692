import { useEffect, useRef, type Dispatch } from 'react';
import type { Action } from './app-state';
import { deleteStoredRun, listenToOtherTabs, saveRun } from './run-store';
import type { Run } from './runs';

/**
 * Keeps the stored runs in step with this tab's: a run added here is saved as its own record, a
 * run deleted here is deleted, and other tabs are told; what they tell this tab is merged in. Only
 * this tab's own changes are written, so it never deletes what another tab made.
 */
export function useRunStorage(runs: Run[], dispatch: Dispatch<Action>): void {
  /** Ids known to be in storage as this tab sees it. */
  const stored = useRef<Set<string> | null>(null);
  stored.current ??= new Set(runs.map((run) => run.id));
  const channel = useRef<ReturnType<typeof listenToOtherTabs> | null>(null);

  useEffect(() => {
    const known = stored.current!;
    const sync = listenToOtherTabs(
      (run) => {
        if (known.has(run.id)) return;
        known.add(run.id);
        dispatch({ type: 'runsArrived', runs: [run] });
      },
      (id) => {
        if (!known.delete(id)) return;
        dispatch({ type: 'runDeleted', id });
      },
    );
    channel.current = sync;
    return () => sync.close();
  }, [dispatch]);

  useEffect(() => {
    const known = stored.current!;
    const here = new Set(runs.map((run) => run.id));
    for (const run of runs) {
      if (known.has(run.id)) continue;
      known.add(run.id);
      saveRun(run).then(
        () => channel.current?.announce({ type: 'saved', id: run.id }),
        (error: unknown) => console.warn(`Could not save Run ${run.number}:`, error),
      );
    }
    for (const id of [...known]) {
      if (here.has(id)) continue;
      known.delete(id);
      deleteStoredRun(id).then(
        () => channel.current?.announce({ type: 'deleted', id }),
        (error: unknown) => console.warn('Could not delete a stored run:', error),
      );
    }
  }, [runs]);
}
