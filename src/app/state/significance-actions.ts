/** Starts paired statistics in the lab worker and reports them through reducer actions. */
import type { Dispatch } from 'react';
import { toWireError } from '../../../workers/rpc';
import type { LabClient } from '../worker-client';
import { taskError } from './task';
import type { Action, AppState } from './app-state';
import { comparisonKey, SIGNIFICANCE_SEED, significanceResamples, type ComparedSide } from './significance';

export interface SignificanceActions {
  /** CIs and p-values of b − a under comparisonKey(a.key, b.key), unless computed or being computed. */
  comparePerQuery(a: ComparedSide, b: ComparedSide): void;
}

export function createSignificanceActions(client: LabClient, dispatch: Dispatch<Action>, getState: () => AppState): SignificanceActions {
  let nextTask = 1;
  /** Keys asked for in this session: the state seen through getState may be a render behind. */
  const requested = new Set<string>();

  function comparePerQuery(a: ComparedSide, b: ComparedSide): void {
    const key = comparisonKey(a.key, b.key);
    // Asked again after a failure (or after the worker running it stopped).
    if (requested.has(key) && taskError(getState().significance[key]) === null) return;
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

  return { comparePerQuery };
}
