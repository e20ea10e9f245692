import { describe, expect, it } from 'vitest';
import { decimalsForScale, metricAxisRange } from '../../src/app/results/axis';

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

describe('decimalsForScale', () => {
  it('prints two decimals on scales of 0.1 and wider, three below, four at most', () => {
    expect([0.5, 0.1, 0.099, 0.05, 0.011, 0.01, 0.0099, 0.001, 0.00001].map(decimalsForScale)).toEqual([2, 2, 3, 3, 3, 3, 4, 4, 4]);
  });

  it('never prints a tinted cell (a tenth of the scale or more) as zero', () => {
    for (const largest of [0.3, 0.12, 0.06, 0.02, 0.013, 0.01, 0.004]) {
      const digits = decimalsForScale(largest);
      for (const share of [0.1, 0.25, 0.5, 1]) {
        expect(Number((largest * share).toFixed(digits)), `${largest * share} on a ±${largest} scale`).not.toBe(0);
      }
    }
  });
});
