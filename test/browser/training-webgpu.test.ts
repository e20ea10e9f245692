/**
 * The WebGPU trainer (webgpu-trainer.ts) in headless Chromium (SwiftShader): its losses and trained
 * parameters equal the CPU trainer's and the plain reference's on the same batches. Skipped where
 * Debian's chromium is missing or the page has no WebGPU adapter.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomUnitVectors, seededRandom } from '../../src/core/linalg/random';
import { referenceState, referenceStep } from '../../src/core/training/reference';
import { createCpuTrainer } from '../../src/core/training/trainer';
import { chromiumAvailable, openWebGpuPage, type WebGpuPage } from '../../src/node/webgpu-page';
import { maxRelError } from '../numeric';

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


describe.skipIf(!chromiumAvailable())('WebGPU trainer in Chromium', () => {
  let gpu: WebGpuPage;
  beforeAll(async () => {
    gpu = await openWebGpuPage(ENTRY);
  }, 60_000);
  afterAll(async () => {
    await gpu?.close();
  });

  for (const [kind, dim, rank, n] of [['adapter', 40, 6, 8], ['linear', 24, 24, 5], ['adapter', 300, 17, 19]] as const) {
    test(`${kind} dim ${dim}: losses and parameters match the CPU trainer and the reference over 4 steps`, async (ctx) => {
      if (!gpu.adapter) ctx.skip();
      const optimizer = { learningRate: 0.02, weightDecay: 0.05, warmupSteps: 1, totalSteps: 4 };
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
      for (const name of Object.keys(trained.params)) {
        expect(maxRelError(onGpu.params[name], reference.params[name])).toBeLessThan(1e-3);
        expect(maxRelError(onGpu.params[name], trained.params[name])).toBeLessThan(1e-3);
      }
    }, 60_000);
  }
});
