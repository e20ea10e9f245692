/**
 * The training loss as one line per batch type. A mix draws mono and cross batches in turn, and a
 * cross batch's InfoNCE loss is several times a mono batch's (~5 against ~1 on XQuAD-R with the
 * lexical encoder), so one line over all steps is a sawtooth that hides the trend. Each type's
 * values are smoothed on their own, by an exponential moving average with TensorBoard's bias
 * correction (the first values are not pulled towards 0).
 */
import type { BatchType } from '../../core/training';

export interface LossLine {
  /** `all`: a run stored before steps kept their batch type. */
  type: BatchType | 'all';
  steps: number[];
  raw: number[];
  smoothed: number[];
}

/** The moving average's span (in steps of one type) for a line of `count` values: a tenth of it, 1 to 50. */
export function smoothingSpan(count: number): number {
  return Math.min(50, Math.max(1, Math.round(count / 10)));
}

/** Exponential moving average with span `span` (weight 2 / (span + 1) on the newest value), bias-corrected. */
export function smooth(values: number[], span: number): number[] {
  const keep = 1 - 2 / (span + 1);
  let average = 0;
  return values.map((value, i) => {
    average = keep * average + (1 - keep) * value;
    return keep === 0 ? value : average / (1 - keep ** (i + 1));
  });
}

/** Step k (1-based) has loss `loss[k - 1]` and batch type `batchTypes[k - 1]`; types in the order first seen. */
export function lossLines(loss: number[], batchTypes: BatchType[] | undefined, span?: number): LossLine[] {
  const typed = batchTypes !== undefined && batchTypes.length === loss.length;
  const groups = new Map<BatchType | 'all', { steps: number[]; raw: number[] }>();
  loss.forEach((value, i) => {
    const type = typed ? batchTypes[i] : 'all';
    const group = groups.get(type) ?? { steps: [], raw: [] };
    group.steps.push(i + 1);
    group.raw.push(value);
    groups.set(type, group);
  });
  return [...groups].map(([type, { steps, raw }]) => ({ type, steps, raw, smoothed: smooth(raw, span ?? smoothingSpan(raw.length)) }));
}
