/**
 * Is a difference between two runs real? The notebook computes design.md's paired statistics
 * (src/core/stats/paired.ts) in the lab worker, with the same resamples and seed as `xling
 * compare`'s defaults, so both give the same numbers. Comparisons are kept by a key naming the two
 * sides, so the comparison view and the compare-mixes tables each find theirs.
 */
import type { PerQueryValues } from '../../core/metrics/types';
import type { ComparisonReport } from '../../core/stats/paired';
import { resamplesForCells } from '../../core/stats/paired';
import type { Run } from './runs';
import type { Task } from './task';

export const SIGNIFICANCE_SEED = 1;

/**
 * Resamples and permutations for runs over these languages: design.md's 2000, or more where Holm
 * over the language x language cells needs them to be able to mark any cell (5000 for XQuAD-R's
 * 11 languages). `xling compare --resamples <the same>` gives the same numbers.
 */
export function significanceResamples(perQuery: PerQueryValues): number {
  return resamplesForCells(perQuery.languages.length ** 2);
}

/** Paired statistics of two sides of a comparison, computed in the lab worker. */
export type SignificanceTask = Task<null, { done: number; total: number } | null, ComparisonReport>;

/** One side of a comparison: a name unique among the runs and its per-query values. */
export interface ComparedSide {
  key: string;
  perQuery: PerQueryValues;
}

/** The key of comparison B against A (delta = B − A). */
export function comparisonKey(a: string, b: string): string {
  return `${a} -> ${b}`;
}

/**
 * The shown run against the compared one: delta = shown − compared (the difference heatmap's
 * direction), so the compared run is the core's A and the shown run its B.
 */
export function significanceKey(shown: Run, compared: Run): string {
  return comparisonKey(compared.id, shown.id);
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

/** The finished comparison under this key, if there is one. */
export function finishedComparison(tasks: Record<string, SignificanceTask>, key: string): ComparisonReport | null {
  const task = tasks[key];
  return task?.status === 'done' ? task.result : null;
}
