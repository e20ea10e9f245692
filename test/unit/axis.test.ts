import { describe, expect, it } from 'vitest';
import { metricAxisRange } from '../../src/app/results/axis';

describe('metricAxisRange', () => {
  const close = ([a, b]: [number, number], [c, d]: [number, number]) => {
    expect(a).toBeCloseTo(c, 12);
    expect(b).toBeCloseTo(d, 12);
  };

  it('centres a single point in the smallest span, within [0, 1]', () => {
    close(metricAxisRange([0.311]), [0.301, 0.321]);
    close(metricAxisRange([0.005]), [0, 0.02]); // not below 0
    close(metricAxisRange([0.999]), [0.98, 1]); // not above 1
  });

  it('spreads values with a 20% margin once they are wider than the smallest span', () => {
    close(metricAxisRange([0.2, 0.3, 0.4]), [0.18, 0.42]);
  });

  it('is the whole scale with nothing to show', () => {
    expect(metricAxisRange([])).toEqual([0, 1]);
  });
});
