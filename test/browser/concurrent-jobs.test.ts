/**
 * Two jobs at once in one lab worker: Evaluate, then Train at once, both scoring on the pool of
 * scoring workers (the default, Automatic). Each job must score against its own candidates: the
 * pool once held one index for everyone, and the second job's index replaced the first's mid-run
 * ("offset is out of bounds", or an evaluation saved with wrong numbers). Both runs must equal what
 * the core computes in Node for them alone. And no run starts while a number field shows a value
 * it would not use.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/metrics/types';
import { DEFAULT_TRAINING_CONFIG, MIX_PRESETS, type TrainingResult } from '../../src/core/training';
import { expectedReport, expectedTraining, loadLocalSubset, openNotebook, readSummaryTitles, startHarness, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en', 'es', 'zh'];
const ARTICLES = 12;
const CONFIG = { ...DEFAULT_TRAINING_CONFIG, mix: MIX_PRESETS.hybrid.mix, batchSize: 16, steps: 8, heldOutEvery: 4 };
const METRICS = ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'rank_distance', 'own_share10'] as const;

/** The summary the Results cell shows for Run `number` (full precision, from the cells' titles). */
async function summaryOfRun(page: Page, number: number): Promise<Record<string, string | null>> {
  await page.getByRole('radio', { name: `Show Run ${number}` }).check();
  await expect.poll(() => page.getByTestId('runs-table').locator(`tr[data-run="${number}"]`).getAttribute('class'), { timeout: 60_000 }).toBe('selected');
  return readSummaryTitles(page);
}

describe('an evaluation and a training at once', () => {
  let harness: Harness;
  let evaluation: EvalReport;
  let training: TrainingResult;

  beforeAll(async () => {
    [harness, evaluation, training] = await Promise.all([startHarness(), expectedReport(LANGUAGES, ARTICLES), expectedTraining(LANGUAGES, ARTICLES, CONFIG)]);
  });
  afterAll(() => harness?.close());

  it('each scores against its own candidates on the shared pool and gives the numbers of Node', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    expect(await page.getByRole('radio', { name: /Automatic/ }).isChecked()).toBe(true);
    const mixCell = page.locator('#batch-mix');
    await mixCell.getByRole('radio', { name: 'Hybrid' }).check();
    await mixCell.getByLabel('Batch size', { exact: true }).fill(String(CONFIG.batchSize));
    const trainCell = page.locator('#train');
    await trainCell.getByLabel('Steps', { exact: true }).fill(String(CONFIG.steps));
    await trainCell.getByLabel('Evaluate every', { exact: true }).fill(String(CONFIG.heldOutEvery));
    await expect.poll(() => mixCell.getByTestId('batch-mix-status').textContent(), { timeout: 60_000 }).toBe('previewed');

    await page.getByRole('button', { name: 'Evaluate' }).click();
    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await trainCell.getByTestId('finished-training').waitFor({ timeout: 120_000 });
    const rows = page.getByTestId('runs-table').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(2);

    const trainedNumber = Number(await rows.filter({ has: page.getByTestId('head-of-run') }).getAttribute('data-run'));
    const evaluatedNumber = 3 - trainedNumber;
    const evaluated = await summaryOfRun(page, evaluatedNumber);
    const trained = await summaryOfRun(page, trainedNumber);
    for (const key of METRICS) {
      expect(evaluated[key]).toBe(String(evaluation.summary[key]));
      expect(trained[key]).toBe(String(training.after.summary[key]));
    }

    // A field showing an invalid value holds every run back, naming it, until it is fixed.
    const steps = trainCell.getByLabel('Steps', { exact: true });
    await steps.fill('999999999');
    const train = trainCell.getByRole('button', { name: 'Train', exact: true });
    await expect.poll(() => train.isDisabled(), { timeout: 60_000 }).toBe(true);
    expect(await trainCell.locator('.hint').first().textContent()).toBe('Fix "Steps" first: a run would not use the value shown.');
    expect(await page.getByRole('button', { name: 'Evaluate' }).isDisabled()).toBe(true);
    await steps.fill(String(CONFIG.steps));
    await expect.poll(() => train.isDisabled(), { timeout: 60_000 }).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });
});
