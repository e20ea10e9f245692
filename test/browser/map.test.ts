/**
 * The map of the embedding space in Chromium: drawn in the lab worker for an evaluated run (one
 * trace per language, in the language colours, with exactly the sampled texts) with the own-language
 * neighbour share that an independent computation in Node gives; a language highlighted from the
 * legend; and after training, the frozen encoder and the trained head side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { chooseMapSample } from '../../src/core/projection/sample';
import { languageColour } from '../../src/app/cells/language-colours';
import { MAP_SEED } from '../../src/app/state/map';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, XQUAD_R_DIR, type Harness } from './harness';

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

/** The own-language share of the 15 nearest neighbours, by a plain sort of every pair's cosine. */
async function expectedShare(): Promise<{ overall: number; byLanguage: Record<string, number>; texts: Record<string, string[]> }> {
  const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages: LANGUAGES, articles: ARTICLES });
  const sample = chooseMapSample(dataset, SIZE, MAP_SEED);
  const texts = sample.map((p) => (p.kind === 'query' ? dataset.queries : dataset.candidates)[p.row].text);
  const encoder = createLexicalEncoder();
  const vectors = await Promise.all(sample.map(async (p, i) => encoder.encode([texts[i]], p.kind === 'query' ? 'query' : 'passage')));
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

describe('the map of the embedding space in Chromium', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('draws an evaluated run by language with the neighbour share of Node, highlights a language, and shows a trained head beside the encoder', async () => {
    const { overall, byLanguage, texts } = await expectedShare();
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
    expect(drawn.map((t) => t.name).sort()).toEqual(LANGUAGES);
    for (const trace of drawn) {
      expect(trace.marker.color).toBe(languageColour(LANGUAGES, trace.name));
      // Hover texts: the sampled texts of that language (plotly's copy is escaped, wrapped and cut at 160 characters).
      const shownStarts = trace.text.map((t) => t.replace(/<br>/g, ' ').replace(/\s+/g, ' ').slice(0, 40));
      expect(shownStarts).toEqual(texts[trace.name].map((t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s+/g, ' ').slice(0, 40)));
    }
    expect(drawn.reduce((n, t) => n + t.x.length, 0)).toBe(SIZE);
    const table = section.getByTestId('map-share-table');
    expect(await table.locator('td[data-share="encoder"]').textContent()).toBe(overall.toFixed(3));
    for (const language of LANGUAGES) {
      expect(await table.locator('tr', { has: page.locator(`th:text-is("${language}")`) }).locator('td').textContent()).toBe(byLanguage[language].toFixed(3));
    }
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

    // Train a few steps of the hybrid mix: the trained run is shown, and its map has both views.
    await page.locator('#batch-mix').getByRole('radio', { name: 'Hybrid' }).check();
    const trainCell = page.locator('#train');
    await trainCell.getByLabel('Steps', { exact: true }).fill('20');
    await trainCell.getByLabel('Evaluate every', { exact: true }).fill('0');
    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await trainCell.getByTestId('finished-training').waitFor({ timeout: 120_000 });
    await section.getByTestId('draw-map').click();
    await expect.poll(async () => (await section.getByTestId('map-head').count()) > 0 && (await traces('head')).length, { timeout: 120_000 }).toBe(LANGUAGES.length);
    expect((await traces('encoder')).map((t) => t.name).sort()).toEqual(LANGUAGES);
    const shares = await table.locator('td[data-share]').evaluateAll((cells) => cells.map((cell) => [cell.getAttribute('data-share'), Number(cell.textContent)]));
    expect(shares.map(([view]) => view)).toEqual(['encoder', 'head']);
    for (const [, share] of shares) expect(share).toBeGreaterThan(0);
    await section.screenshot({ path: `${SHOTS_DIR}/map-trained.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 400_000);
});
