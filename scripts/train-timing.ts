/**
 * Timing of training steps, the same code in Node and in a browser page: `steps` steps of a trainer
 * on fixed batches after `warmup` untimed ones (shader compilation, JIT). Pure: the caller brings the
 * trainer factory and the batches.
 */
import type { HeadSettings, HeadTrainerFactory } from '../src/core/training/trainer';
import { initHead } from '../src/core/training/head';
import { referenceState, referenceStep } from '../test/support/oracles/training';

export interface StepTiming {
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  /** Loss of the very first step (a fresh head on batches[0]): the same on every correct path. */
  firstLoss: number;
  losses: number[];
}

export const BENCH_OPTIMIZER = { learningRate: 1e-4, weightDecay: 0.01, warmupSteps: 10, totalSteps: 1000 };
export const BENCH_TEMPERATURE = 0.05;

/** `batches[i]` holds n question rows then n answer rows (2n x dim); step k uses batch k mod length. */
export async function timeTrainerSteps(
  factory: HeadTrainerFactory,
  head: HeadSettings,
  dim: number,
  n: number,
  batches: Float32Array[],
  steps: number,
  warmup = 2,
): Promise<StepTiming> {
  const trainer = await factory({ head, temperature: BENCH_TEMPERATURE, optimizer: BENCH_OPTIMIZER, seed: 1 }, dim);
  try {
    let firstLoss = NaN;
    for (let k = 0; k < warmup; k++) {
      const loss = await trainer.step(batches[k % batches.length], n);
      if (k === 0) firstLoss = loss;
    }
    const losses: number[] = [];
    const start = performance.now();
    for (let k = 0; k < steps; k++) losses.push(await trainer.step(batches[(warmup + k) % batches.length], n));
    const seconds = (performance.now() - start) / 1000;
    return { steps, seconds, stepsPerSecond: steps / seconds, firstLoss: warmup > 0 ? firstLoss : losses[0], losses };
  } finally {
    await trainer.dispose();
  }
}

/** The same timing for the plain reference step (test/support/oracles/training.ts). */
export function timeReferenceSteps(head: HeadSettings, dim: number, n: number, batches: Float32Array[], steps: number): StepTiming {
  const params = initHead(head.kind, dim, head.rank, 1);
  const state = referenceState(params);
  const losses: number[] = [];
  const start = performance.now();
  for (let k = 0; k < steps; k++) losses.push(referenceStep(params, state, batches[k % batches.length], n, BENCH_TEMPERATURE, BENCH_OPTIMIZER));
  const seconds = (performance.now() - start) / 1000;
  return { steps, seconds, stepsPerSecond: steps / seconds, firstLoss: losses[0], losses };
}
