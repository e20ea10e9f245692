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

/**
 * Decimals for the values printed on a diverging heatmap whose colour scale runs to ±`largest`: a
 * cell is visibly tinted from a tenth of the scale on, so every such value must print as non-zero
 * ("0.00" on a dark cell read as "no change"). Two decimals for scales of 0.1 and wider, then one
 * more per factor of ten, at most four.
 */
export function decimalsForScale(largest: number): number {
  if (!(largest > 0)) return 2;
  return Math.min(4, Math.max(2, Math.ceil(1 - Math.log10(largest) - 1e-9)));
}
