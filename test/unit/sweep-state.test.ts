/**
 * A sweep's plan after a reload (src/app/state/sweep.ts): the runs it still misses, and a time left
 * that falls while a run goes at a steady rate. Worked by hand on runs of exactly 10 s.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/app/state/runs';
import { latestSweep, sweepSecondsLeft } from '../../src/app/state/sweep';

function run(id: string, alpha: number, seed: number, plan = true): Run {
  const sweep = { id, alpha, seed, ...(plan ? { alphas: [0, 0.5, 1], seeds: [1, 2] } : {}) };
  return { kind: 'trained', id: `${id}-${alpha}-${seed}`, training: { sweep } } as unknown as Run;
}

describe('latest sweep', () => {
  it('lists the grid points without a run, in training order (seed by seed)', () => {
    const sweep = latestSweep([run('old', 0, 1), run('s', 0, 1), run('s', 1, 1)])!;
    expect(sweep.id).toBe('s');
    expect(sweep.runs).toHaveLength(2);
    expect(sweep.missing).toEqual([{ alpha: 0.5, seed: 1 }, { alpha: 0, seed: 2 }, { alpha: 0.5, seed: 2 }, { alpha: 1, seed: 2 }]);
  });

  it('knows nothing missing of a sweep stored before runs carried their grid', () => {
    expect(latestSweep([run('s', 0, 1, false)])).toMatchObject({ alphas: null, seeds: null, missing: [] });
    expect(latestSweep([])).toBeNull();
  });
});

describe('sweep time left', () => {
  // Four runs of 10 s from t = 0: run 1 finished at 10 s, run 2 is running.
  const at = (now: number, runLeftSeconds: number | null) =>
    sweepSecondsLeft({ now: now * 1000, sweepStartedAt: 0, runStartedAt: 10_000, finished: 1, runLeftSeconds, runsAfterCurrent: 2 });

  it('is the current run\'s time left plus the runs after it at the pace so far', () => {
    expect(at(13, 7)).toBeCloseTo(27, 9);
    expect(at(16, 4)).toBeCloseTo(24, 9);
    // The old estimate, elapsed / done x runs left, read 39 s and then 48 s here.
  });

  it('falls while the run is encoding (no rate yet), from the finished runs\' pace', () => {
    expect(at(11, null)).toBeCloseTo(29, 9);
    expect(at(12, null)).toBeCloseTo(28, 9);
  });

  it('is unknown before anything is measured', () => {
    expect(sweepSecondsLeft({ now: 5, sweepStartedAt: 0, runStartedAt: 0, finished: 0, runLeftSeconds: null, runsAfterCurrent: 3 })).toBeNull();
  });
});
