/** When the notebook can pair two runs for CIs and p-values, and what it says when it cannot. */
import { describe, expect, it } from 'vitest';
import type { PerQueryValues } from '../../src/core/metrics/types';
import { finishedComparison, significanceKey, significanceUnavailable } from '../../src/app/state/significance';
import type { Run } from '../../src/app/state/runs';
import type { ComparisonReport } from '../../src/core/stats/paired';

function run(number: number, fingerprint: string | null): Run {
  const perQuery = fingerprint === null ? undefined : ({ datasetFingerprint: fingerprint } as PerQueryValues);
  return { id: `run-${number}`, number, report: { perQuery } } as unknown as Run;
}

describe('significanceUnavailable', () => {
  it('pairs runs on the same data', () => {
    expect(significanceUnavailable(run(2, 'f'), run(1, 'f'))).toBeNull();
  });

  it('says which runs were stored before per-query values existed (old saved runs)', () => {
    expect(significanceUnavailable(run(2, 'f'), run(1, null))).toMatch(/^Run 1 was stored before runs kept per-query values/);
    expect(significanceUnavailable(run(2, null), run(1, null))).toMatch(/^Run 1 and Run 2 were stored before/);
  });

  it('refuses runs on different data, saying so', () => {
    expect(significanceUnavailable(run(2, 'f'), run(1, 'g'))).toMatch(/measured different questions/);
  });
});

describe('finishedComparison', () => {
  it('gives a finished comparison only to the pair it was computed for, in its direction', () => {
    const comparison = { seed: 1 } as ComparisonReport;
    const [a, b, c] = [run(1, 'f'), run(2, 'f'), run(3, 'f')];
    const tasks = { [significanceKey(b, a)]: { status: 'done', job: null, result: comparison } as const, [significanceKey(c, a)]: { status: 'running', id: 1, job: null, progress: null } as const };
    expect(finishedComparison(tasks, significanceKey(b, a))).toBe(comparison);
    expect(finishedComparison(tasks, significanceKey(a, b))).toBeNull();
    expect(finishedComparison(tasks, significanceKey(c, a))).toBeNull();
  });
});
