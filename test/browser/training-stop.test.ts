/**
 * Stop in the Train cell, in Chromium: a Stop before the first step (here while the encoder still
 * runs) ends the training at once and keeps no "0 steps" run, saying nothing was trained; a second
 * Stop while the kept head is measured ends it too, with no run. A split that leaves one article
 * to train on is warned about before Train is pressed.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalSubset, openNotebook, startHarness, type Harness } from '../support/harness';

const runCount = (page: Page) => page.getByTestId('runs-table').locator('tr[data-run]').count();

describe('Stop in the Train cell', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());

  it('warns of a split of 2 articles before training', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, ['de', 'en'], 2);
    await expect.poll(() => page.getByTestId('thin-split').textContent(), { timeout: 60_000 }).toContain('The split leaves only 1 article to train on');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('before the first step keeps nothing and says so; again while stopping ends the measuring', async () => {
    const { context, page, errors } = await openNotebook(harness);
    // All of XQuAD-R: encoding takes seconds, so the first Stop lands before any step.
    await loadLocalSubset(page, ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'], null);
    const trainCell = page.locator('#train');
    await trainCell.getByLabel('Steps', { exact: true }).fill('2000');
    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await trainCell.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => page.getByTestId('training-cancelled').textContent(), { timeout: 120_000 })
      .toBe('Stopped before the first step: nothing was trained, so no run was kept.');
    expect(await runCount(page)).toBe(0);

    // Again, once steps run: Stop keeps the best head, measured on the evaluation side; Stop again ends that.
    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(async () => /step [1-9]\d* \/ 2000/.test((await trainCell.textContent()) ?? ''), { timeout: 240_000 }).toBe(true);
    await trainCell.getByRole('button', { name: 'Stop', exact: true }).click();
    await trainCell.getByRole('button', { name: 'Cancel (keep nothing)' }).click();
    await expect.poll(() => page.getByTestId('training-cancelled').textContent(), { timeout: 120_000 })
      .toBe('Stopped again while the head was being measured: no run was kept.');
    expect(await runCount(page)).toBe(0);
    // Nothing is stuck: Train is offered again.
    expect(await trainCell.getByRole('button', { name: 'Train', exact: true }).isEnabled()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
});
