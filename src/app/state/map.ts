/**
 * The embedding map (Results cell): its sizes, and why a run's map cannot be drawn now. Its state
 * is the MapSlice of app-state.ts, its reducer slices/map.ts.
 */
import { sameSource, type DatasetSelection } from './settings';
import { integer } from './setting-fields';
import { describeSubset, type Run } from './runs';

/** Points in the sample: about a thousand lays out in a few seconds (docs/benchmarks.md, "The embedding map"). */
export const DEFAULT_MAP_SIZE = 1000;
export const MAP_SIZE_LIMITS = { min: 50, max: 5000 } as const;
/** The size field's check (not a setting: never stored or linked). */
export const MAP_SIZE_FIELD = integer(null, MAP_SIZE_LIMITS.min, DEFAULT_MAP_SIZE, MAP_SIZE_LIMITS.max);
/** One sample per size: the same points for the encoder and the head, and on every redraw. */
export const MAP_SEED = 1;

/** Why a run's map cannot be drawn now, in words; null when it can (its dataset is the one loaded). */
export function mapUnavailable(run: Run, loaded: DatasetSelection | null): string | null {
  if (!loaded) return `Load Run ${run.number}'s dataset (${run.datasetName}, ${describeSubset(run.selection)}) to draw its map: the map needs the texts and their embeddings.`;
  if (!sameSource(loaded.source, run.selection.source) || describeSubset(loaded) !== describeSubset(run.selection)) {
    return `Run ${run.number} was measured on another dataset or subset (${run.datasetName}, ${describeSubset(run.selection)}) than the one loaded: load it to draw its map.`;
  }
  return null;
}
