/**
 * Shared steps of the browser tests: the notebook on a Vite dev server on a random port (the
 * project's own vite.config.ts, so the data folder and cross-origin isolation are the real ones) in
 * Debian's Chromium (src/dev-server/chromium.ts), a fresh profile per test, the usual clicks.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT, startAppInChromium, type AppInChromium } from '../../src/dev-server/chromium';
import { createLexicalEncoder, DEFAULT_LEXICAL_OPTIONS } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import type { EvalReport } from '../../src/core/metrics/types';
import { candidateTexts } from '../../src/core/dataset/texts';
import { splitByArticles, trainHead, type TrainingConfig, type TrainingResult } from '../../src/core/training';
import { readDatasetFolder } from '../../src/node/read-dataset';

export { ROOT };
export const XQUAD_R_DIR = path.resolve(ROOT, '../shared/data/xquad-r');
export const SHOTS_DIR = '/tmp/xling-shots';
/** The notebook on its own dev server and a Chromium (src/dev-server/chromium.ts). */
export type Harness = AppInChromium;
export const startHarness = startAppInChromium;

/** Writes the tiny test encoder (scripts/make-test-model.ts, seed 7) into `folder`. */
export async function writeTestModel(folder: string): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/make-test-model.ts', folder, '--seed', '7'], { cwd: ROOT });
}

/** A fresh profile (empty IndexedDB and caches) with the notebook open; page errors fail the test. */
export async function openNotebook(harness: Harness, context?: BrowserContext): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const ownContext = context ?? (await harness.browser.newContext({ viewport: { width: 1360, height: 900 } }));
  const page = await ownContext.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(harness.url);
  await page.getByRole('heading', { name: 'Dataset' }).waitFor();
  return { context: ownContext, page, errors };
}

/** Chooses the local data folder's XQuAD-R with a language and article subset (null: all), and loads it. */
export async function loadLocalSubset(page: Page, languages: string[], articles: number | null): Promise<void> {
  await page.getByRole('radio', { name: 'Local data folder' }).check();
  const panel = page.locator('.subset');
  await panel.getByRole('checkbox').first().waitFor();
  for (const box of await panel.getByRole('checkbox').all()) {
    const lang = await box.getAttribute('value');
    await box.setChecked(languages.includes(lang!));
  }
  await page.getByLabel('First K articles').fill(articles === null ? '' : String(articles));
  await page.getByRole('button', { name: 'Load dataset' }).click();
  await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
}

/** Chooses a model of the served models folder as the encoder: fp32 on WASM, no prefixes. */
export async function chooseServedModel(page: Page, name: string): Promise<void> {
  await page.getByRole('radio', { name: /Transformer model/ }).check();
  await page.getByRole('tab', { name: 'Served folder' }).click();
  await page.getByRole('radio', { name: new RegExp(`^${name}\\b`) }).check();
  await page.locator('#encoder').getByLabel('Device').selectOption('wasm');
  await page.getByLabel('Weights').selectOption('fp32');
  await page.getByLabel('Query prefix').fill('');
  await page.getByLabel('Passage prefix').fill('');
}

/** What the core computes in Node for the same subset: the numbers the page must show. */
export async function expectedReport(languages: string[], articles: number): Promise<EvalReport> {
  const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages, articles });
  const { report } = await evaluateDataset(dataset, createLexicalEncoder(DEFAULT_LEXICAL_OPTIONS), { matmul: jsMatmul });
  return report;
}

/**
 * What the core's training computes in Node for an XQuAD-R subset with the lexical encoder and the
 * notebook's split (train 0.5, validation 0.2, the config's seed): the numbers a trained run must show.
 */
export async function expectedTraining(languages: string[], articles: number, config: TrainingConfig): Promise<TrainingResult> {
  const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages, articles });
  const encoder = createLexicalEncoder(DEFAULT_LEXICAL_OPTIONS);
  const embeddings = {
    queries: await encoder.encode(dataset.queries.map((q) => q.text), 'query'),
    candidates: await encoder.encode(candidateTexts(dataset, 'sentence'), 'passage'),
  };
  const split = splitByArticles(dataset, { train: 0.5, validation: 0.2, seed: config.seed });
  return trainHead({ split, trainEmbeddings: embeddings, evaluationEmbeddings: embeddings, dim: encoder.dim, encoder: encoder.id }, config, { matmul: jsMatmul });
}

/** Drags real files or folders from disk onto the drop zone with this test id, as the operating system would. */
export async function dropPaths(page: Page, testId: string, paths: string[]): Promise<void> {
  await page.getByTestId(testId).scrollIntoViewIfNeeded();
  const zone = (await page.getByTestId(testId).boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const at = { x: zone.x + zone.width / 2, y: zone.y + zone.height / 2 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, ...at, data: { items: [], files: paths, dragOperationsMask: 1 } });
  }
  await cdp.detach();
}

/** The summary table's full-precision values (each cell's title), by metric. */
export async function readSummaryTitles(page: Page): Promise<Record<string, string | null>> {
  const titles: Record<string, string | null> = {};
  for (const row of await page.getByTestId('summary-table').locator('tbody tr').all()) {
    titles[(await row.getAttribute('data-metric'))!] = await row.locator('td').first().getAttribute('title');
  }
  return titles;
}

/** The Train cell's before / after table of the last run: each metric's full-precision values (cell titles). */
export async function beforeAfterTitles(page: Page): Promise<{ before: Record<string, number>; after: Record<string, number> }> {
  const before: Record<string, number> = {};
  const after: Record<string, number> = {};
  for (const row of await page.locator('#train').getByTestId('before-after-table').locator('tbody tr').all()) {
    const metric = (await row.getAttribute('data-metric'))!;
    before[metric] = Number(await row.locator('td').nth(1).getAttribute('title'));
    after[metric] = Number(await row.locator('td').nth(2).getAttribute('title'));
  }
  return { before, after };
}

/** Every step's loss, in step order, from the chart's raw traces (one per batch type, step numbers as x). */
export async function readLoss(page: Page): Promise<number[]> {
  const chart = page.getByTestId('loss-chart');
  await chart.locator('.main-svg').first().waitFor();
  const traces = await chart.evaluate((element) => (element as HTMLElement & { data: { name: string; x: number[]; y: number[] }[] }).data);
  const byStep = new Map<number, number>();
  for (const trace of traces.filter((t) => t.name.endsWith(', raw'))) trace.x.forEach((step, i) => byStep.set(step, trace.y[i]));
  return [...byStep.keys()].sort((a, b) => a - b).map((step) => byStep.get(step)!);
}
