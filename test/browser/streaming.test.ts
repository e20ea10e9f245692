/**
 * Streaming evaluation in the notebook (issue 18): the Evaluate cell's Ranking set to Streaming, in
 * blocks of 1,024 candidates, on an XQuAD-R subset of 1,786 candidates (two blocks and the first
 * pass over the relevant candidates, on the pool of scoring workers), must give the run that whole
 * score rows give: every cell of the heatmaps, the summary and every query's values (what compare
 * pairs), and both must equal the core's numbers in Node. The same holds with onnxruntime-web's
 * float32 Gemm forced (its own numbers: float32 sums).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/metrics/types';
import { evalReportJson } from '../../src/core/stats/report-json';
import { expectedReport, loadLocalSubset, openNotebook, readSummaryTitles, startHarness, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en', 'th', 'zh'];
const ARTICLES = 20;
const METRICS = ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'rank_distance', 'own_share10'] as const;

/** A report as the runs file writes it (per-query values included), without the timings that differ between runs. */
function withoutTimings(report: Record<string, unknown>): Record<string, unknown> {
  const { timings: _timings, ...rest } = report;
  return rest;
}

describe('streaming evaluation in Chromium', () => {
  let harness: Harness;
  let expected: EvalReport;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'xling-stream-'));
    [harness, expected] = await Promise.all([startHarness(), expectedReport(LANGUAGES, ARTICLES)]);
  });
  afterAll(async () => {
    await harness?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('streamed in blocks of 1,024 candidates gives the whole-row run number for number, per query too', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    await page.getByTestId('dataset-summary').filter({ hasText: '1,786 candidate sentences' }).waitFor();
    const evaluate = page.getByRole('region', { name: 'Evaluate' });
    const rows = page.getByTestId('runs-table').locator('tbody tr');

    // By job size (the default): this subset is far below the job limit, so whole score rows.
    expect(await evaluate.getByRole('radio', { name: /^By job size/ }).isChecked()).toBe(true);
    await evaluate.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(1);
    expect(await page.getByTestId('timings').textContent()).not.toContain('streamed');
    const wholeRows = await readSummaryTitles(page);

    await evaluate.getByRole('radio', { name: /^Streaming/ }).check();
    await evaluate.getByLabel('Candidates per block').fill('1024');
    expect(await page.getByTestId('job-estimate').textContent()).toContain('candidates at 2048 dimensions, streamed in blocks of 1,024 candidates: about');
    await evaluate.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(2);
    expect(await page.getByTestId('timings').textContent()).toContain('; streamed in blocks of 1,024 candidates');
    const streamed = await readSummaryTitles(page);
    for (const key of METRICS) {
      expect(wholeRows[key]).toBe(String(expected.summary[key]));
      expect(streamed[key]).toBe(String(expected.summary[key]));
    }

    // onnxruntime-web's float32 Gemm forced: streamed blocks are padded so that a pair's score does not depend on its block,
    // so the streamed run equals the whole-row run of that backend too.
    await evaluate.getByRole('radio', { name: /^onnxruntime-web/ }).check();
    await evaluate.getByRole('radio', { name: /^Whole score rows/ }).check();
    await evaluate.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(3);
    await evaluate.getByRole('radio', { name: /^Streaming/ }).check();
    await evaluate.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(4);
    expect(await page.getByTestId('timings').textContent()).toMatch(/on onnxruntime-web wasm, \d threads?; streamed in blocks of 1,024 candidates/);

    // Every number of the runs, as the runs file holds them (cells, multilingual, first language, per query).
    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-runs').click();
    const file = path.join(scratch, (await downloading).suggestedFilename());
    await (await downloading).saveAs(file);
    const runs = (JSON.parse(await readFile(file, 'utf8')) as { runs: { number: number; report: Record<string, unknown> }[] }).runs;
    const byNumber = (n: number) => withoutTimings(runs.find((run) => run.number === n)!.report);
    const node = withoutTimings(JSON.parse(JSON.stringify(evalReportJson(expected, true))) as Record<string, unknown>);
    expect((node.per_query as unknown[]).length).toBe(expected.perQuery!.ids.length);
    expect(byNumber(1)).toEqual(node);
    expect(byNumber(2)).toEqual(node);
    expect(byNumber(4)).toEqual(byNumber(3));
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
