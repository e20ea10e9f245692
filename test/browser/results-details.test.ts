/**
 * Details from a teacher's walk-through: keyboard focus stays on Evaluate while and after it runs, the
 * compare dropdown names each run's subset, and at 900 px its label is whole beside a long run name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, type Harness } from '../support/harness';

/** A one-language train report of the command line (numbers made up), whose run has a long name. */
const REPORT = {
  summary: { mono_map: 0.5, cross_map: 0.5, multi_map: 0.5, multi_r10: 0.5, rank_distance: null, own_share10: 1 },
  cells: { en: { en: { map: 0.5, r1: 0.5, n: 2 } } },
  multilingual: { en: { map: 0.5, r10: 0.5, rank_distance: null, own_share10: 1, n: 2 } },
  timings: { encode_s: 1, score_s: 1 },
};
const TRAIN_REPORT = {
  before: REPORT,
  after: REPORT,
  loss: [1],
  settings: { dataset: '/data/xquad-r', languages: ['en'], articles: null, encoder: 'onnx:/models/multilingual-e5-small', pooling: 'mean', dtype: 'fp32', mix_text: 'mono=0.5,cross=0.5', seed: 1, steps: 300 },
  split: { spec: 'articles:0.5' },
  training: { steps_run: 300 },
};

describe('results details in Chromium', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('keeps focus on Evaluate, names subsets in the compare dropdown, and fits its label at 900 px', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await page.setViewportSize({ width: 900, height: 900 });
    await loadLocalSubset(page, ['de', 'en', 'hi', 'th'], 2);
    const evaluate = page.getByRole('button', { name: 'Evaluate', exact: true });
    for (const runs of [1, 2]) {
      await evaluate.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('runs-table').locator('tbody tr').count(), { timeout: 120_000 }).toBe(runs);
      await expect.poll(() => page.getByTestId('evaluate-status').textContent(), { timeout: 60_000 }).toBe(`${runs} run${runs === 1 ? '' : 's'}`);
      expect(await evaluate.evaluate((button) => button === document.activeElement)).toBe(true);
    }

    const select = page.getByTestId('compare-select');
    expect(await select.locator('option').nth(1).textContent()).toBe('Run 1 · xquad-r (de en hi th, first 2 articles) · lexical 2048-d, 2-4-grams');
    // A run with a long name: a train report of the command line, imported.
    await page.getByTestId('import-runs-file').setInputFiles({ name: 'train-report-of-a-long-experiment.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(TRAIN_REPORT)) });
    await page.getByRole('radio', { name: 'Show Run 2' }).check();
    await select.selectOption({ index: 2 });
    expect(await select.locator('option:checked').textContent()).toContain('xling train');
    const label = page.locator('#results .compare-row .field.inline > span');
    const [labelBox, selectBox] = [(await label.boundingBox())!, (await select.boundingBox())!];
    expect(await label.textContent()).toBe('Compare Run 2 with');
    expect(await label.evaluate((span) => span.scrollWidth <= span.clientWidth)).toBe(true);
    expect(labelBox.x).toBeGreaterThanOrEqual(0);
    expect(labelBox.x + labelBox.width).toBeLessThanOrEqual(selectBox.x);
    expect(selectBox.x + selectBox.width).toBeLessThanOrEqual(900);
    await page.locator('#results .compare-row').screenshot({ path: `${SHOTS_DIR}/compare-900.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
