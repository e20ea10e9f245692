/**
 * The map of the embedding space in Chromium: drawn in the lab worker for an evaluated run (one
 * trace per language, in the language colours, with exactly the sampled texts) with the own-language
 * neighbour share that an independent computation in Node gives; a language highlighted from the
 * legend; and after training, the frozen encoder and the trained head side by side (the evaluation
 * side of the split, the head's view through the exported head), with the Train cell's metric terms.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/app/state/settings';
import { splitChoice } from '../../src/app/state/training';
import type { Dataset } from '../../src/core/dataset/types';
import { applyHead, parseHead, splitByArticles } from '../../src/core/training';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { chooseMapSample } from '../../src/core/projection/sample';
import { languageColour } from '../../src/app/cells/language-colours';
import { MAP_SEED } from '../../src/app/state/map';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

const LANGUAGES = ['de', 'en', 'ru', 'zh'];
const ARTICLES = 3;
const SIZE = 200;
const K = 15;

interface PlotTrace {
  name: string;
  x: number[];
  text: string[];
  marker: { color: string; opacity: number };
}

interface Expected {
  overall: number;
  byLanguage: Record<string, number>;
  texts: Record<string, string[]>;
}

/**
 * The map's sample of `dataset` (the whole subset, or a split's evaluation side), its texts embedded in
 * Node, optionally through an exported head, and the own-language share of each point's 15 nearest
 * neighbours by a plain sort of every pair's cosine.
 */
async function expectedShare(dataset: Dataset, head: string | null = null): Promise<Expected> {
  const sample = chooseMapSample(dataset, SIZE, MAP_SEED);
  const texts = sample.map((p) => (p.kind === 'query' ? dataset.queries : dataset.candidates)[p.row].text);
  const encoder = createLexicalEncoder();
  const { dim } = encoder;
  const frozen = new Float32Array(sample.length * dim);
  for (const [i, p] of sample.entries()) frozen.set(await encoder.encode([texts[i]], p.kind === 'query' ? 'query' : 'passage'), i * dim);
  const matrix = head ? await applyHead(parseHead(head), frozen, sample.length) : frozen;
  const vectors = sample.map((_, i) => matrix.subarray(i * dim, (i + 1) * dim));
  const cosines = vectors.map((a) => vectors.map((b) => a.reduce((sum, v, t) => sum + v * b[t], 0)));
  const shares = sample.map((p, i) => {
    const nearest = sample
      .map((_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => cosines[i][b] - cosines[i][a] || a - b)
      .slice(0, K);
    return nearest.filter((j) => sample[j].language === p.language).length / K;
  });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const byLanguage = Object.fromEntries(LANGUAGES.map((l) => [l, mean(shares.filter((_, i) => sample[i].language === l))]));
  const textsByLanguage = Object.fromEntries(LANGUAGES.map((l) => [l, texts.filter((_, i) => sample[i].language === l)]));
  return { overall: mean(shares), byLanguage, texts: textsByLanguage };
}

/** The drawn view's traces: one per language, in its colour, with the hover texts of exactly the sampled points. */
function expectTraces(drawn: PlotTrace[], expected: Expected): void {
  expect(drawn.map((t) => t.name).sort()).toEqual(LANGUAGES);
  for (const trace of drawn) {
    expect(trace.marker.color).toBe(languageColour(LANGUAGES, trace.name));
    // plotly's copy is escaped, broken into lines and cut at 160 characters: compare the starts, spaces aside.
    const shownStarts = trace.text.map((t) => t.replace(/<br>|\s/g, '').slice(0, 40));
    expect(shownStarts).toEqual(expected.texts[trace.name].map((t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s/g, '').slice(0, 40)));
  }
}

describe('the map of the embedding space in Chromium', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('draws an evaluated run by language with the neighbour share of Node, highlights a language, and shows a trained head beside the encoder', async () => {
    const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages: LANGUAGES, articles: ARTICLES });
    const expected = await expectedShare(dataset);
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, LANGUAGES, ARTICLES);
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await expect.poll(() => page.getByTestId('runs-table').locator('tbody tr').count(), { timeout: 120_000 }).toBe(1);

    const section = page.getByTestId('embedding-map');
    await section.getByLabel('Points in the sample').fill(String(SIZE));
    await section.getByTestId('draw-map').click();
    const traces = (view: string) => section.getByTestId(`map-${view}`).evaluate((div) => (div as unknown as { data: PlotTrace[] }).data);
    await expect.poll(async () => (await section.getByTestId('map-encoder').count()) > 0 && (await traces('encoder')).length, { timeout: 120_000 }).toBe(LANGUAGES.length);

    const drawn = await traces('encoder');
    expectTraces(drawn, expected);
    expect(drawn.reduce((n, t) => n + t.x.length, 0)).toBe(SIZE);
    const table = section.getByTestId('map-share-table');
    const shareCell = (view: string, row: string) => table.locator('tr', { has: page.locator(`th:text-is("${row}")`) }).locator(`td[data-share="${view}"]`).textContent();
    expect(await shareCell('encoder', 'all')).toBe(expected.overall.toFixed(3));
    for (const language of LANGUAGES) expect(await shareCell('encoder', language)).toBe(expected.byLanguage[language].toFixed(3));
    expect(await table.locator('[data-metric-term="own_neighbours"]').count()).toBe(1);

    await section.getByRole('button', { name: 'zh', exact: true }).click();
    expect(await section.getByRole('button', { name: 'zh', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(async () => (await traces('encoder')).map((t) => [t.name, t.marker.opacity]), { timeout: 60_000 }).toEqual([
      ['de', 0.08],
      ['en', 0.08],
      ['ru', 0.08],
      ['zh', 0.95],
    ]);
    await section.screenshot({ path: `${SHOTS_DIR}/map-evaluation.png` });

    // After a reload the worker keeps no embeddings: the sample alone is encoded, to the same numbers.
    await page.reload();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor({ timeout: 60_000 });
    await section.getByLabel('Points in the sample').fill(String(SIZE));
    await section.getByTestId('draw-map').click();
    await expect.poll(async () => (await section.getByTestId('map-encoder').count()) > 0 && (await traces('encoder')).length, { timeout: 120_000 }).toBe(LANGUAGES.length);
    expectTraces(await traces('encoder'), expected);
    for (const language of LANGUAGES) expect(await shareCell('encoder', language)).toBe(expected.byLanguage[language].toFixed(3));

    // Train a few steps of the hybrid mix: the trained run is shown, and its map has both views.
    await page.locator('#batch-mix').getByRole('radio', { name: 'Hybrid' }).check();
    const trainCell = page.locator('#train');
    await trainCell.getByLabel('Steps', { exact: true }).fill('20');
    await trainCell.getByLabel('Evaluate every', { exact: true }).fill('0');
    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await trainCell.getByTestId('finished-training').waitFor({ timeout: 120_000 });
    expect(await section.getByTestId('draw-map').textContent()).toBe('Draw map');
    // The Train cell's before / after table names its metrics with their definitions.
    const terms = await trainCell.getByTestId('before-after-table').locator('[data-metric-term]').evaluateAll((spans) => spans.map((span) => span.getAttribute('data-metric-term')));
    expect(terms).toEqual(['mono_map', 'cross_map', 'multi_map', 'rank_distance']);
    await section.getByTestId('draw-map').click();
    await expect.poll(async () => (await section.getByTestId('map-head').count()) > 0 && (await traces('head')).length, { timeout: 120_000 }).toBe(LANGUAGES.length);
    // Both views show the evaluation side of the run's split, the right one through the exported head.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export head' }).click()]);
    const head = await readFile((await download.path())!, 'utf8');
    const evaluationSide = splitByArticles(dataset, splitChoice(DEFAULT_SETTINGS.mix)).evaluation.dataset;
    const [frozen, trained] = await Promise.all([expectedShare(evaluationSide), expectedShare(evaluationSide, head)]);
    expectTraces(await traces('encoder'), frozen);
    expectTraces(await traces('head'), trained);
    expect(await shareCell('encoder', 'all')).toBe(frozen.overall.toFixed(3));
    // The page applies the head with onnxruntime-web's float32 Gemm, Node with the JS kernel: a near tie may swap a neighbour.
    expect(Math.abs(Number(await shareCell('head', 'all')) - trained.overall)).toBeLessThanOrEqual(0.002);
    await section.screenshot({ path: `${SHOTS_DIR}/map-trained.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 400_000);
});
