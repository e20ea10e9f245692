/**
 * Shared set-up for the browser tests: a Vite dev server on a random port (the project's own
 * vite.config.ts, so the data folder and cross-origin isolation are the real ones) and Debian's
 * Chromium driven by playwright-core.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { createLexicalEncoder, DEFAULT_LEXICAL_OPTIONS } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import type { EvalReport } from '../../src/core/metrics/types';
import { readDatasetFolder } from '../../src/node/read-dataset';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const XQUAD_R_DIR = path.resolve(ROOT, '../shared/data/xquad-r');
export const SHOTS_DIR = '/tmp/xling-shots';
/** Debian's Chromium; never a browser downloaded by a test tool. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Harness {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * `webgpu`: Chromium with WebGPU on SwiftShader (slow, but the real code path). `modelsDir`: the
 * folder the dev server serves at /models/ (XLING_MODELS_DIR, resolved per request) until `close`.
 */
export async function startHarness({ webgpu = false, modelsDir }: { webgpu?: boolean; modelsDir?: string } = {}): Promise<Harness> {
  if (modelsDir) process.env.XLING_MODELS_DIR = modelsDir;
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.config.ts'),
    server: { port: 0, host: '127.0.0.1' },
    logLevel: 'warn',
  });
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (sudo apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  await server.listen();
  const { port } = server.httpServer!.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(webgpu ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : []),
    ],
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    browser,
    async close() {
      await browser.close();
      await server.close();
      if (modelsDir) delete process.env.XLING_MODELS_DIR;
    },
  };
}

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

/** What the core computes in Node for the same subset: the numbers the page must show. */
export async function expectedReport(languages: string[], articles: number): Promise<EvalReport> {
  const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages, articles });
  const { report } = await evaluateDataset(dataset, createLexicalEncoder(DEFAULT_LEXICAL_OPTIONS), { matmul: jsMatmul });
  return report;
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
