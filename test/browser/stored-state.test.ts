/**
 * Saved state that is broken, and two tabs on one origin, in Chromium. Each fault is injected into
 * IndexedDB by hand (the records the page itself wrote, then spoilt); after a reload the good runs
 * must be there, the bad ones named in a notice that offers them for download, and nothing thrown.
 * Two tabs adding runs must number them apart and both keep both.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, type Harness } from '../support/harness';

const runRows = (page: Page) => page.getByTestId('runs-table').locator('tbody tr');
const runNumbers = async (page: Page) =>
  (await runRows(page).evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-run'))))).sort((a, b) => a - b);

async function evaluate(page: Page, expectedRun: number): Promise<void> {
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.getByTestId('runs-table').locator(`tr[data-run="${expectedRun}"]`).waitFor({ timeout: 120_000 });
}

/**
 * Runs `body` (async code with `store`, `request` and `arg` in scope) in the page on an object
 * store of the app's IndexedDB, read-write: the runs (run-store.ts) or the notebook record.
 */
function inStore(page: Page, which: 'runs' | 'notebook', body: string, arg: unknown = null): Promise<unknown> {
  const [database, storeName] = which === 'runs' ? ['xling-lab-runs', 'runs'] : ['xling-lab-state', 'state'];
  return page.evaluate(async ({ database, storeName, body, arg }) => {
    const request = <T,>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const db = await request(indexedDB.open(database));
    const store = db.transaction(storeName, 'readwrite').objectStore(storeName);
    const result = await new Function('store', 'request', 'arg', `return (async () => { ${body} })()`)(store, request, arg);
    db.close();
    return result;
  }, { database, storeName, body, arg });
}

/** A fresh notebook with one evaluation of a small subset, stored: the record the faults are made from. */
async function openWithOneRun(harness: Harness): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await openNotebook(harness);
  await loadLocalSubset(page, ['de', 'en'], 1);
  await evaluate(page, 1);
  await expect.poll(() => inStore(page, 'runs', 'return (await request(store.getAllKeys())).length'), { timeout: 60_000 }).toBe(1);
  // The notebook record names the loaded dataset, so that a reload loads it again.
  await expect.poll(() => inStore(page, 'notebook', "return (await request(store.get('notebook')))?.loadedSelection ?? null"), { timeout: 60_000 }).not.toBeNull();
  return { page, errors };
}

describe('stored state in Chromium', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());

  it('bad stored runs are skipped with a notice and a download; the good ones load; a junk dataset choice is named', async () => {
    const { page, errors } = await openWithOneRun(harness);

    // Four spoilt copies of the good record, one of a newer version, and the good one kept.
    await inStore(page, 'runs', `
      const [key] = await request(store.getAllKeys());
      const good = await request(store.get(key));
      const copy = (id, change) => { const run = structuredClone(good.run); run.id = id; change(run); return { version: good.version, run }; };
      await request(store.put({ version: 1, run: null }, 'run-null'));
      await request(store.put(copy('summary-null', (run) => { run.report.summary = null; }), 'summary-null'));
      await request(store.put('not an object', 'not-object'));
      await request(store.put(copy('markup', (run) => { run.languages = ['<img src=x onerror=alert(1)>', 'en']; }), 'markup'));
      await request(store.put({ ...copy('newer', () => undefined), version: 99 }, 'newer'));
    `);
    // A junk dataset choice in the notebook record, once the page has saved it after the run (a
    // debounced save would otherwise overwrite the junk).
    const savedSelection = () => inStore(page, 'notebook', "return (await request(store.get('notebook'))).selectedRunId");
    await expect.poll(savedSelection, { timeout: 60_000 }).not.toBeNull();
    await inStore(page, 'notebook', `
      const notebook = await request(store.get('notebook'));
      await request(store.put({ ...notebook, loadedSelection: { source: 42 } }, 'notebook'));
    `);

    await page.reload();
    const notice = page.getByTestId('storage-notice');
    await notice.waitFor({ timeout: 60_000 });
    const text = (await notice.textContent())!;
    expect(text).toContain('5 saved runs could not be read and were skipped; the other runs loaded.');
    expect(text).toContain('run-null: run: expected an object, got null');
    expect(text).toContain('summary-null: run.report.summary: expected an object, got null');
    expect(text).toContain('not-object: the record is not an object');
    expect(text).toContain('markup: run.languages[0]: "<img src=x onerror=alert(1)>" is not a language code');
    expect(text).toContain('newer: saved by a newer version of xling-lab (record version 99)');
    expect(text).toContain('the dataset loaded last time could not be restored (loadedSelection.source: expected an object, got number 42)');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // The good run is there and the page works: every cell drew, no error thrown.
    expect(await runNumbers(page)).toEqual([1]);
    expect(await page.getByTestId('cell-failed').count()).toBe(0);
    for (const name of ['Dataset', 'Encoder', 'Evaluate', 'Results']) await page.getByRole('heading', { name }).waitFor();

    await page.screenshot({ path: `${SHOTS_DIR}/stored-state-notice.png` });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-skipped-runs').click()]);
    const saved = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(saved.map((entry: { key: string }) => entry.key).sort()).toEqual(['markup', 'newer', 'not-object', 'run-null', 'summary-null']);
    expect(saved.find((entry: { key: string }) => entry.key === 'summary-null').record.run.report.cells.de.en.n).toBeGreaterThan(0);

    // Removing them empties the list; the good run stays, across a reload.
    await page.getByTestId('remove-skipped-runs').click();
    await expect.poll(() => page.getByTestId('skipped-runs').count(), { timeout: 60_000 }).toBe(0);
    await page.reload();
    await runRows(page).first().waitFor({ timeout: 60_000 });
    expect(await runNumbers(page)).toEqual([1]);
    expect(await page.getByTestId('skipped-runs').count()).toBe(0);

    // A notebook record of version 1 (runs inside it, evaluations without "kind"): its runs move to
    // their own records, the bad one among them skipped and kept.
    const legacyRun = await inStore(page, 'runs', `
      const [key] = await request(store.getAllKeys());
      const { run } = await request(store.get(key));
      delete run.kind;
      await request(store.clear());
      return run;
    `);
    await inStore(page, 'notebook', "await request(store.put({ version: 1, runs: [arg, null], selectedRunId: null, compareRunId: null }, 'notebook'))", legacyRun);
    await page.reload();
    await page.getByTestId('storage-notice').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('skipped-runs').textContent()).toBe('legacy-1: run: expected an object, got null');
    expect(await runNumbers(page)).toEqual([1]);
    expect(await inStore(page, 'runs', 'return (await request(store.getAllKeys())).length')).toBe(2);

    // A skipped record keeps its number: the next run is numbered above it, not 2.
    await inStore(page, 'runs', `
      const good = await request(store.get(arg.id));
      await request(store.put({ version: 1, run: { ...good.run, id: 'numbered-7', number: 7, report: null } }, 'numbered-7'));
    `, legacyRun);
    await page.reload();
    await page.getByTestId('storage-notice').waitFor({ timeout: 60_000 });
    await loadLocalSubset(page, ['de', 'en'], 1);
    await evaluate(page, 8);
    expect(await runNumbers(page)).toEqual([1, 8]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 300_000);

  it('a trained run hollow inside is skipped; one that passes the schema but breaks a view: that cell says so, the others work', async () => {
    const { page, errors } = await openWithOneRun(harness);
    // Trained runs made from the evaluation: one whose records are empty objects (the schema
    // names what is missing), one complete but for the timings the Train cell reads.
    await inStore(page, 'runs', `
      const [key] = await request(store.getAllKeys());
      const good = await request(store.get(key));
      const trained = (id, number, training) => ({ version: good.version, run: { ...structuredClone(good.run), id, number, kind: 'trained', training } });
      await request(store.put(trained('hollow', 2, { mix: {}, train: {}, config: {}, outcome: {}, experimentId: null }), 'hollow'));
      const mix = { preset: 'hybrid', weights: { mono: 0.5, mixed: 0, cross: 0.5 }, excludeLanguages: [], batchSize: 64, seed: 1, trainFraction: 0.5, languageWeighting: 'uniform' };
      const outcome = { before: good.run.report, after: good.run.report, loss: [1, 0.5], validation: [{ step: 1, score: 0.5 }], heldOut: [], split: { spec: 'articles:0.5', seed: 1 }, stepsRun: 2, bestStep: 1 };
      await request(store.put(trained('no-summary', 3, { mix, train: { steps: 2, headKind: 'linear', rank: 64 }, config: {}, outcome, experimentId: null }), 'no-summary'));
    `);
    await page.reload();
    await page.getByTestId('storage-notice').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('skipped-runs').textContent()).toMatch(/^hollow: run\.training\.mix\.preset: expected one of .*; run\.training\.mix\.weights: expected an object, got nothing; .*; and \d+ more$/);
    await page.screenshot({ path: `${SHOTS_DIR}/stored-state-hollow.png`, fullPage: true });
    // The second run passes the schema, but the Train cell reads its timings: that cell alone fails.
    const failed = page.getByTestId('cell-failed');
    await failed.first().waitFor({ timeout: 60_000 });
    expect(await failed.allTextContents()).toEqual([
      "The Train view could not be drawn: Cannot read properties of undefined (reading 'train_s')The rest of the notebook works. Saved runs that cannot be shown stay stored.Try again",
    ]);
    expect(await runNumbers(page)).toEqual([1, 3]);
    // The page works: the run can be deleted, and the Train cell draws again.
    await page.getByRole('button', { name: 'Delete Run 3' }).click();
    await expect.poll(() => runNumbers(page), { timeout: 60_000 }).toEqual([1]);
    await failed.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => failed.count(), { timeout: 60_000 }).toBe(0);
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await expect.poll(async () => (await runNumbers(page)).length, { timeout: 120_000 }).toBe(2);
    expect(await failed.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 300_000);

  it('two tabs: runs numbered apart, each tab sees the other\'s, a reload keeps both, a delete reaches both', async () => {
    const { context, page: first, errors } = await openNotebook(harness);
    const second = await context.newPage();
    second.on('pageerror', (error) => errors.push(error.message));
    await second.goto(harness.url);
    await loadLocalSubset(first, ['de', 'en'], 1);
    await loadLocalSubset(second, ['de', 'en'], 1);

    await evaluate(first, 1);
    await expect.poll(() => runNumbers(second), { timeout: 60_000 }).toEqual([1]);
    await evaluate(second, 2);
    await expect.poll(() => runNumbers(first), { timeout: 60_000 }).toEqual([1, 2]);
    // Both at once: the shared counter gives each its own number.
    await Promise.all([first.getByRole('button', { name: 'Evaluate' }).click(), second.getByRole('button', { name: 'Evaluate' }).click()]);
    await expect.poll(() => runNumbers(first), { timeout: 120_000 }).toEqual([1, 2, 3, 4]);
    await expect.poll(() => runNumbers(second), { timeout: 60_000 }).toEqual([1, 2, 3, 4]);

    await first.reload();
    await expect.poll(() => runNumbers(first), { timeout: 60_000 }).toEqual([1, 2, 3, 4]);
    await second.getByRole('button', { name: 'Delete Run 1' }).click();
    await expect.poll(() => runNumbers(first), { timeout: 60_000 }).toEqual([2, 3, 4]);
    await second.reload();
    await expect.poll(() => runNumbers(second), { timeout: 60_000 }).toEqual([2, 3, 4]);
    expect(errors).toEqual([]);
    await context.close();
  }, 400_000);
});
