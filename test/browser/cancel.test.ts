/**
 * A long evaluation (all of XQuAD-R) runs in the worker while the page keeps answering clicks, and
 * Cancel really stops it: the worker aborts, answers, and is free for the next evaluation at once.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { loadLocalSubset, openNotebook, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

/** Milliseconds from a click on a radio button until the page shows it checked. */
async function clickLatency(page: Page, name: RegExp): Promise<number> {
  const radio = page.getByRole('radio', { name });
  const start = Date.now();
  await radio.click();
  await expect.poll(() => radio.isChecked(), { interval: 10 }).toBe(true);
  return Date.now() - start;
}

describe('cancelling an evaluation in Chromium', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());

  it('keeps the page responsive during a full XQuAD-R evaluation and stops it on Cancel', async () => {
    const languages = (await readdir(XQUAD_R_DIR)).filter((f) => f.endsWith('.json')).map((f) => f.replace('.json', ''));
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, languages, null);
    await page.getByTestId('dataset-summary').filter({ hasText: '13,090 queries' }).waitFor();

    await page.getByRole('button', { name: 'Evaluate' }).click();
    const progress = page.getByRole('progressbar', { name: 'Scoring and ranking' });
    await page.getByRole('progressbar', { name: 'Encoding candidates' }).waitFor();
    expect(await clickLatency(page, /^Sentence \+ paragraph/)).toBeLessThan(1000);
    expect(await clickLatency(page, /^Sentence the answer sentence/)).toBeLessThan(1000);

    await progress.waitFor({ timeout: 60_000 });
    const cancelled = Date.now();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('evaluation-cancelled').waitFor();
    expect(Date.now() - cancelled).toBeLessThan(10_000);
    expect(await progress.count()).toBe(0);
    expect(await page.getByTestId('runs-table').count()).toBe(0);

    // The worker is free again: a small evaluation right after finishes in seconds.
    await loadLocalSubset(page, ['en', 'es'], 1);
    const again = Date.now();
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('timings').waitFor();
    expect(Date.now() - again).toBeLessThan(10_000);
    expect(errors).toEqual([]);
    await context.close();
  });
});
