/**
 * The notebook's reducer: every action goes to every cell's slice reducer (slices/), each of which
 * reads the state before the action and returns the fields of its own slice that change. The state's
 * types are in app-state.ts.
 */
import type { Action, AppState, PersistedState } from './app-state';
import { DEFAULT_SETTINGS } from './settings';
import { IDLE } from './task';
import { reduceDataset } from './slices/dataset';
import { reduceEncoder } from './slices/encoder';
import { reduceEvaluation } from './slices/evaluation';
import { reduceMix } from './slices/mix';
import { reduceResults } from './slices/results';
import { reduceSettings } from './slices/settings';
import { reduceSweep } from './slices/sweep';
import { reduceTraining } from './slices/training';
import { reduceMap } from './slices/map';
import { DEFAULT_MAP_SIZE } from './map';

export function initialState(persisted: PersistedState | null): AppState {
  return {
    settings: persisted?.settings ?? DEFAULT_SETTINGS,
    invalidFields: {},
    folderIndex: null,
    catalogCache: {},
    loaded: null,
    datasetTask: IDLE,
    modelIndex: null,
    model: IDLE,
    modelCache: null,
    modelCacheError: null,
    embeddingFiles: { sets: null, storing: false, fit: null, error: null },
    evaluation: IDLE,
    mixPreview: { task: IDLE, preview: null, error: null },
    training: IDLE,
    headExportError: null,
    stopNote: null,
    runs: persisted?.runs ?? [],
    selectedRunId: persisted?.selectedRunId ?? null,
    compareRunId: persisted?.compareRunId ?? null,
    significance: {},
    runsImport: null,
    sweep: IDLE,
    classroom: null,
    map: { size: DEFAULT_MAP_SIZE, highlighted: null, task: IDLE },
  };
}

/** The state after `action`; the very same object when no slice changed (an answer for a task that is no longer running). */
export function reducer(state: AppState, action: Action): AppState {
  const patch: Partial<AppState> = {
    ...reduceSettings(state, action),
    ...reduceDataset(state, action),
    ...reduceEncoder(state, action),
    ...reduceEvaluation(state, action),
    ...reduceMix(state, action),
    ...reduceTraining(state, action),
    ...reduceResults(state, action),
    ...reduceSweep(state, action),
    ...reduceMap(state, action),
  };
  const changed = (Object.keys(patch) as (keyof AppState)[]).some((key) => patch[key] !== state[key]);
  return changed ? { ...state, ...patch } : state;
}
