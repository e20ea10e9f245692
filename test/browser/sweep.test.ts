/**
 * The Sweep cell in Chromium: a 2 x 2 grid (alpha 0 and 1, seeds 1 and 2) trains four ordinary runs,
 * a reload in the middle leaving it incomplete until "Finish the sweep" trains the runs it misses;
 * the table, the trade-off plot and the untrained reference must equal what the core's trainHead
 * computes in Node for the same settings (each seed picking its own split, as `xling sweep` does).
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateTexts } from '../../src/core/dataset/texts';
import { createLexicalEncoder, DEFAULT_LEXICAL_OPTIONS } from '../../src/core/encoders/lexical';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { meanAndSd } from '../../src/core/stats/sweep';
import { DEFAULT_TRAINING_CONFIG, splitByArticles, trainHead, type TrainingResult } from '../../src/core/training';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en', 'es', 'zh'];
const ARTICLES = 12;
const BATCH = 16;
const STEPS = 4;
const ALPHAS = [0, 1];
const SEEDS = [1, 2];

async function expectedGrid(): Promise<{ alpha: number; seed: number; result: TrainingResult }[]> {
  const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages: LANGUAGES, articles: ARTICLES });
  const encoder = createLexicalEncoder(DEFAULT_LEXICAL_OPTIONS);
  const embeddings = {
    queries: await encoder.encode(dataset.queries.map((q) => q.text), 'query'),
    candidates: await encoder.encode(candidateTexts(dataset, 'sentence'), 'passage'),
  };
  const grid = [];
  for (const seed of SEEDS) {
    for (const alpha of ALPHAS) {
      const config = { ...DEFAULT_TRAINING_CONFIG, mix: { mono: alpha, mixed: 0, cross: 1 - alpha }, batchSize: BATCH, steps: STEPS, seed, heldOutEvery: 0 };
      const split = splitByArticles(dataset, { train: 0.5, validation: 0.2, seed });
      const result = await trainHead({ split, trainEmbeddings: embeddings, evaluationEmbeddings: embeddings, dim: encoder.dim, encoder: encoder.id }, config, { matmul: jsMatmul });
      grid.push({ alpha, seed, result });
    }
  }
  return grid;
}

describe('Sweep cell in Chromium', () => {
  let harness: Harness;
  let expected: Awaited<ReturnType<typeof expectedGrid>>;

  beforeAll(async () => {
    [harness, expected] = await Promise.all([startHarness(), expectedGrid()]);
    await mkdir(SHOTS_DIR, { recursive: true });
  }, 400_000);
  afterAll(() => harness?.close());

  it('trains the grid as ordinary runs and plots the trade-off with the core\'s numbers', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    await page.getByRole('radio', { name: /JavaScript/ }).check();
    await page.locator('#batch-mix').getByLabel('Batch size', { exact: true }).fill(String(BATCH));
    const trainCell = page.locator('#train');
    await trainCell.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await trainCell.getByLabel('Evaluate every', { exact: true }).fill('0');
    const sweep = page.locator('#sweep');
    await sweep.getByTestId('sweep-alphas').fill(ALPHAS.join(','));
    await sweep.getByTestId('sweep-seeds').fill(SEEDS.join(','));
    await sweep.getByRole('button', { name: 'Run sweep' }).click();
    const rows = page.getByTestId('runs-table').locator('tbody tr');
    // The first run stored (in IndexedDB, where a reload reads it from).
    const storedRuns = () =>
      page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open('xling-lab-runs');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const request = open.result.transaction('runs').objectStore('runs').count();
              request.onsuccess = () => resolve(request.result);
              request.onerror = () => reject(request.error);
            };
          }),
      );
    await expect.poll(storedRuns, { timeout: 400_000, interval: 500 }).toBeGreaterThanOrEqual(1);

    // Leaving the page mid-sweep: after the reload the sweep is incomplete, not done, and keeps its grid.
    await page.reload();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor({ timeout: 120_000 });
    await expect.poll(() => page.locator('#sweep .chip').textContent(), { timeout: 60_000 }).toBe('incomplete');
    const trainedBefore = await rows.count();
    expect(trainedBefore).toBeLessThan(4);
    expect(await sweep.getByTestId('sweep-alphas').inputValue()).toBe(ALPHAS.join(','));
    expect(await sweep.getByTestId('sweep-seeds').inputValue()).toBe(SEEDS.join(','));
    expect(await sweep.getByTestId('sweep-incomplete').textContent()).toContain(`${trainedBefore} of 4 runs of this sweep were trained`);
    await sweep.getByTestId('sweep-incomplete').screenshot({ path: `${SHOTS_DIR}/sweep-incomplete.png` });
    await sweep.getByRole('button', { name: 'Finish the sweep' }).click();
    await expect.poll(() => page.getByTestId('sweep-status').textContent(), { timeout: 400_000 }).toBe('done');
    expect(await rows.count()).toBe(4);
    // The runs table tells the four runs apart: each names its seed.
    const heads = await page.getByTestId('head-of-run').allTextContents();
    expect(new Set(heads).size).toBe(4);
    expect(heads.filter((head) => head.includes('seed 2'))).toHaveLength(2);

    const table = sweep.getByTestId('sweep-table');
    for (const alpha of ALPHAS) {
      const { mean } = meanAndSd(expected.filter((e) => e.alpha === alpha).map((e) => e.result.after.summary));
      const cells = table.locator(`tr[data-alpha="${alpha}"] td`);
      expect(await cells.nth(0).textContent()).toBe(String(SEEDS.length));
      expect(await cells.nth(1).getAttribute('title'), `mono, alpha ${alpha}`).toBe(String(mean.mono_map));
      expect(await cells.nth(2).getAttribute('title'), `cross, alpha ${alpha}`).toBe(String(mean.cross_map));
    }
    const plot = sweep.getByTestId('sweep-trade-off');
    await plot.locator('.main-svg').first().waitFor();
    const traces = await plot.evaluate((element) => (element as HTMLElement & { data: { name: string; x: number[]; y: number[] }[] }).data.map((t) => ({ name: t.name, x: t.x, y: t.y })));
    const untrained = meanAndSd(expected.map((e) => e.result.before.summary)).mean;
    expect(traces.find((t) => t.name === 'untrained encoder')).toMatchObject({ x: [untrained.mono_map], y: [untrained.cross_map] });
    const points = traces.find((t) => t.name.startsWith('alpha'))!;
    expect(points.x).toEqual(ALPHAS.map((alpha) => meanAndSd(expected.filter((e) => e.alpha === alpha).map((e) => e.result.after.summary)).mean.mono_map));
    expect(traces.find((t) => t.name === 'Pareto front')!.x.length).toBeGreaterThan(0);
    expect(await table.getAttribute('data-tsv')).toMatch(/^alpha\tseeds\tmono_map mean\tmono_map sd/);
    // Every point's label lies inside the plot area (the label of alpha = 0, at the edge, was cut off).
    const area = (await plot.locator('.nsewdrag').first().boundingBox())!;
    for (const alpha of ALPHAS) {
      const label = (await plot.locator('text', { hasText: `α=${alpha}` }).first().boundingBox())!;
      expect(label.x, `α=${alpha} left`).toBeGreaterThanOrEqual(area.x);
      expect(label.y, `α=${alpha} top`).toBeGreaterThanOrEqual(area.y);
      expect(label.x + label.width, `α=${alpha} right`).toBeLessThanOrEqual(area.x + area.width);
    }

    await sweep.screenshot({ path: `${SHOTS_DIR}/sweep.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 1_000_000);
});
