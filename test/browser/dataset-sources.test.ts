/**
 * The Dataset cell's other sources in Chromium: broken and one-language picks show their problems
 * with the file name and lose nothing; a good pick survives a reload (IndexedDB); the public
 * catalog downloads once (routed to the local copy here) and loads from the Cache API after that.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPaths, loadLocalSubset, openNotebook, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

const CATALOG_URL = /^https:\/\/raw\.githubusercontent\.com\/google-research-datasets\/lareqa\/HEAD\/xquad-r\/(\w+)\.json$/;

/** The first article of a real XQuAD-R file: a small, valid LAReQA file. */
async function firstArticle(lang: string): Promise<Buffer> {
  const file = JSON.parse(await readFile(path.join(XQUAD_R_DIR, `${lang}.json`), 'utf8')) as { data: unknown[] };
  return Buffer.from(JSON.stringify({ ...file, data: file.data.slice(0, 1) }));
}

/** Drops files on the drop zone as a user dragging them from the desktop would. */
async function drop(page: Page, files: { name: string; text: string }[]): Promise<void> {
  await page.getByTestId('dropzone').evaluate((zone, list) => {
    const data = new DataTransfer();
    for (const file of list) data.items.add(new File([file.text], file.name, { type: 'application/json' }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, files);
}

async function pick(page: Page, files: { name: string; buffer: Buffer }[]): Promise<void> {
  await page.getByTestId('pick-files').setInputFiles(files.map((file) => ({ ...file, mimeType: 'application/json' })));
}

/** Records every state of the "Downloading" progress bar (bytes read, Content-Length total). */
async function recordDownloadProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { now: number; max: number }[] = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[role="progressbar"][aria-label="Downloading"][aria-valuenow]');
      if (bar) seen.push({ now: Number(bar.getAttribute('aria-valuenow')), max: Number(bar.getAttribute('aria-valuemax')) });
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

/** Serves the catalog's GitHub URLs from the local XQuAD-R copy; returns how many were served. */
async function routeCatalog(context: BrowserContext, mode: 'serve' | 'block', spoil?: (lang: string, body: Buffer) => Buffer): Promise<{ hits: number }> {
  const counter = { hits: 0 };
  await context.route(CATALOG_URL, async (route) => {
    counter.hits++;
    if (mode === 'block') return route.abort('internetdisconnected');
    const lang = CATALOG_URL.exec(route.request().url())![1];
    const original = await readFile(path.join(XQUAD_R_DIR, `${lang}.json`));
    const body = spoil ? spoil(lang, original) : original;
    await route.fulfill({
      status: 200,
      body,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length), 'Access-Control-Allow-Origin': '*' },
    });
  });
  return counter;
}

describe('dataset sources in Chromium', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());

  it('shows what is wrong with picked files, keeps what was loaded, and restores a good pick after a reload', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, ['de', 'en'], 1);
    const summary = page.getByTestId('dataset-summary');
    const before = await summary.textContent();

    await page.getByRole('radio', { name: 'Your files' }).check();
    const [en, de] = [await firstArticle('en'), await firstArticle('de')];
    await pick(page, [
      { name: 'en.json', buffer: Buffer.from('{"data": [ this is not JSON') },
      { name: 'de.json', buffer: de },
    ]);
    // The Dataset cell's own panel: the Batch Mix cell may rightly report that a one-article pick cannot be split.
    const problem = page.getByRole('region', { name: 'Dataset' }).getByTestId('error-panel');
    await problem.waitFor();
    await expect.poll(() => problem.textContent()).toMatch(/en\.json.*not valid JSON/);
    expect(await summary.textContent()).toBe(before); // the loaded dataset is still there

    await pick(page, [{ name: 'en.json', buffer: en }]); // one language: nothing cross-lingual to measure
    await expect.poll(() => problem.textContent()).toMatch(/en\.json.*only one language \(en\)/);
    expect(await summary.textContent()).toBe(before);

    await drop(page, [
      { name: 'en.json', text: en.toString() },
      { name: 'de.json', text: de.toString() },
    ]);
    await expect.poll(() => summary.textContent()).toContain('dataset: 2 languages');
    expect(await problem.count()).toBe(0);

    // A picked folder: files arrive with their folder path, which names the dataset.
    const scratch = await mkdtemp(path.join(tmpdir(), 'xling-pick-'));
    const folder = path.join(scratch, 'mini-xquad');
    await mkdir(folder);
    await Promise.all([writeFile(path.join(folder, 'en.json'), en), writeFile(path.join(folder, 'es.json'), await firstArticle('es')), writeFile(path.join(folder, 'LICENSE'), 'CC BY-SA 4.0')]);

    // A folder dragged from the desktop (a real OS-level drag of the path, through the DevTools protocol).
    await dropPaths(page, 'dropzone', [folder]);
    await expect.poll(() => summary.textContent()).toContain('mini-xquad: 2 languages');
    await drop(page, [{ name: 'en.json', text: en.toString() }, { name: 'de.json', text: de.toString() }]);
    await expect.poll(() => summary.textContent()).toContain('dataset: 2 languages');
    await page.getByTestId('pick-folder').setInputFiles(folder);
    await expect.poll(() => summary.textContent()).toContain('mini-xquad: 2 languages');
    const picked = await summary.textContent();
    expect(await page.getByTestId('dropzone').textContent()).toMatch(/Kept in this browser: mini-xquad\/en\.json \([\d.]+ KB\), mini-xquad\/es\.json \([\d.]+ KB\)$/);

    await page.waitForTimeout(500); // past the save debounce
    await page.reload();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
    expect(await summary.textContent()).toBe(picked);
    expect(errors).toEqual([]);
    await context.close();
    await rm(scratch, { recursive: true });
  });

  it('downloads a catalog dataset with byte progress into the browser cache, then loads it offline', async () => {
    const first = await openNotebook(harness);
    const served = await routeCatalog(first.context, 'serve');
    await first.page.getByRole('radio', { name: 'Public catalog' }).check();
    await first.page.getByRole('radio', { name: /XQuAD-R/ }).check();
    await first.page.getByTestId('cache-xquad-r').filter({ hasText: 'not downloaded' }).waitFor();
    for (const box of await first.page.locator('.subset').getByRole('checkbox').all()) {
      await box.setChecked(['en', 'zh'].includes((await box.getAttribute('value'))!));
    }
    await first.page.getByLabel('First K articles').fill('1');
    await recordDownloadProgress(first.page);
    await first.page.getByRole('button', { name: 'Load (download if needed)' }).click();
    await first.page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
    expect(served.hits).toBe(11);
    const seen = await first.page.evaluate(() => (window as unknown as { progressSeen: { now: number; max: number }[] }).progressSeen);
    const totalBytes = (await Promise.all(['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'].map((l) => stat(path.join(XQUAD_R_DIR, `${l}.json`))))).reduce(
      (sum, info) => sum + info.size,
      0,
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(({ now, max }) => max === totalBytes && now > 0 && now <= max)).toBe(true);
    expect(await first.page.getByTestId('dataset-summary').textContent()).toContain('xquad-r: 2 languages');
    await first.page.getByTestId('cache-xquad-r').filter({ hasText: /^cached$/ }).waitFor();
    await first.page.waitForTimeout(500); // past the save debounce
    await first.page.close();

    // Same profile, network to GitHub cut: the notebook restores the dataset from the Cache API.
    await first.context.unrouteAll();
    const blocked = await routeCatalog(first.context, 'block');
    const second = await openNotebook(harness, first.context);
    await second.page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
    await second.page.getByRole('button', { name: 'Load (download if needed)' }).click();
    await second.page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
    expect(await second.page.getByTestId('dataset-summary').textContent()).toContain('xquad-r: 2 languages');
    expect(await second.page.getByTestId('cache-xquad-r').textContent()).toBe('cached');
    expect(blocked.hits).toBe(0);
    expect([...first.errors, ...second.errors]).toEqual([]);
    await first.context.close();
  });

  it('a downloaded file that is not UTF-8 is named with its line and byte, is not cached, and loads once fixed', async () => {
    const { context, page, errors } = await openNotebook(harness);
    // A lone 0xFF inside the first context of de.json (one line, all of it).
    const at = 200;
    await routeCatalog(context, 'serve', (lang, body) => (lang === 'de' ? Buffer.concat([body.subarray(0, at), Buffer.from([0xff]), body.subarray(at)]) : body));
    await page.getByRole('radio', { name: 'Public catalog' }).check();
    await page.getByRole('radio', { name: /XQuAD-R/ }).check();
    await page.getByRole('button', { name: 'Load (download if needed)' }).click();
    const problem = page.getByRole('region', { name: 'Dataset' }).getByTestId('error-panel');
    await problem.waitFor({ timeout: 120_000 });
    expect(await problem.textContent()).toMatch(new RegExp(`de\\.json\\s*line 1, byte ${at}\\s*not valid UTF-8`));

    // Nothing of the failed download was cached: every file is fetched again.
    await context.unrouteAll();
    const refetched = await routeCatalog(context, 'serve');
    await page.getByRole('button', { name: 'Load (download if needed)' }).click();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor({ timeout: 120_000 });
    expect(refetched.hits).toBe(11);
    expect(await problem.count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
