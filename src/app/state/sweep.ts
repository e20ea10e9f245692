/**
 * A sweep's plan and how far it got: every run of a sweep carries the whole grid (alphas x seeds),
 * so after a reload (the page left mid-sweep) or a Stop the notebook knows which runs are missing
 * and can finish the sweep; and the sweep's time left.
 */
import type { Run, TrainedRun } from './runs';

export interface SweepState {
  id: string;
  /** The grid; null for a sweep stored before runs carried it (then nothing is known missing). */
  alphas: number[] | null;
  seeds: number[] | null;
  /** The runs of the sweep, in training order. */
  runs: TrainedRun[];
  /** Points of the grid without a run, in the order the sweep trains them (seed by seed, alpha by alpha). */
  missing: { alpha: number; seed: number }[];
}

/** The most recent sweep among `runs`; null when there is none. */
export function latestSweep(runs: Run[]): SweepState | null {
  const trained = runs.filter((run): run is TrainedRun => run.kind === 'trained' && run.training.sweep !== undefined);
  const last = trained.at(-1)?.training.sweep;
  if (!last) return null;
  const members = trained.filter((run) => run.training.sweep?.id === last.id);
  const plan = members.find((run) => run.training.sweep?.alphas && run.training.sweep.seeds)?.training.sweep;
  const alphas = plan?.alphas ?? null;
  const seeds = plan?.seeds ?? null;
  const has = (alpha: number, seed: number) => members.some((run) => run.training.sweep!.alpha === alpha && run.training.sweep!.seed === seed);
  const missing = alphas && seeds ? seeds.flatMap((seed) => alphas.filter((alpha) => !has(alpha, seed)).map((alpha) => ({ alpha, seed }))) : [];
  return { id: last.id, alphas, seeds, runs: members, missing };
}

/**
 * Seconds until the sweep ends; null until something is known. Times in ms. Each run is taken to
 * last as long as the runs of this sitting so far, the current one counted with its own time left
 * (`runLeftSeconds`, from the training's rate): so while a run goes at a steady rate the estimate
 * only falls (before, elapsed / done x runs left grew all through a run).
 */
export function sweepSecondsLeft(p: {
  now: number;
  /** When this sitting of the sweep started (a finished sweep restarts the clock). */
  sweepStartedAt: number;
  /** When the run being trained started; null between runs. */
  runStartedAt: number | null;
  /** Runs finished in this sitting. */
  finished: number;
  runLeftSeconds: number | null;
  /** Runs still to train after the current one. */
  runsAfterCurrent: number;
}): number | null {
  const { now, sweepStartedAt, runStartedAt, finished, runLeftSeconds, runsAfterCurrent } = p;
  if (runLeftSeconds !== null) {
    const perRun = (now + runLeftSeconds * 1000 - sweepStartedAt) / (finished + 1);
    return runLeftSeconds + (perRun / 1000) * runsAfterCurrent;
  }
  if (finished > 0 && runStartedAt !== null) {
    const perRun = (runStartedAt - sweepStartedAt) / finished;
    return (Math.max(0, perRun - (now - runStartedAt)) + perRun * runsAfterCurrent) / 1000;
  }
  return null;
}
