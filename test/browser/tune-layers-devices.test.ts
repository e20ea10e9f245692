/**
 * The device rule (design.md, Devices; core/devices.ts) for tuning the top layers in the notebook,
 * in Chromium with only a software WebGPU adapter (SwiftShader): WebGPU picked by hand tunes the
 * tiny model's top layer on onnxruntime-web's WebGPU EP and says so; auto on the same page passes
 * the software adapter over for WASM and says why; both runs start from the same frozen model and
 * end with the same losses and metrics within float32 rounding (tolerances below).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beforeAfterTitles, chooseServedModel, loadLocalSubset, openNotebook, readLoss, SHOTS_DIR, startHarness, writeTestModel, type Harness } from '../support/harness';

const STEPS = 3;
/** With batch 16, large enough, without warm-up, that the 3 steps beat step 0 on validation (`xling train` keeps step 3 with these settings). */
const LEARNING_RATE = '0.002';
/**
 * The two EPs compute the same float32 graphs in different orders: the losses differed by at most
 * 2.2e-8 relative (3 December 2026), the metrics not at all; 1e-5 and 1e-4 leave room for rounding
 * to move a tie, and stay far below what the 3 steps change (the test checks that they do change).
 */
const LOSS_TOLERANCE = 1e-5;
const METRIC_TOLERANCE = 1e-4;
const METRICS = ['mono_map', 'cross_map', 'multi_map'] as const;

interface LayerRun {
  finished: string;
  note: string;
  losses: number[];
  before: Record<string, number>;
  after: Record<string, number>;
}

async function trainLayers(page: Page, trainCell: Locator, device: 'webgpu' | 'auto', run: number): Promise<LayerRun> {
  await trainCell.getByLabel('Trainer device').selectOption(device);
  await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
  const finished = trainCell.getByTestId('finished-training').filter({ hasText: `Run ${run}:` });
  await finished.waitFor({ timeout: 600_000 });
  return {
    finished: (await finished.textContent())!,
    note: (await trainCell.getByTestId('finished-trainer-note').textContent())!,
    losses: await readLoss(page),
    ...(await beforeAfterTitles(page)),
  };
}

describe('tuning the top layers on the device the rule picks', () => {
  let harness: Harness;

  beforeAll(async () => {
    const modelsDir = await mkdtemp(path.join(tmpdir(), 'xling-tune-devices-'));
    await writeTestModel(path.join(modelsDir, 'tiny'));
    harness = await startHarness({ webgpu: true, modelsDir });
  }, 120_000);
  afterAll(() => harness?.close());

  it('WebGPU by hand runs the layers on the WebGPU EP; auto passes SwiftShader over for WASM; both agree', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, ['de', 'en'], 4);
    await chooseServedModel(page, 'tiny');
    // The Train cell learns the model's size from a loaded model.
    await page.getByRole('button', { name: 'Load model' }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });

    const trainCell = page.locator('#train');
    await trainCell.locator('select:has(option[value="layers"])').selectOption({ label: "the encoder's top layers" });
    await trainCell.getByLabel('Top layers', { exact: true }).fill('1');
    await page.locator('#batch-mix').getByLabel('Batch size', { exact: true }).fill('16');
    await trainCell.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await trainCell.getByLabel('Learning rate', { exact: true }).fill(LEARNING_RATE);
    await trainCell.getByLabel('Warm-up', { exact: true }).fill('0');
    await trainCell.getByLabel('Evaluate every', { exact: true }).fill('0');

    const gpu = await trainLayers(page, trainCell, 'webgpu', 1);
    expect(gpu.finished).toContain('on onnxruntime-web webgpu;');
    expect(gpu.note).toContain('WebGPU on a software adapter (SwiftShader), as chosen');
    await trainCell.getByTestId('finished-training').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'tune-layers-webgpu.png'), fullPage: false });

    const wasm = await trainLayers(page, trainCell, 'auto', 2);
    expect(wasm.finished).toContain('on onnxruntime-web wasm;');
    expect(wasm.note).toMatch(/only WebGPU adapter is a software one \(SwiftShader\): running on onnxruntime-web's WASM/);

    expect(gpu.losses).toHaveLength(STEPS);
    expect(wasm.losses).toHaveLength(STEPS);
    gpu.losses.forEach((loss, step) => expect(Math.abs(loss - wasm.losses[step]), `step ${step + 1}`).toBeLessThan(LOSS_TOLERANCE * wasm.losses[step]));
    // The layer moved, so "after" compares trained layers, not the frozen model twice.
    expect(METRICS.some((metric) => Math.abs(wasm.after[metric] - wasm.before[metric]) > 10 * METRIC_TOLERANCE)).toBe(true);
    for (const metric of METRICS) {
      expect(Math.abs(gpu.before[metric] - wasm.before[metric]), `before ${metric}`).toBeLessThan(METRIC_TOLERANCE);
      expect(Math.abs(gpu.after[metric] - wasm.after[metric]), `after ${metric}`).toBeLessThan(METRIC_TOLERANCE);
    }
    expect(errors).toEqual([]);
    await context.close();
  }, 900_000);
});
