/**
 * The range of an axis of a metric in [0, 1] (mAP, R@10): the values with a margin, never below 0
 * or above 1, and at least `minSpan` wide, so that a single point or a flat line is not stretched
 * over a range of noise (Plotly's own range for one point ran from -0.16 to 0.97).
 */
export function metricAxisRange(values: number[], minSpan = 0.02): [number, number] {
  if (values.length === 0) return [0, 1];
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = Math.max(minSpan, (high - low) * 1.2);
  const middle = (low + high) / 2;
  const from = Math.max(0, Math.min(middle - span / 2, 1 - span));
  return [from, Math.min(1, from + span)];
}
