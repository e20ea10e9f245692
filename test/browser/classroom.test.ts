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
    // Its progress beside the button, with a Stop.
    const progress = page.getByTestId('classroom-progress');
    await progress.waitFor();
    expect(await page.getByTestId('classroom-stop').isEnabled()).toBe(true);
    await page.getByTestId('dataset-summary').filter({ hasText: `${CLASSROOM_LANGUAGES.length} languages` }).waitFor({ timeout: 300_000 });
    expect(await page.getByLabel('First K articles').inputValue()).toBe(String(CLASSROOM_ARTICLES));
    await expect.poll(() => page.getByTestId('classroom-phase').textContent(), { timeout: 600_000 }).toMatch(/^Step 3 of 3: training .*step \d+ of 100, [\d.]+ steps\/s, about .* left$/);
    await page.locator('header.page-header').screenshot({ path: `${SHOTS_DIR}/classroom-progress.png` });
    const table1 = page.getByTestId('table-1');
    await expect.poll(() => table1.locator('tbody tr').count(), { timeout: 600_000 }).toBe(4);
    await progress.waitFor({ state: 'detached', timeout: 600_000 });
    console.info(`classroom preset: ${((Date.now() - clicked) / 1000).toFixed(1)} s from the click to its end (Tables 1 and 2, the frozen side run)`);
    await expect.poll(() => page.getByTestId('train-status').textContent(), { timeout: 120_000 }).toBe('trained');
    const mixes = await table1.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-mix')));
    expect(mixes).toEqual(['Untrained', 'X-X-mono', 'X-Y', 'Hybrid']);
    // One evaluation, three trained runs and the frozen encoder on their evaluation side, all on the preset's subset.
    const runs = page.getByTestId('runs-table').locator('tbody tr');
    expect(await runs.count()).toBe(5);
    // The Results cell shows the last mix against that frozen run: like with like, so no "not comparable" notice.
    const results = page.locator('#results');
    await results.getByTestId('heatmap-difference').waitFor();
    expect(await results.getByTestId('different-questions').count()).toBe(0);
    // After the tables, what they show in one sentence, and its chart.
    const sentence = page.getByTestId('mix-findings-sentence');
    await sentence.waitFor({ timeout: 300_000 });
    expect(await sentence.textContent()).toMatch(/cross-lingual mAP by [\d.–]+ .*; monolingual mAP moves by /);
    await page.getByTestId('mix-findings-chart').locator('.main-svg').first().waitFor();
    await page.getByTestId('mix-comparison').screenshot({ path: `${SHOTS_DIR}/classroom-tables.png` });
    // The loss chart: a smoothed line per batch type (the last mix is hybrid: mono and cross).
    const lossTraces = await page.locator('#train').getByTestId('loss-chart').evaluate((element) => (element as HTMLElement & { data: { name: string }[] }).data.map((t) => t.name));
    expect(lossTraces.filter((name) => name.endsWith('(smoothed)')).sort()).toEqual(['cross batches (smoothed)', 'mono batches (smoothed)']);
    expect(await page.locator('#train').getByLabel('Steps', { exact: true }).inputValue()).toBe('100');
    await page.locator('#train').screenshot({ path: `${SHOTS_DIR}/classroom.png` });
    await results.screenshot({ path: `${SHOTS_DIR}/classroom-results.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 900_000);
});
