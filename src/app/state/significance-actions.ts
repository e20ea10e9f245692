/** Starts paired statistics in the lab worker and reports them through reducer actions. */
import type { Dispatch } from 'react';
import { toWireError } from '../../../workers/lab/protocol';
import type { LabClient } from '../worker-client';
import type { Action, AppState } from './reducer';
import type { Run } from './runs';
import { comparisonKey, SIGNIFICANCE_SEED, significanceResamples, significanceUnavailable, type ComparedSide } from './significance';

export interface SignificanceActions {
  /** CIs and p-values of shown − compared, unless computed, being computed, or impossible (old runs, other data). */
  compareRuns(shown: Run, compared: Run): void;
  /** CIs and p-values of b − a under comparisonKey(a.key, b.key), unless computed or being computed. */
  comparePerQuery(a: ComparedSide, b: ComparedSide): void;
}

export function createSignificanceActions(client: LabClient, dispatch: Dispatch<Action>, getState: () => AppState): SignificanceActions {
  let nextTask = 1;
  /** Keys asked for in this session: the state seen through getState may be a render behind. */
  const requested = new Set<string>();

  function comparePerQuery(a: ComparedSide, b: ComparedSide): void {
    const key = comparisonKey(a.key, b.key);
    const task = getState().significance[key];
    if (requested.has(key) && task?.status !== 'failed') return;
    requested.add(key);
    const id = nextTask++;
    dispatch({ type: 'significanceStarted', id, key });
    client.call(
      'compareRuns',
      { a: a.perQuery, b: b.perQuery, resamples: significanceResamples(a.perQuery), seed: SIGNIFICANCE_SEED },
      ({ done, total }) => dispatch({ type: 'significanceProgress', id, key, progress: { done, total } }),
    ).reply.then(
      ({ comparison }) => dispatch({ type: 'significanceFinished', id, key, comparison }),
      (error: unknown) => dispatch({ type: 'significanceFailed', id, key, error: toWireError(error) }),
    );
  }

  return {
    comparePerQuery,
    compareRuns(shown, compared) {
      if (significanceUnavailable(shown, compared) !== null) return;
      comparePerQuery({ key: compared.id, perQuery: compared.report.perQuery! }, { key: shown.id, perQuery: shown.report.perQuery! });
    },
  };
}
