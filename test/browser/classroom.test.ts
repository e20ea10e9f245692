/**
 * The classroom preset: one click loads six languages and 20 articles of XQuAD-R, evaluates them and
 * trains the paper's three mixes into Tables 1 and 2 (docs/benchmarks.md has its time on 2 cores).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSROOM_ARTICLES, CLASSROOM_LANGUAGES } from '../../src/app/state/classroom';
import { openNotebook, SHOTS_DIR, startHarness, type Harness } from '../support/harness';

describe('classroom preset in Chromium', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('loads, evaluates and fills Tables 1 and 2 from one click', async () => {
    const { context, page, errors } = await openNotebook(harness);
    const clicked = Date.now();
    await page.getByTestId('classroom-demo').click();
    await page.getByTestId('dataset-summary').filter({ hasText: `${CLASSROOM_LANGUAGES.length} languages` }).waitFor({ timeout: 300_000 });
    expect(await page.getByLabel('First K articles').inputValue()).toBe(String(CLASSROOM_ARTICLES));
    const table1 = page.getByTestId('table-1');
    await expect.poll(() => table1.locator('tbody tr').count(), { timeout: 600_000 }).toBe(4);
    await expect.poll(() => page.getByTestId('train-status').textContent(), { timeout: 120_000 }).toBe('trained');
    console.info(`classroom preset: ${((Date.now() - clicked) / 1000).toFixed(1)} s from the click to Tables 1 and 2`);
    const mixes = await table1.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-mix')));
    expect(mixes).toEqual(['Untrained', 'X-X-mono', 'X-Y', 'Hybrid']);
    // One evaluation and three trained runs, all on the preset's subset.
    const runs = page.getByTestId('runs-table').locator('tbody tr');
    expect(await runs.count()).toBe(4);
    expect(await page.locator('#train').getByLabel('Steps', { exact: true }).inputValue()).toBe('100');
    await page.locator('#train').screenshot({ path: `${SHOTS_DIR}/classroom.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 900_000);
});
