/**
 * Aggregates of a sweep over alpha (the weight of mono batches) and training seeds: the mean and the
 * spread over seeds of every summary metric, and the Pareto front of the mono / cross trade-off.
 * Shared by `xling sweep` and the notebook's Sweep cell.
 */
import type { EvalSummary } from '../metrics/types';

export type SummaryStatistic = Record<keyof EvalSummary, number | null>;

/**
 * Mean and sample standard deviation (n - 1) over seeds of every summary metric; sd is null for a
 * single seed, and both are null when a run has no value for the metric.
 */
export function meanAndSd(summaries: EvalSummary[]): { mean: SummaryStatistic; sd: SummaryStatistic } {
  const mean = {} as SummaryStatistic;
  const sd = {} as SummaryStatistic;
  for (const key of Object.keys(summaries[0]) as (keyof EvalSummary)[]) {
    const xs = summaries.map((s) => s[key]);
    if (xs.some((x) => x === null || x === undefined || Number.isNaN(x))) {
      mean[key] = sd[key] = null;
      continue;
    }
    const values = xs as number[];
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[key] = m;
    sd[key] = values.length > 1 ? Math.sqrt(values.reduce((a, x) => a + (x - m) ** 2, 0) / (values.length - 1)) : null;
  }
  return { mean, sd };
}

/**
 * The points no other point beats on both coordinates (higher is better on both; a tie on both
 * keeps the first), as indices sorted by x: the trade-off curve worth choosing from.
 */
export function paretoFront(points: readonly { x: number; y: number }[]): number[] {
  const front = points
    .map((_, i) => i)
    .filter((i) => !points.some((q, j) => j !== i && q.x >= points[i].x && q.y >= points[i].y && (q.x > points[i].x || q.y > points[i].y || j < i)));
  return front.sort((i, j) => points[i].x - points[j].x);
}
