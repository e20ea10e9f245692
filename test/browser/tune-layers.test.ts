/**
 * Tuning the encoder's top layer in the notebook, in Chromium, with a served tiny test model: the
 * Train cell states the trainable parameters; the run keeps the layers, trained on onnxruntime-web;
 * its "before" equals the frozen model in Node (the tuned path at 0 steps is the frozen model), its
 * "after" equals `xling train --tune layers:1` in Node; the exported zip is a model folder that
 * loads back as a served folder and evaluates to Node's numbers for it; the run survives a reload.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateTexts } from '../../src/core/dataset/texts';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { splitByArticles } from '../../src/core/training';
import { measurePart } from '../../src/core/training/run';
import { createOnnxEncoder } from '../../src/node/onnx-encoder';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { beforeAfterTitles, chooseServedModel, loadLocalSubset, openNotebook, readSummaryTitles, ROOT, SHOTS_DIR, startHarness, writeTestModel, XQUAD_R_DIR, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en', 'es'];
const ARTICLES = 10;
const STEPS = 6;
const BATCH = 16;
/** Large enough, without warm-up, that 6 steps move the layer (the default keeps step 0 on this model). */
const LEARNING_RATE = '0.002';
const METRICS = ['mono_map', 'cross_map', 'multi_map'] as const;

/** Evaluates and waits for this run's timings (the nth run of the page). */
async function evaluate(page: Page, run: number): Promise<Record<string, string | null>> {
  await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
  const timings = page.getByTestId('timings').filter({ hasText: `Run ${run}:` });
  await timings.getByTestId('encoder-runtime').filter({ hasText: 'WASM, 32-d' }).waitFor({ timeout: 180_000 });
  return readSummaryTitles(page);
}

describe('tuning the top layers in the notebook', () => {
  let harness: Harness;
  let modelsDir: string;
  let tinyDir: string;

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'xling-tune-models-'));
    tinyDir = path.join(modelsDir, 'tiny');
    await writeTestModel(tinyDir);
    harness = await startHarness({ modelsDir });
  }, 120_000);
  afterAll(() => harness?.close());

  it('tunes the top layer, matches Node before and after, exports a model folder that loads back', async () => {
    const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages: LANGUAGES, articles: ARTICLES });
    // The frozen model on the evaluation side of the notebook's split, as Node computes it.
    const node = await createOnnxEncoder(tinyDir);
    const embeddings = {
      queries: await node.encode(dataset.queries.map((q) => q.text), 'query'),
      candidates: await node.encode(candidateTexts(dataset, 'sentence'), 'passage'),
    };
    await node.dispose();
    const split = splitByArticles(dataset, { train: 0.5, validation: 0.2, seed: 1 });
    const frozen = await measurePart(split.evaluation, embeddings, 32, undefined, jsMatmul);

    // The same run through the CLI, with its exported folder.
    const work = await mkdtemp(path.join(tmpdir(), 'xling-tune-cli-'));
    await promisify(execFile)(process.execPath, [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', 'train', '--dataset', XQUAD_R_DIR,
      '--languages', LANGUAGES.join(','), '--articles', String(ARTICLES), '--encoder', `onnx:${tinyDir}`,
      '--tune', 'layers:1', '--steps', String(STEPS), '--lr', LEARNING_RATE, '--warmup', '0', '--batch', String(BATCH), '--seed', '1', '--out', path.join(work, 'report.json'),
    ], { cwd: ROOT, maxBuffer: 1 << 24 });
    const cli = JSON.parse(await readFile(path.join(work, 'report.json'), 'utf8')) as { before: { summary: Record<string, number> }; after: { summary: Record<string, number> } };
    for (const metric of METRICS) expect(cli.before.summary[metric]).toBeCloseTo(frozen.summary[metric]!, 6);

    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    await page.getByRole('radio', { name: /JavaScript/ }).check();
    await chooseServedModel(page, 'tiny');
    await evaluate(page, 1);
    // The Train cell learns the model's size from a loaded model (an evaluation alone does not tell it).
    await page.getByRole('button', { name: 'Load model' }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });

    const trainCell = page.locator('#train');
    await trainCell.locator('select:has(option[value="layers"])').selectOption({ label: "the encoder's top layers" });
    await trainCell.getByLabel('Top layers', { exact: true }).fill('1');
    // No head to choose when the layers are tuned.
    expect(await trainCell.locator('select:has(option[value="adapter"])').isVisible()).toBe(false);
    // The tiny model's layer (hidden 32, intermediate 128): 4·(32·32+32) attention + (32·128+128) + (128·32+32)
    // feed-forward + 4·32 for two LayerNorms = 12,704.
    await expect.poll(() => trainCell.getByTestId('layer-plan').textContent()).toMatch(/^12,704 trainable parameters/);
    await page.locator('#batch-mix').getByLabel('Batch size', { exact: true }).fill(String(BATCH));
    await trainCell.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await trainCell.getByLabel('Learning rate', { exact: true }).fill(LEARNING_RATE);
    await trainCell.getByLabel('Warm-up', { exact: true }).fill('0');
    await trainCell.getByLabel('Evaluate every', { exact: true }).fill('0');
    await trainCell.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'tune-layers-plan.png'), fullPage: false });
    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await trainCell.getByTestId('finished-training').waitFor({ timeout: 600_000 });
    const finished = (await trainCell.getByTestId('finished-training').textContent())!;
    expect(finished).toMatch(/kept the layers of step \d+/);
    expect(finished).toContain('onnxruntime-web');
    await trainCell.getByTestId('finished-training').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'tune-layers-finished.png'), fullPage: false });

    const table = await beforeAfterTitles(page);
    // The layers moved: the numbers after differ from those before.
    expect(METRICS.some((metric) => Math.abs(table.after[metric] - table.before[metric]) > 1e-4)).toBe(true);
    for (const metric of METRICS) {
      // Before: the tuned path with 0 steps is the frozen model.
      expect(Math.abs(table.before[metric] - frozen.summary[metric]!)).toBeLessThan(1e-4);
      // After: the same training as the CLI, on another onnxruntime build; float rounding has not moved a rank
      // (0 difference seen), and 1e-4 stays well under what 6 steps change (over 1e-3).
      expect(Math.abs(table.after[metric] - cli.after.summary[metric])).toBeLessThan(1e-4);
    }

    // The exported zip is the model folder: config and tokenizer unchanged, the model's tuned weights replaced.
    const [saved] = await Promise.all([page.waitForEvent('download'), trainCell.getByRole('button', { name: 'Export tuned model (.zip)' }).click()]);
    const zipPath = path.join(work, 'tuned.zip');
    await saved.saveAs(zipPath);
    const files = unzipSync(new Uint8Array(await readFile(zipPath)));
    expect(Object.keys(files)).toContain('onnx/model.onnx');
    expect(Object.keys(files)).toContain('config.json');
    const tunedDir = path.join(modelsDir, 'tuned');
    for (const [name, bytes] of Object.entries(files)) {
      const original = new Uint8Array(await readFile(path.join(tinyDir, name)));
      if (name === 'onnx/model.onnx') {
        expect(bytes.length).toBe(original.length);
        expect(Buffer.compare(Buffer.from(bytes), Buffer.from(original))).not.toBe(0);
      } else {
        expect(Buffer.from(bytes).equals(Buffer.from(original))).toBe(true);
      }
      await mkdir(path.dirname(path.join(tunedDir, name)), { recursive: true });
      await writeFile(path.join(tunedDir, name), bytes);
    }

    // Loaded back as a served folder, it evaluates to Node's numbers for that folder.
    const tunedEncoder = await createOnnxEncoder(tunedDir);
    const { report: tunedReport } = await evaluateDataset(dataset, tunedEncoder, { matmul: jsMatmul });
    await tunedEncoder.dispose();
    await page.reload();
    await page.getByRole('heading', { name: 'Dataset' }).waitFor();
    // Runs survive a reload: the tuned run is still listed.
    await trainCell.getByTestId('finished-training').waitFor({ timeout: 60_000 });
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    await page.getByRole('radio', { name: /JavaScript/ }).check();
    await chooseServedModel(page, 'tuned');
    const summary = await evaluate(page, 3);
    for (const metric of METRICS) expect(Number(summary[metric])).toBeCloseTo(tunedReport.summary[metric]!, 6);
    expect(errors).toEqual([]);
    await context.close();
  }, 900_000);
});
