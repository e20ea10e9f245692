/**
 * A long evaluation (all of XQuAD-R) runs in the worker while the page keeps answering clicks (they
 * take effect while it still runs), and Cancel really stops it: no run is kept, and the worker is
 * free for the next evaluation. No timing bounds: they fail on a busy machine, not on slow code.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { loadLocalSubset, openNotebook, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

/**
 * Clicks a radio button and waits until the page shows it checked; true when the evaluation was still
 * running then (its Cancel button still there), so the page answered while the workers were busy.
 */
async function answersWhileEvaluating(page: Page, name: RegExp): Promise<boolean> {
  const radio = page.getByRole('radio', { name });
  await radio.click();
  await expect.poll(() => radio.isChecked(), { interval: 10 }).toBe(true);
  return (await page.getByRole('button', { name: 'Cancel' }).count()) === 1;
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
    expect(await answersWhileEvaluating(page, /^Sentence \+ paragraph/)).toBe(true);
    expect(await answersWhileEvaluating(page, /^Sentence the answer sentence/)).toBe(true);

    await progress.waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('evaluation-cancelled').waitFor({ timeout: 60_000 });
    expect(await progress.count()).toBe(0);
    expect(await page.getByTestId('runs-table').count()).toBe(0);

    // The worker is free again: a small evaluation right after finishes in seconds.
    await loadLocalSubset(page, ['en', 'es'], 1);
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('timings').waitFor({ timeout: 120_000 });
    expect(errors).toEqual([]);
    await context.close();
  });
});
