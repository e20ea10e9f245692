/**
 * The production build on a plain static host (docs/hosting.md): `vite build` once into a temporary
 * folder, served under a sub-path by a file server written here that sends no COOP/COEP headers, and
 * a catalog-like server on another origin (the build's VITE_LAREQA_BASE). In Chromium: the service
 * worker's reload makes the page cross-origin isolated, scoring runs multi-threaded, picked files and
 * the catalog evaluate to the numbers the core computes in Node, a shared link with `hide=` opens to
 * the same settings and hidden cells; then, with both servers stopped and the browser offline, a
 * reload starts the app from the service worker's cache and evaluates the cached dataset.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/dev-server/chromium';
import type { EvalReport } from '../../src/core/metrics/types';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { expectedReport, readSummaryTitles, ROOT, SHOTS_DIR, XQUAD_R_DIR } from '../support/harness';

const SUB_PATH = '/~teacher/xling-lab/';
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

interface Served {
  server: Server;
  origin: string;
  /** Paths asked for, in order. */
  requests: string[];
}

/** A loopback server of plain files: `route` maps a request path to a file, or null for 404. */
async function serveFiles(route: (pathname: string) => string | null, headers: Record<string, string> = {}): Promise<Served> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const pathname = decodeURIComponent(new URL(request.url!, 'http://host').pathname);
    requests.push(pathname);
    if (pathname === SUB_PATH.slice(0, -1)) {
      response.writeHead(301, { Location: SUB_PATH }).end();
      return;
    }
    const file = route(pathname);
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length, ...headers }).end(body),
      () => response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function stop(served: Served | undefined): Promise<void> {
  if (!served) return Promise.resolve();
  served.server.closeAllConnections();
  return new Promise((resolve) => served.server.close(() => resolve()));
}

async function evaluate(page: Page, runs: number): Promise<void> {
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.getByTestId('runs-table').locator(`tbody tr`).nth(runs - 1).waitFor();
  await expect.poll(() => page.getByTestId('timings').textContent()).toContain(`Run ${runs}:`);
}

/** Waits until the Dataset cell holds this subset (its name, languages and query count). */
async function waitForDataset(page: Page, name: string, languages: string[], articles: number | null): Promise<void> {
  const { queries } = await readDatasetFolder(XQUAD_R_DIR, { languages, articles: articles ?? undefined });
  const summary = page.getByTestId('dataset-summary');
  await expect.poll(() => summary.textContent()).toMatch(new RegExp(`^${name}: ${languages.length} languages, .* ${queries.length.toLocaleString('en-US')} queries,`));
  await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
}

function expectSummary(titles: Record<string, string | null>, report: EvalReport): void {
  for (const key of ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'own_share10'] as const) expect(titles[key]).toBe(String(report.summary[key]));
}

describe('the build on a static host under a sub-path, without isolation headers', () => {
  let outDir: string;
  let host: Served;
  let catalog: Served;
  let app: string;
  let pickedExpected: EvalReport;
  let catalogExpected: EvalReport;

  beforeAll(async () => {
    // The catalog's copy: the repository's layout (HEAD/xquad-r/<lang>.json) on another origin, with CORS as GitHub sends it.
    catalog = await serveFiles((pathname) => {
      const match = /^\/lareqa\/HEAD\/xquad-r\/(\w+\.json)$/.exec(pathname);
      return match ? path.join(XQUAD_R_DIR, match[1]) : null;
    }, { 'Access-Control-Allow-Origin': '*' });
    outDir = await mkdtemp(path.join(tmpdir(), 'xling-static-'));
    // NODE_ENV: vitest's 'test' would make Vite build for development (React's dev build, no service worker).
    const nodeEnv = process.env.NODE_ENV;
    Object.assign(process.env, { VITE_LAREQA_BASE: `${catalog.origin}/lareqa`, NODE_ENV: 'production' });
    try {
      await build({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    } finally {
      delete process.env.VITE_LAREQA_BASE;
      process.env.NODE_ENV = nodeEnv;
    }
    host = await serveFiles(buildFile);
    app = `${host.origin}${SUB_PATH}`;
    [pickedExpected, catalogExpected] = await Promise.all([expectedReport(['de', 'en'], 2), expectedReport(['en', 'zh'], 1)]);
  });
  /** The build's file for a path under the sub-path. */
  const buildFile = (pathname: string) => (pathname.startsWith(SUB_PATH) && !pathname.includes('..') ? path.join(outDir, pathname.slice(SUB_PATH.length) || 'index.html') : null);

  afterAll(async () => {
    await Promise.all([stop(host), stop(catalog)]);
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('isolates itself, evaluates picked and catalog files multi-threaded, shares a link with hidden cells, and starts offline', async () => {
    const browser = await launchChromium();
    try {
      const context: BrowserContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      let documentLoads = 0;
      page.on('load', () => documentLoads++);

      // First visit: no headers, so the service worker's reload makes the page isolated.
      await page.goto(app);
      await page.getByTestId('isolation-status').filter({ hasText: /^Cross-origin isolated/ }).waitFor();
      expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
      expect(documentLoads).toBe(2);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const threads = Math.min(cores, 8);
      expect(threads).toBeGreaterThan(1); // a machine of one core cannot show multi-threading
      expect(await page.getByTestId('isolation-status').textContent()).toBe(`Cross-origin isolated: scoring runs multi-threaded (${threads} threads).`);
      // Every file came from the app's folder; only the dev server's data and model listings were asked for outside it (404 here).
      expect([...new Set(host.requests.filter((p) => !p.startsWith(SUB_PATH)))].sort()).toEqual(['/data/index.json', '/models/index.json']);
      await page.getByTestId('offline-status').filter({ hasText: 'Works offline' }).waitFor();
      expect(await page.locator('#dataset').textContent()).toContain('This host serves no local data folder');
      // Another page the host keeps below the app's folder is the host's, not the app's.
      const other = await context.newPage();
      expect((await other.goto(`${app}notes.html`))!.status()).toBe(404);
      await other.close();

      // Picked files: two whole XQuAD-R files, the first two articles.
      await page.getByRole('radio', { name: 'Your files' }).check();
      await page.getByTestId('pick-files').setInputFiles(['de', 'en'].map((lang) => path.join(XQUAD_R_DIR, `${lang}.json`)));
      await waitForDataset(page, 'dataset', ['de', 'en'], null);
      await page.getByLabel('First K articles').fill('2');
      await page.getByRole('button', { name: 'Load dataset' }).click();
      await waitForDataset(page, 'dataset', ['de', 'en'], 2);
      await evaluate(page, 1);
      expect(await page.getByTestId('timings').textContent()).toMatch(new RegExp(`on sparse exact, ${threads} threads\\.`));
      expectSummary(await readSummaryTitles(page), pickedExpected);

      // The catalog, downloaded from the test's copy on another origin into the browser's cache.
      await page.getByRole('radio', { name: 'Public catalog' }).check();
      await page.getByRole('radio', { name: /XQuAD-R/ }).check();
      for (const box of await page.locator('.subset').getByRole('checkbox').all()) {
        await box.setChecked(['en', 'zh'].includes((await box.getAttribute('value'))!));
      }
      await page.getByLabel('First K articles').fill('1');
      await page.getByRole('button', { name: 'Load (download if needed)' }).click();
      await waitForDataset(page, 'xquad-r', ['en', 'zh'], 1);
      expect(catalog.requests.length).toBe(11);
      await evaluate(page, 2);
      expectSummary(await readSummaryTitles(page), catalogExpected);

      // Copy link: the hosted page's own address (origin and sub-path), not the dev server's.
      const hash = await page.evaluate(() => location.hash);
      await page.getByTestId('copy-link').click();
      await page.getByTestId('link-bar').filter({ hasText: 'Link copied' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${app}${hash}`);

      // Share with students: keyboard only. Focus starts on the first box (Dataset cell), Space ticks it.
      await page.getByTestId('share-open').click();
      const dialog = page.getByTestId('share-dialog');
      await dialog.waitFor();
      await page.keyboard.press('Space');
      await dialog.getByRole('checkbox', { name: 'Train cell' }).check();
      const link = await dialog.getByTestId('share-link').inputValue();
      expect(link).toBe(`${app}${hash}&hide=dataset,train`);
      await dialog.getByTestId('share-copy').click();
      await dialog.getByText('Copied.').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
      await expect.poll(() => dialog.getByTestId('share-qr').getAttribute('data-link')).toBe(link);
      expect(await dialog.getByTestId('share-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
      await mkdir(SHOTS_DIR, { recursive: true });
      await page.screenshot({ path: `${SHOTS_DIR}/share-dialog.png` });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // The student's page (a window of its own in the same browser): same settings, the ticked cells left out.
      const student = await context.newPage();
      student.on('pageerror', (error) => errors.push(error.message));
      await student.goto(link);
      await student.getByRole('heading', { name: 'Encoder' }).waitFor();
      expect(await student.locator('#dataset').count()).toBe(0);
      expect(await student.locator('#train').count()).toBe(0);
      expect(await student.locator('#evaluate').count()).toBe(1);
      // The page rewrites its address from the settings it read: the same link means the same settings.
      await expect.poll(() => student.url()).toBe(link);
      await student.close();

      // Offline: both servers gone, the browser offline. A reload starts the app from the service worker's cache.
      await Promise.all([stop(host), stop(catalog)]);
      const catalogRequests = catalog.requests.length;
      await context.setOffline(true);
      await page.reload();
      await page.getByTestId('isolation-status').filter({ hasText: /^Cross-origin isolated/ }).waitFor();
      // The notebook reloads the dataset it had, from the browser's cache.
      await waitForDataset(page, 'xquad-r', ['en', 'zh'], 1);
      await evaluate(page, 3);
      expect(await page.getByTestId('timings').textContent()).toMatch(new RegExp(`on sparse exact, ${threads} threads\\.`));
      expectSummary(await readSummaryTitles(page), catalogExpected);
      expect(catalog.requests.length).toBe(catalogRequests);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await browser.close();
    }
  });

  it("uses the host's own isolation headers without a reload", async () => {
    const isolating = await serveFiles(buildFile, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      let documentLoads = 0;
      page.on('load', () => documentLoads++);
      await page.goto(`${isolating.origin}${SUB_PATH}`);
      await page.getByTestId('offline-status').filter({ hasText: 'Works offline' }).waitFor();
      expect(await page.getByTestId('isolation-status').textContent()).toMatch(/^Cross-origin isolated/);
      expect(documentLoads).toBe(1);
    } finally {
      await browser.close();
      await stop(isolating);
    }
  });

  it('starts single-threaded and says why when the host lacks a file the service worker must keep', async () => {
    const font = /\.woff$/;
    const lacking = await serveFiles((pathname) => (font.test(pathname) ? null : buildFile(pathname)));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${lacking.origin}${SUB_PATH}`);
      await page.getByRole('heading', { name: 'Dataset' }).waitFor();
      expect(await page.getByTestId('isolation-status').textContent()).toBe(
        'Not cross-origin isolated: scoring runs on one thread. The service worker that would isolate it is unavailable: the service worker could not keep a copy of the app (is every file of the build on the host?). ' +
          'To fix it, serve the app over HTTPS (or from localhost) so that its service worker can isolate the page, or have the host send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp.',
      );
      expect(await page.getByTestId('offline-status').textContent()).toBe('Not kept for offline use.');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await stop(lacking);
    }
  });
});
