/**
 * Runs out and back in: two runs compared in one profile are exported, the site data cleared (a fresh
 * profile), the file imported, and the runs, their numbers and their comparison are the same; then a
 * report.json written by `xling eval` on the same subset is imported and shows the same numbers as the
 * notebook's own evaluation of it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalSubset, openNotebook, readSummaryTitles, ROOT, SHOTS_DIR, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en'];
const ARTICLES = 2;

describe('runs export and import in Chromium', () => {
  let harness: Harness;
  let dir: string;

  beforeAll(async () => {
    harness = await startHarness();
    dir = await mkdtemp(join(tmpdir(), 'xling-run-files-'));
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** The runs table as text, row by row, without the time column (the locale's). */
  async function runsTable(page: Page): Promise<string[][]> {
    return page
      .getByTestId('runs-table')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(1, 7).map((cell) => cell.textContent ?? '')));
  }

  async function evaluate(page: Page, runs: number): Promise<void> {
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await expect.poll(() => page.getByTestId('runs-table').locator('tbody tr').count(), { timeout: 120_000 }).toBe(runs);
  }

  it('exports runs, imports them into a fresh profile, and imports a CLI report', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    await evaluate(page, 1);
    await page.locator('#encoder').getByLabel('Dimension').fill('256');
    await evaluate(page, 2);
    const runIds = await page.getByTestId('compare-select').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    await page.getByTestId('compare-select').selectOption(runIds[1]);
    await page.getByTestId('heatmap-difference').waitFor();
    const before = { runs: await runsTable(page), summary: await readSummaryTitles(page), compare: await page.getByTestId('compare-select').inputValue() };

    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-runs').click();
    const file = join(dir, (await downloading).suggestedFilename());
    await (await downloading).saveAs(file);
    expect(JSON.parse(await readFile(file, 'utf8')).runs).toHaveLength(2);
    expect(errors).toEqual([]);
    await context.close();

    // A fresh profile: no IndexedDB, no runs.
    const fresh = await openNotebook(harness);
    const again = fresh.page;
    await again.getByTestId('import-runs-file').setInputFiles(file);
    await expect.poll(() => again.getByTestId('runs-import-message').textContent(), { timeout: 60_000 }).toBe(`Imported from ${file.split('/').at(-1)}: Run 1, Run 2.`);
    await again.getByTestId('heatmap-difference').waitFor();
    expect({ runs: await runsTable(again), summary: await readSummaryTitles(again), compare: await again.getByTestId('compare-select').inputValue() }).toEqual(before);
    // Figures download as SVG and PNG; tables copy as text.
    const figure = again.locator('figure', { has: again.getByTestId('heatmap-difference') });
    const svgDownload = again.waitForEvent('download');
    await figure.getByTestId('download-svg').click();
    const svg = join(dir, (await svgDownload).suggestedFilename());
    await (await svgDownload).saveAs(svg);
    expect(svg).toMatch(/xling-difference-run-2-run-1\.svg$/);
    expect(await readFile(svg, 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const pngDownload = again.waitForEvent('download');
    await figure.getByTestId('download-png').click();
    const png = join(dir, (await pngDownload).suggestedFilename());
    await (await pngDownload).saveAs(png);
    expect((await readFile(png)).subarray(1, 4).toString('latin1')).toBe('PNG');
    await fresh.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    // The summary gains its 95% CI and p columns once the paired statistics are computed.
    await again.getByTestId('significance-caption').waitFor({ timeout: 120_000 });
    const summary = again.locator('.copy-table', { has: again.getByTestId('summary-table') });
    await summary.getByTestId('copy-markdown').click();
    await expect.poll(() => summary.getByRole('status').textContent(), { timeout: 60_000 }).toBe('Copied as Markdown.');
    const markdown = await again.evaluate(() => navigator.clipboard.readText());
    expect(markdown.split('\n').slice(0, 5)).toEqual([
      '**Summary: Run 2 against Run 1**',
      '',
      '| Metric | Run 2 | Run 1 | Δ | 95% CI | p |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| Monolingual mAP | ${before.runs[0][3]} | ${before.runs[1][3]} | ${(await summary.locator('tr[data-metric="mono_map"] td').allTextContents()).slice(2, 5).join(' | ')} |`,
    ]);

    // Metric names explain themselves on keyboard focus (and hover), in design.md's terms.
    const term = again.getByTestId('summary-table').locator('[data-metric-term="rank_distance"]');
    await term.focus();
    const tooltip = term.getByRole('tooltip');
    await expect.poll(() => tooltip.isVisible(), { timeout: 60_000 }).toBe(true);
    expect(await tooltip.textContent()).toContain('Lower is better');
    await again.screenshot({ path: `${SHOTS_DIR}/metric-tooltip.png`, clip: { ...(await term.boundingBox())!, width: 420, height: 220 } });
    await again.mouse.move(0, 0);
    await term.blur();
    expect(await tooltip.isVisible()).toBe(false);
    await again.getByTestId('heatmap-note').locator('summary').click();
    expect(await again.getByTestId('heatmap-note').textContent()).toContain('The outlined diagonal is monolingual retrieval');

    // The same file again adds nothing.
    await again.getByTestId('import-runs-file').setInputFiles(file);
    await expect.poll(() => again.getByTestId('runs-import-message').textContent(), { timeout: 60_000 }).toContain('no new runs; 2 already here');

    // The command line's report of the same subset with the default lexical encoder: Run 1's numbers.
    const report = join(dir, 'report.json');
    await promisify(execFile)(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', 'eval', '--dataset', XQUAD_R_DIR, '--languages', LANGUAGES.join(','), '--articles', String(ARTICLES), '--encoder', 'lexical', '--out', report], { cwd: ROOT });
    await again.getByTestId('import-runs-file').setInputFiles(report);
    await expect.poll(() => again.getByTestId('runs-import-message').textContent(), { timeout: 60_000 }).toBe('Imported from report.json: Run 3.');
    const rows = await runsTable(again);
    expect(rows[0][0]).toBe('Run 3');
    expect(rows[0].slice(3)).toEqual(before.runs[1].slice(3));
    expect(await again.getByTestId('head-of-run').first().textContent()).toContain('xling eval (imported report.json, encoder lexical)');
    await again.locator('#results').screenshot({ path: `${SHOTS_DIR}/imported-runs.png` });

    // A file that is no report says so.
    await again.getByTestId('import-runs-file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"summary": {"mono_map": "high"}, "cells": {}}') });
    await expect.poll(() => again.getByTestId('runs-import-message').textContent(), { timeout: 60_000 }).toBe(
      'notes.json: report.summary.mono_map: expected a number, got "high"; report.summary.cross_map: expected a number, got nothing; ' +
        'report.summary.multi_map: expected a number, got nothing; and 3 more.',
    );
    expect(fresh.errors).toEqual([]);
    await fresh.context.close();
  }, 600_000);
});
