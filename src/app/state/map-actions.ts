/** Starts and cancels the embedding map in the lab worker and reports through reducer actions. */
import type { Dispatch } from 'react';
import { toWireError } from '../../../workers/rpc';
import type { LabClient } from '../worker-client';
import { loadHead } from './heads';
import { MAP_SEED } from './map';
import type { Action, AppState } from './app-state';
import type { Run } from './runs';
import { splitChoice } from './training';

export interface MapActions {
  /** The map of a run's encoder (and, for a trained run, with its head) on a sample of the loaded dataset. */
  drawMap(run: Run): void;
  cancelMap(): void;
}

export function createMapActions(client: LabClient, dispatch: Dispatch<Action>, getState: () => AppState): MapActions {
  let nextTask = 1;
  let call: number | null = null;
  return {
    drawMap(run) {
      if (getState().map.task.status === 'running') return;
      const id = nextTask++;
      dispatch({ type: 'mapStarted', id, runId: run.id });
      void (async () => {
        try {
          const head = run.kind === 'trained' ? await loadHead(run.id) : null;
          const trained = run.kind === 'trained' && head ? { head, split: splitChoice(run.training.mix) } : null;
          const { encoder, candidateText, scoring } = run;
          const started = client.call('projectMap', { request: { encoder, candidateText, scoring, size: getState().map.size, seed: MAP_SEED, trained } }, (progress) =>
            dispatch({ type: 'mapProgress', id, progress }),
          );
          call = started.id;
          const { map } = await started.reply;
          dispatch({ type: 'mapFinished', id, map });
        } catch (error) {
          dispatch({ type: 'mapFailed', id, error: toWireError(error) });
        } finally {
          call = null;
        }
      })();
    },
    cancelMap() {
      if (call !== null) client.cancel(call);
    },
  };
}
