/**
 * "Embeddings from files" in Chromium: a folder written by `xling eval --export` (for more languages
 * and articles than the notebook loads), picked in the Encoder cell, evaluates to exactly the numbers
 * the core computes in Node with the encoder itself, trains a head to the core's losses, and is still
 * there after a reload (IndexedDB); four files with a float64 matrix get the conversion to make; a
 * folder with a row missing, dropped on the cell, names the row, and so does Evaluate.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/metrics/types';
import { decodeNpyFloat32, encodeNpyFloat32 } from '../../src/core/npy';
import { DEFAULT_TRAINING_CONFIG, MIX_PRESETS, type TrainingResult } from '../../src/core/training';
import { dropPaths, expectedReport, expectedTraining, loadLocalSubset, openNotebook, readLoss, readSummaryTitles, ROOT, SHOTS_DIR, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en', 'es', 'zh'];
const ARTICLES = 6;
const STEPS = 6;
const BATCH = 16;

/** `xling eval --export` on more than the notebook will load: five languages, eight articles. */
async function exportFolder(dir: string): Promise<string> {
  const folder = path.join(dir, 'xquad-lexical');
  await promisify(execFile)(process.execPath, [
    path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', 'eval', '--dataset', XQUAD_R_DIR,
    '--languages', 'ar,de,en,es,zh', '--articles', '8', '--encoder', 'lexical', '--out', path.join(dir, 'report.json'), '--export', folder,
  ], { cwd: ROOT });
  return folder;
}

async function expectShownReport(page: Page, report: Pick<EvalReport, 'summary' | 'cells'>): Promise<void> {
  const titles = await readSummaryTitles(page);
  for (const key of ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'rank_distance', 'own_share10'] as const) {
    expect(titles[key]).toBe(String(report.summary[key]));
  }
  const plot = page.locator('[data-testid^="heatmap-"]:not([data-testid="heatmap-difference"])').first();
  await plot.locator('.heatmap-label').first().waitFor();
  const z = await plot.evaluate((element) => (element as HTMLElement & { data: { z: number[][] }[] }).data[0].z);
  expect(z).toEqual(LANGUAGES.map((x) => LANGUAGES.map((y) => report.cells[x][y].map)));
}

describe('embeddings from files in Chromium', () => {
  let harness: Harness;
  let expected: EvalReport;
  let training: TrainingResult;
  let dir: string;
  let folder: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'xling-embeddings-'));
    [harness, expected, training, folder] = await Promise.all([startHarness(), expectedReport(LANGUAGES, ARTICLES), expectedTraining(LANGUAGES, ARTICLES, { ...DEFAULT_TRAINING_CONFIG, mix: MIX_PRESETS.hybrid.mix, batchSize: BATCH, steps: STEPS, heldOutEvery: 0 }), exportFolder(dir)]);
    await mkdir(SHOTS_DIR, { recursive: true });
  });
  afterAll(() => harness?.close());

  it('evaluates and trains on an exported folder to the numbers of the encoder itself, and keeps it across a reload', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    await page.getByRole('radio', { name: /JavaScript/ }).check();

    const cell = page.locator('#encoder');
    await cell.getByRole('radio', { name: /Embeddings from files/ }).check();
    await cell.getByTestId('pick-embeddings-folder').setInputFiles(folder);
    await expect.poll(() => cell.getByTestId('chosen-embeddings').textContent(), { timeout: 60_000 }).toContain('xquad-lexical');
    expect(await cell.getByTestId('chosen-embeddings').textContent()).toBe('Chosen: xquad-lexical · 2048-d · 1,125 query and 773 candidate vectors');
    const fit = cell.getByTestId('embedding-fit');
    await expect.poll(() => fit.textContent(), { timeout: 60_000 }).toContain('Every query and candidate of the loaded dataset xquad-r has a vector.');
    // The export has ar and articles 6 and 7 besides what is loaded.
    expect(await fit.textContent()).toMatch(/queries\.jsonl: [\d,]+ of 1,125 rows are not in the loaded dataset \(ar [\d,]+, de \d+, en \d+, es \d+, zh \d+; e\.g\. .*\) and are not used/);
    await cell.screenshot({ path: `${SHOTS_DIR}/embedding-files.png` });

    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('runs-table').locator('tr[data-run="1"]').waitFor({ timeout: 60_000 });
    await expectShownReport(page, expected);
    expect(await page.getByTestId('runs-table').locator('tr[data-run="1"]').textContent()).toMatch(/embeddings xquad-lexical 2048-d \(files [0-9a-f]{6}\)/);

    // A head trains on the vectors as on the encoder: the core's losses and numbers in Node.
    const mixCell = page.locator('#batch-mix');
    await mixCell.getByLabel('Batch size', { exact: true }).fill(String(BATCH));
    const trainCell = page.locator('#train');
    await trainCell.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await trainCell.getByLabel('Evaluate every', { exact: true }).fill('0');
    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await trainCell.getByTestId('finished-training').waitFor({ timeout: 120_000 });
    const loss = await readLoss(page);
    expect(loss).toHaveLength(training.loss.length);
    loss.forEach((value, i) => expect(Math.abs(value - training.loss[i])).toBeLessThanOrEqual(1e-12 * Math.abs(training.loss[i])));
    const titles = await readSummaryTitles(page);
    expect(titles.cross_map).toBe(String(training.after.summary.cross_map));

    // After a reload the set is still chosen and stored: evaluating again reads it from IndexedDB.
    await page.waitForTimeout(500); // past the save debounce
    await page.reload();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
    await expect.poll(() => page.locator('#encoder').getByTestId('embedding-sets').textContent(), { timeout: 60_000 }).toContain('xquad-lexical');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('runs-table').locator('tr[data-run="3"]').waitFor({ timeout: 60_000 });
    await expectShownReport(page, expected);

    // The four files picked one by one, queries.npy as float64 (NumPy's default): refused with the conversion to make.
    const float64 = path.join(dir, 'float64');
    await cp(folder, float64, { recursive: true });
    await cp(path.join(ROOT, 'test/fixtures/npy/float64-v1.npy'), path.join(float64, 'queries.npy'));
    await page.locator('#encoder').getByTestId('pick-embedding-files').setInputFiles(
      ['queries.npy', 'candidates.npy', 'queries.jsonl', 'candidates.jsonl'].map((file) => path.join(float64, file)),
    );
    await expect.poll(() => page.locator('#encoder').getByTestId('error-panel').textContent(), { timeout: 60_000 }).toContain(
      "queries.npy—dtype '<f8' (float64) is not read here: save float32, np.save(path, x.astype(np.float32)).",
    );
    expect(await page.locator('#encoder').getByTestId('chosen-embeddings').textContent()).toContain('xquad-lexical');

    // A folder with a candidate row missing (from both files, so they still agree) names that row.
    const broken = path.join(dir, 'broken');
    await cp(folder, broken, { recursive: true });
    const lines = (await readFile(path.join(folder, 'candidates.jsonl'), 'utf8')).trim().split('\n');
    const dropped = lines.findIndex((line) => line.startsWith('{"lang":"en"'));
    const { data, rows, cols } = decodeNpyFloat32(await readFile(path.join(folder, 'candidates.npy')));
    const kept = new Float32Array((rows - 1) * cols);
    kept.set(data.subarray(0, dropped * cols));
    kept.set(data.subarray((dropped + 1) * cols), dropped * cols);
    await writeFile(path.join(broken, 'candidates.npy'), encodeNpyFloat32(kept, rows - 1, cols));
    await writeFile(path.join(broken, 'candidates.jsonl'), lines.filter((_, i) => i !== dropped).join('\n'));
    await dropPaths(page, 'embeddings-dropzone', [broken]);
    await expect.poll(() => page.locator('#encoder').getByTestId('embedding-fit').textContent(), { timeout: 60_000 }).toContain(`no row for ${lines[dropped]}`);
    expect(await page.locator('#encoder').getByTestId('embedding-fit').textContent()).toContain('1 row of the loaded dataset xquad-r has no vector in these files');
    await page.locator('#encoder').screenshot({ path: `${SHOTS_DIR}/embedding-files-missing.png` });
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await expect.poll(() => page.locator('#evaluate').getByTestId('error-panel').textContent(), { timeout: 60_000 }).toContain(`no row for ${lines[dropped]}`);

    expect(errors).toEqual([]);
    await context.close();
  });
});
