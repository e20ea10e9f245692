/**
 * Is the difference real, in Chromium: two runs of a XQuAD-R subset (the lexical encoder at 2048 and
 * at 256 dimensions, JS scoring so the numbers are the core's bit for bit) are compared; the page
 * must show exactly the CIs, p-values and significance marks that the core computes in Node with
 * the same resamples and seed, and the first-language heatmap of the core's report.
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLexicalEncoder, DEFAULT_LEXICAL_OPTIONS } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import type { EvalReport } from '../../src/core/metrics/types';
import { comparePaired, COMPARED_METRICS, type ComparisonReport } from '../../src/core/stats/paired';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en', 'es', 'zh'];
const ARTICLES = 8;

/** Hashing into 256 dimensions collides more n-grams: some cells lose significantly, some not (checked below). */
const SMALL_DIM = 256;

async function expectedRuns(): Promise<{ wide: EvalReport; narrow: EvalReport; comparison: ComparisonReport }> {
  const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages: LANGUAGES, articles: ARTICLES });
  const wide = (await evaluateDataset(dataset, createLexicalEncoder(DEFAULT_LEXICAL_OPTIONS), { matmul: jsMatmul })).report;
  const narrow = (await evaluateDataset(dataset, createLexicalEncoder({ ...DEFAULT_LEXICAL_OPTIONS, dim: SMALL_DIM }), { matmul: jsMatmul })).report;
  // The page shows Run 2 (narrow) against Run 1 (wide): delta = Run 2 − Run 1.
  return { wide, narrow, comparison: comparePaired(wide.perQuery!, narrow.perQuery!, { resamples: 2000, seed: 1 }) };
}

describe('significance in Chromium', () => {
  let harness: Harness;
  let expected: Awaited<ReturnType<typeof expectedRuns>>;

  beforeAll(async () => {
    [harness, expected] = await Promise.all([startHarness(), expectedRuns()]);
    await mkdir(SHOTS_DIR, { recursive: true });
  }, 180_000);
  afterAll(() => harness?.close());

  it('shows delta with 95% CI and p per summary metric, marks exactly the cells with p_holm < 0.05, and the first-language heatmap', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    await page.getByRole('radio', { name: /JavaScript/ }).check();
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('runs-table').locator('tr[data-run="1"]').waitFor({ timeout: 120_000 });
    await page.getByLabel('Dimension').fill(String(SMALL_DIM));
    await page.getByLabel('Dimension').press('Tab');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('runs-table').locator('tr[data-run="2"]').waitFor({ timeout: 120_000 });
    await page.getByTestId('compare-select').selectOption({ index: 1 });
    await page.getByTestId('significance-caption').waitFor({ timeout: 120_000 });

    // Summary: the CI and p of every compared metric, as the core computed them.
    const { comparison } = expected;
    for (const metric of COMPARED_METRICS) {
      const row = page.getByTestId('summary-table').locator(`tr[data-metric="${metric}"]`);
      expect(await row.locator('td.ci').getAttribute('data-ci'), metric).toBe(comparison.summary[metric].ci!.join(','));
      expect(await row.locator('td.p').getAttribute('data-p'), metric).toBe(String(comparison.summary[metric].p));
    }

    // Difference heatmap: a star on exactly the cells with p_holm < 0.05, CI and p on hover.
    const plot = page.getByTestId('heatmap-difference');
    await plot.locator('.heatmap-label').first().waitFor();
    const trace = await plot.evaluate((element) => {
      const el = element as HTMLElement & { data: { text: string[][]; customdata: string[][] }[]; layout: { shapes: unknown[] } };
      return { text: el.data[0].text, hover: el.data[0].customdata, shapes: el.layout.shapes.length };
    });
    const significant = LANGUAGES.map((x) => LANGUAGES.map((y) => comparison.cells[x][y].p_holm! < 0.05));
    expect(trace.text.map((row) => row.map((t) => t.endsWith('*')))).toEqual(significant);
    expect(trace.shapes).toBe(LANGUAGES.length + significant.flat().filter(Boolean).length);
    const cell = comparison.cells.de.en;
    expect(trace.hover[0][1]).toContain(`p ${cell.p! < 0.001 ? cell.p!.toFixed(4) : cell.p!.toFixed(3)}`);
    expect(significant.flat().some(Boolean), 'some cell differs significantly on this data').toBe(true);
    expect(significant.flat().every(Boolean), 'and not all of them').toBe(false);

    // The first-language heatmap of the shown run (Run 2) is the core's first_language.
    const first = page.locator('[data-testid^="first-language-"]').first();
    await first.locator('.heatmap-label').first().waitFor();
    const z = await first.evaluate((element) => (element as HTMLElement & { data: { z: number[][] }[] }).data[0].z);
    expect(z).toEqual(LANGUAGES.map((x) => LANGUAGES.map((y) => expected.narrow.first_language[x][y])));
    expect(await page.getByTestId('own-first-excess-2').textContent()).toContain(expected.narrow.summary.own_first_excess!.toFixed(3));

    await page.getByTestId('heatmap-difference').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS_DIR}/significance.png`, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
