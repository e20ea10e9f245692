/**
 * The embedding map's state (Results cell): the sample size asked for, which language is
 * highlighted, and the map being computed or computed last (one run's; not persisted: it takes
 * seconds to compute again). Its own reducer, which the notebook's reducer hands `map*` actions to.
 */
import type { EmbeddingMap, MapProgress, WireError } from '../../../workers/lab/protocol';
import { sameSource, type DatasetSelection } from './settings';
import { describeSubset, type Run } from './runs';

/** Points in the sample: about a thousand lays out in a few seconds (docs/benchmarks.md, "The embedding map"). */
export const DEFAULT_MAP_SIZE = 1000;
export const MAP_SIZE_LIMITS = { min: 50, max: 5000 } as const;
/** One sample per size: the same points for the encoder and the head, and on every redraw. */
export const MAP_SEED = 1;

export type MapTask =
  | { status: 'idle' }
  | { status: 'running'; id: number; runId: string; progress: MapProgress | null }
  | { status: 'done'; runId: string; map: EmbeddingMap }
  | { status: 'failed'; runId: string; error: WireError };

export interface MapState {
  size: number;
  highlighted: string | null;
  task: MapTask;
}

export const INITIAL_MAP: MapState = { size: DEFAULT_MAP_SIZE, highlighted: null, task: { status: 'idle' } };

export type MapAction =
  | { type: 'mapSizeChanged'; size: number }
  | { type: 'mapLanguageHighlighted'; language: string | null }
  | { type: 'mapStarted'; id: number; runId: string }
  | { type: 'mapProgress'; id: number; progress: MapProgress }
  | { type: 'mapFinished'; id: number; map: EmbeddingMap }
  | { type: 'mapFailed'; id: number; error: WireError };

const MAP_ACTIONS: ReadonlySet<string> = new Set<MapAction['type']>(['mapSizeChanged', 'mapLanguageHighlighted', 'mapStarted', 'mapProgress', 'mapFinished', 'mapFailed']);

export function isMapAction(action: { type: string }): action is MapAction {
  return MAP_ACTIONS.has(action.type);
}

export function mapReducer(state: MapState, action: MapAction): MapState {
  const { task } = state;
  switch (action.type) {
    case 'mapSizeChanged':
      return { ...state, size: action.size };
    case 'mapLanguageHighlighted':
      return { ...state, highlighted: action.language === state.highlighted ? null : action.language };
    case 'mapStarted':
      return { ...state, task: { status: 'running', id: action.id, runId: action.runId, progress: null } };
    case 'mapProgress':
      return task.status === 'running' && task.id === action.id ? { ...state, task: { ...task, progress: action.progress } } : state;
    case 'mapFinished':
      return task.status === 'running' && task.id === action.id ? { ...state, task: { status: 'done', runId: task.runId, map: action.map } } : state;
    case 'mapFailed':
      if (task.status !== 'running' || task.id !== action.id) return state;
      // Cancel leaves no message; any other failure says what went wrong.
      return { ...state, task: action.error.name === 'AbortError' ? { status: 'idle' } : { status: 'failed', runId: task.runId, error: action.error } };
  }
}

/** Why a run's map cannot be drawn now, in words; null when it can (its dataset is the one loaded). */
export function mapUnavailable(run: Run, loaded: DatasetSelection | null): string | null {
  if (!loaded) return `Load Run ${run.number}'s dataset (${run.datasetName}, ${describeSubset(run.selection)}) to draw its map: the map needs the texts and their embeddings.`;
  if (!sameSource(loaded.source, run.selection.source) || describeSubset(loaded) !== describeSubset(run.selection)) {
    return `Run ${run.number} was measured on another dataset or subset (${run.datasetName}, ${describeSubset(run.selection)}) than the one loaded: load it to draw its map.`;
  }
  return null;
}
