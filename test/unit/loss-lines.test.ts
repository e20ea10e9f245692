/** The loss chart's lines (src/app/results/loss-lines.ts): one per batch type, smoothed on its own; worked by hand. */
import { describe, expect, it } from 'vitest';
import { lossLines, smooth, smoothingSpan } from '../../src/app/results/loss-lines';

describe('loss lines', () => {
  it('split a mono / cross sawtooth into one line per batch type, at the steps of that type', () => {
    const lines = lossLines([1, 5, 1, 5, 2, 6], ['mono', 'cross', 'mono', 'cross', 'mono', 'cross'], 3);
    expect(lines.map((line) => [line.type, line.steps, line.raw])).toEqual([
      ['mono', [1, 3, 5], [1, 1, 2]],
      ['cross', [2, 4, 6], [5, 5, 6]],
    ]);
    // Span 3: weight 0.5 on the newest value. mono: 0.5 / 0.5 = 1; 0.75 / 0.75 = 1; (0.375 + 1) / 0.875 = 11/7.
    lines[0].smoothed.forEach((value, i) => expect(value).toBeCloseTo([1, 1, 11 / 7][i], 12));
    // cross: 2.5 / 0.5 = 5; 3.75 / 0.75 = 5; (1.875 + 3) / 0.875 = 39/7.
    lines[1].smoothed.forEach((value, i) => expect(value).toBeCloseTo([5, 5, 39 / 7][i], 12));
  });

  it('keep one line when the steps have no batch types (runs stored before they did)', () => {
    const [line, ...rest] = lossLines([3, 1], undefined, 1);
    expect(rest).toEqual([]);
    expect(line).toEqual({ type: 'all', steps: [1, 2], raw: [3, 1], smoothed: [3, 1] });
  });

  it('smooth over a tenth of a type\'s steps, 1 to 50', () => {
    expect([3, 10, 44, 1000].map(smoothingSpan)).toEqual([1, 1, 4, 50]);
    expect(smooth([2, 4], 1)).toEqual([2, 4]);
  });
});
