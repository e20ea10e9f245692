/**
 * The notebook's main path in Chromium: evaluate a subset of XQuAD-R from the local data folder and
 * find exactly the numbers the core computes in Node; reload and find everything still there;
 * compare two runs; delete one.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/metrics/types';
import { expectedReport, loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en', 'es', 'zh']; // sorted: the app keeps the dataset's language order
const ARTICLES = 2;

/** The mAP heatmap of the shown run: its plotted z matrix and the values printed in its cells. */
type HeatmapReading = { x: string[]; y: string[]; z: (number | null)[][]; hover: string[][]; printed: string[] };

async function readHeatmap(page: Page, testId = 'heatmap-'): Promise<HeatmapReading> {
  const plot = page.locator(testId === 'heatmap-' ? '[data-testid^="heatmap-"]:not([data-testid="heatmap-difference"])' : `[data-testid="${testId}"]`).first();
  await plot.locator('.heatmap-label').first().waitFor();
  return plot.evaluate((element) => {
    const [trace] = (element as HTMLElement & { data: { x: string[]; y: string[]; z: (number | null)[][]; customdata: string[][] }[] }).data;
    const printed = Array.from(element.querySelectorAll('.heatmap-label text'), (text) => text.textContent ?? '');
    return { x: trace.x, y: trace.y, z: trace.z, hover: trace.customdata, printed };
  });
}

/** The summary table's cells: printed text and the full-precision value in each cell's title. */
async function readSummary(page: Page): Promise<Record<string, { text: string; title: string | null }>> {
  const rows = page.getByTestId('summary-table').locator('tbody tr');
  const summary: Record<string, { text: string; title: string | null }> = {};
  for (const row of await rows.all()) {
    const cell = row.locator('td').first();
    summary[(await row.getAttribute('data-metric'))!] = { text: (await cell.textContent())!, title: await cell.getAttribute('title') };
  }
  return summary;
}

function expectHeatmapMatches(heatmap: HeatmapReading, report: EvalReport): void {
  expect(heatmap.x).toEqual(LANGUAGES);
  expect(heatmap.y).toEqual(LANGUAGES);
  const expected = LANGUAGES.map((x) => LANGUAGES.map((y) => report.cells[x][y].map));
  expect(heatmap.z).toEqual(expected);
  expect([...heatmap.printed].sort()).toEqual(expected.flat().map((value) => value.toFixed(2)).sort());
  // Hovering a cell shows its mAP (z) with R@1 and n from customdata.
  expect(heatmap.hover).toEqual(
    LANGUAGES.map((x) => LANGUAGES.map((y) => `R@1 ${report.cells[x][y].r1.toFixed(3)}<br>n ${report.cells[x][y].n}`)),
  );
}

describe('notebook in Chromium', () => {
  let harness: Harness;
  let expected: EvalReport;

  beforeAll(async () => {
    [harness, expected] = await Promise.all([startHarness(), expectedReport(LANGUAGES, ARTICLES)]);
    await mkdir(SHOTS_DIR, { recursive: true });
  });
  afterAll(() => harness?.close());

  it('evaluates an XQuAD-R subset to the numbers the core computes, keeps them across a reload, compares and deletes runs', async () => {
    const { context, page, errors } = await openNotebook(harness);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);

    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    const counts = page.getByTestId('dataset-summary');
    await expect.poll(() => counts.textContent(), { timeout: 60_000 }).toContain('4 languages');

    // The default scoring (Automatic) takes the exact sparse kernel for the lexical vectors, on a pool
    // of scoring workers: float64 sums like the core's jsMatmul in Node, so the numbers agree exactly.
    expect(await page.getByRole('radio', { name: /Automatic/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('timings').waitFor();
    expect(await page.getByTestId('timings').textContent()).toMatch(/Run 1: encoding [\d.]+ s, scoring [\d.]+ s on sparse exact, 2 threads\./);

    expectHeatmapMatches(await readHeatmap(page), expected);
    const summary = await readSummary(page);
    for (const key of ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'own_share10'] as const) {
      expect(summary[key]).toEqual({ text: expected.summary[key].toFixed(3), title: String(expected.summary[key]) });
    }
    expect(summary.rank_distance).toEqual({ text: expected.summary.rank_distance!.toFixed(1), title: String(expected.summary.rank_distance) });
    for (const lang of LANGUAGES) {
      const row = page.getByTestId('language-table').locator(`tr[data-lang="${lang}"] td`);
      expect(await row.first().getAttribute('title')).toBe(String(expected.multilingual[lang].map));
    }
    await page.getByTestId('chart-rank-distance').locator('.main-svg').first().waitFor();
    await page.screenshot({ path: `${SHOTS_DIR}/results.png`, fullPage: true });

    // A reload restores settings, the dataset (from the data folder) and the run, without re-running it.
    await page.waitForTimeout(500); // past the save debounce
    await page.reload();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
    expect(await page.getByLabel('First K articles').inputValue()).toBe(String(ARTICLES));
    expectHeatmapMatches(await readHeatmap(page), expected);
    expect(await page.getByTestId('results-status').textContent()).toBe('current');

    // A settings change marks the run stale instead of re-running it.
    await page.getByRole('radio', { name: /^onnxruntime-web/ }).check();
    await page.getByTestId('stale-banner').waitFor();
    expect(await page.getByTestId('stale-banner').textContent()).toContain('scoring: auto → onnxruntime');

    // onnxruntime-web sums in float32: near-ties may order differently, so cells agree closely, not bit for bit.
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('runs-table').locator('tr[data-run="2"]').waitFor();
    expect(await page.getByTestId('timings').textContent()).toMatch(/Run 2: .* on onnxruntime-web wasm, \d+ threads?\./);
    await page.getByTestId('compare-select').selectOption({ label: `Run 1 · xquad-r (${LANGUAGES.join(' ')}, first ${ARTICLES} articles) · lexical 2048-d, 2-4-grams` });
    const difference = await readHeatmap(page, 'heatmap-difference');
    const plotted = (nth: number) =>
      page.locator('[data-testid^="heatmap-"]').nth(nth).evaluate((el) => (el as HTMLElement & { data: { z: number[][] }[] }).data[0].z);
    const [shown, compared] = [await plotted(0), await plotted(1)];
    expect(compared).toEqual(LANGUAGES.map((x) => LANGUAGES.map((y) => expected.cells[x][y].map)));
    expect(difference.z).toEqual(shown.map((row, i) => row.map((value, j) => value - compared[i][j])));
    for (const delta of difference.z.flat()) expect(Math.abs(delta!)).toBeLessThan(0.01);
    await page.getByTestId('chart-own-share').locator('.main-svg').first().waitFor();
    await page.screenshot({ path: `${SHOTS_DIR}/compare.png`, fullPage: true });

    await page.getByRole('button', { name: 'Delete Run 1' }).click();
    await expect.poll(() => page.getByTestId('runs-table').locator('tbody tr').count(), { timeout: 60_000 }).toBe(1);
    expect(await page.getByTestId('heatmap-difference').count()).toBe(0);

    expect(errors).toEqual([]);
    await context.close();
  });
});
