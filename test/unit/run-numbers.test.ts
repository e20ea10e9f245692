/**
 * A stored run skipped as unreadable keeps its number: the next run is numbered above it (a repaired
 * record read back later, or the downloaded copy imported, must not clash with a newer run).
 */
import { describe, expect, it } from 'vitest';
import { numberClaimedBySkipped } from '../../src/app/state/run-store';

const skipped = (record: unknown) => ({ key: 'k', reason: 'r', record });

describe('numbers of skipped runs', () => {
  it('is the highest positive integer number a skipped record carries', () => {
    expect(numberClaimedBySkipped([
      skipped({ version: 1, run: { number: 7, report: { summary: null } } }),
      skipped({ version: 1, run: { number: 3 } }),
      skipped({ version: 99, run: { number: 12 } }),
    ])).toBe(12);
  });

  it('ignores records with no usable number', () => {
    expect(numberClaimedBySkipped([])).toBe(0);
    expect(numberClaimedBySkipped([
      skipped('not an object'),
      skipped({ version: 1, run: null }),
      skipped({ version: 1, run: { number: '9' } }),
      skipped({ version: 1, run: { number: 2.5 } }),
      skipped({ version: 1, run: { number: -4 } }),
      skipped({ version: 1, run: { number: Infinity } }),
      skipped({ version: 1, run: { number: 1e300 } }),
    ])).toBe(0);
  });
});
