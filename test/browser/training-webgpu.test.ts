/**
 * The WebGPU trainer (webgpu-trainer.ts) in headless Chromium (SwiftShader): its losses and trained
 * parameters equal the CPU trainer's and the plain reference's on the same batches. Skipped where
 * Debian's chromium is missing; a Chromium without a WebGPU adapter fails (design.md: with
 * --enable-unsafe-webgpu, SwiftShader is always there).
 *
 * AdamW divides the first moment by the root of the second, so with the usual tiny ε its step barely
 * depends on the gradient's size: a gradient off by a constant factor would pass the first tests.
 * The last test takes ε far above the gradients, where the step is about lr·g/ε: proportional to
 * the gradient, so the parameters show its size.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomUnitVectors, seededRandom } from '../../src/core/linalg/random';
import { initHead } from '../../src/core/training/head';
import { referenceState, referenceStep } from '../support/oracles/training';
import { createCpuTrainer } from '../../src/core/training/trainer';
import { CHROMIUM, chromiumAvailable } from '../../src/dev-server/chromium';
import { openWebGpuPage, type WebGpuPage } from '../../src/dev-server/webgpu-page';
import { maxRelError } from '../support/numeric';

const ENTRY = `
import { webgpuTrainer, requestWebGpuDevice } from './src/core/training/webgpu-trainer';
(window as any).trainOnGpu = async (spec: any) => {
  const device = await requestWebGpuDevice((navigator as any).gpu);
  const trainer = await webgpuTrainer(device)(
    { head: { kind: spec.kind, rank: spec.rank }, temperature: spec.temperature, optimizer: spec.optimizer, seed: spec.seed }, spec.dim);
  const losses = [];
  for (const b of spec.batches) losses.push(await trainer.step(Float32Array.from(b), spec.n));
  const head = await trainer.getHead();
  await trainer.dispose();
  device.destroy();
  return { losses, params: Object.fromEntries(Object.entries(head.params).map(([k, v]) => [k, Array.from(v as Float32Array)])) };
};
`;


const USUAL = { learningRate: 0.02, weightDecay: 0.05, warmupSteps: 1, totalSteps: 4 };
/** ε = 10, gradients of about 0.01 to 1: the step is lr·g/(|g| + 10), nearly linear in g. */
const GRADIENT_SIZED = { learningRate: 0.02, weightDecay: 0, warmupSteps: 0, totalSteps: 4, epsilon: 10 };

describe.skipIf(!chromiumAvailable())('WebGPU trainer in Chromium', () => {
  let gpu: WebGpuPage;
  beforeAll(async () => {
    gpu = await openWebGpuPage(ENTRY);
    if (!gpu.adapter) throw new Error(`${CHROMIUM} with --enable-unsafe-webgpu gave no WebGPU adapter; design.md expects SwiftShader there, so this is a broken browser setup, not a reason to skip`);
  }, 60_000);
  afterAll(async () => {
    await gpu?.close();
  });

  const cases = [
    ['adapter', 40, 6, 8, USUAL, 'over 4 steps'],
    ['linear', 24, 24, 5, USUAL, 'over 4 steps'],
    ['adapter', 300, 17, 19, USUAL, 'over 4 steps'],
    ['adapter', 40, 6, 8, GRADIENT_SIZED, 'with a step proportional to the gradient'],
    ['linear', 24, 24, 5, GRADIENT_SIZED, 'with a step proportional to the gradient'],
  ] as const;
  for (const [kind, dim, rank, n, optimizer, how] of cases) {
    test(`${kind} dim ${dim}: losses and parameters match the CPU trainer and the reference ${how}`, async () => {
      const temperature = 0.1;
      const random = seededRandom(dim);
      const batches = Array.from({ length: 4 }, () => {
        const x = randomUnitVectors(2 * n, dim, random);
        for (let t = 0; t < dim; t += 2) x[t] = 0; // sparse-ish rows, like the lexical encoder's
        x.fill(0, (2 * n - 1) * dim); // and an empty text
        return x;
      });
      const spec = { kind, rank, dim, n, temperature, optimizer, seed: 3, batches: batches.map((b) => Array.from(b)) };
      const onGpu = (await gpu.page.evaluate((s) => (window as any).trainOnGpu(s), spec)) as { losses: number[]; params: Record<string, number[]> };

      const cpu = await createCpuTrainer({ head: { kind, rank }, temperature, optimizer, seed: 3 }, dim);
      const reference = await cpu.getHead();
      const state = referenceState(reference);
      for (let k = 0; k < batches.length; k++) {
        const cpuLoss = await cpu.step(batches[k], n);
        const refLoss = referenceStep(reference, state, batches[k], n, temperature, optimizer);
        expect(onGpu.losses[k]).toBeCloseTo(refLoss, 4);
        expect(cpuLoss).toBeCloseTo(refLoss, 4);
      }
      const trained = await cpu.getHead();
      const initial = initHead(kind, dim, rank, 3);
      for (const name of Object.keys(trained.params)) {
        if (optimizer === GRADIENT_SIZED) {
          // The change from the start, so a parameter that starts large (the adapter's A) does not
          // hide an error in its update. (With the usual ε, near-zero gradients make the step's
          // sign, hence this comparison, sensitive to rounding: there only the parameters count.)
          const moved = (p: ArrayLike<number>) => Array.from(p, (v, i) => v - initial.params[name][i]);
          expect(maxRelError(moved(onGpu.params[name]), moved(reference.params[name]))).toBeLessThan(1e-2);
        }
        expect(maxRelError(onGpu.params[name], reference.params[name])).toBeLessThan(1e-3);
        expect(maxRelError(onGpu.params[name], trained.params[name])).toBeLessThan(1e-3);
      }
    }, 60_000);
  }
});
