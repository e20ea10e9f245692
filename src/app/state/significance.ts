/**
 * Is the difference between the shown run and the compared run real? The notebook computes
 * design.md's paired statistics (src/core/stats/paired.ts) in the lab worker, with the same
 * resamples and seed as `xling compare`'s defaults, so both give the same numbers.
 */
import type { WireError } from '../../../workers/lab/protocol';
import type { ComparisonReport } from '../../core/stats/paired';
import { DEFAULT_RESAMPLES } from '../../core/stats/paired';
import type { Run } from './runs';

export const SIGNIFICANCE_RESAMPLES = DEFAULT_RESAMPLES;
export const SIGNIFICANCE_SEED = 1;

export type SignificanceTask =
  | { status: 'idle' }
  | { status: 'running'; id: number; key: string; progress: { done: number; total: number } | null }
  | { status: 'done'; key: string; comparison: ComparisonReport }
  | { status: 'failed'; key: string; error: WireError };

/**
 * Which comparison a task is for: delta = shown − compared (the difference heatmap's direction), so
 * the compared run is the core's A and the shown run its B.
 */
export function significanceKey(shown: Run, compared: Run): string {
  return `${compared.id} -> ${shown.id}`;
}

/** Why two runs cannot be compared with CIs and p-values, in words; null when they can. */
export function significanceUnavailable(shown: Run, compared: Run): string | null {
  const missing = [compared, shown].filter((run) => !run.report.perQuery).map((run) => `Run ${run.number}`);
  if (missing.length > 0) {
    return `${missing.join(' and ')} ${missing.length > 1 ? 'were' : 'was'} stored before runs kept per-query values, ` +
      'so only the differences are shown, without confidence intervals or p-values. Evaluate or train again to get them.';
  }
  const a = compared.report.perQuery!;
  const b = shown.report.perQuery!;
  if (a.datasetFingerprint !== b.datasetFingerprint) {
    return `Run ${shown.number} and Run ${compared.number} measured different questions (another dataset, subset or ` +
      'evaluation side of a split), so their queries cannot be paired: the differences are shown without confidence intervals or p-values.';
  }
  return null;
}

/** The finished comparison of these two runs, if the task holds it. */
export function significanceOf(task: SignificanceTask, shown: Run, compared: Run): ComparisonReport | null {
  return task.status === 'done' && task.key === significanceKey(shown, compared) ? task.comparison : null;
}
