/** Starts the paired statistics of two runs in the lab worker and reports them through reducer actions. */
import type { Dispatch } from 'react';
import { toWireError } from '../../../workers/lab/protocol';
import type { LabClient } from '../worker-client';
import type { Action, AppState } from './reducer';
import type { Run } from './runs';
import { SIGNIFICANCE_RESAMPLES, SIGNIFICANCE_SEED, significanceKey, significanceUnavailable } from './significance';

export interface SignificanceActions {
  /** Computes CIs and p-values of shown − compared, unless they are computed, being computed, or impossible. */
  compareRuns(shown: Run, compared: Run): void;
}

export function createSignificanceActions(client: LabClient, dispatch: Dispatch<Action>, getState: () => AppState): SignificanceActions {
  let nextTask = 1;
  let running: number | null = null;
  return {
    compareRuns(shown, compared) {
      const key = significanceKey(shown, compared);
      const task = getState().significance;
      if (task.status !== 'idle' && task.key === key) return;
      if (significanceUnavailable(shown, compared) !== null) return;
      if (running !== null) client.cancel(running);
      const id = nextTask++;
      dispatch({ type: 'significanceStarted', id, key });
      const call = client.call(
        'compareRuns',
        { a: compared.report.perQuery!, b: shown.report.perQuery!, resamples: SIGNIFICANCE_RESAMPLES, seed: SIGNIFICANCE_SEED },
        ({ done, total }) => dispatch({ type: 'significanceProgress', id, progress: { done, total } }),
      );
      running = call.id;
      call.reply.then(
        ({ comparison }) => dispatch({ type: 'significanceFinished', id, comparison }),
        (error: unknown) => dispatch({ type: 'significanceFailed', id, error: toWireError(error) }),
      ).finally(() => {
        if (running === call.id) running = null;
      });
    },
  };
}
