/**
 * The batch sampler and the article split on the real XQuAD-R files: batch types realised in
 * proportion, no question id twice in a batch, excluded languages absent, seeds reproducible, and
 * the training / validation / evaluation sides disjoint.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Dataset } from '../../src/core/dataset/types';
import { MIX_PRESETS, formatMix, parseMix } from '../../src/core/training/mix';
import {
  buildTrainingExamples,
  createBatchSampler,
  describeBatch,
  mixStatistics,
  sampleBatches,
  type SamplerSettings,
  type TrainingExamples,
} from '../../src/core/training/sampler';
import { articleGroups, splitByArticles, splitByDatasets, subsetDataset, type DataSplit } from '../../src/core/training/split';
import { readDatasetFolder } from '../../src/node/read-dataset';

const xquad = resolve(__dirname, '../../../shared/data/xquad-r');
const LANGS = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'];

let dataset: Dataset;
let split: DataSplit;
let examples: TrainingExamples;

beforeAll(async () => {
  dataset = await readDatasetFolder(xquad);
  split = splitByArticles(dataset, { train: 0.5, validation: 0.2, seed: 7 });
  examples = buildTrainingExamples(split.train);
});

/**
 * How far the share of a type drawn with probability p may stray over n independent batches: four
 * standard deviations of the binomial share, sqrt(p (1 - p) / n). The sampler is seeded, so a pass
 * is a pass for good; four sigma keeps it from depending on a lucky seed (a correct sampler strays
 * further one time in 16 000) while a weight off by 0.015 at n = 20 000 fails.
 */
function binomialBound(p: number, n: number): number {
  return 4 * Math.sqrt((p * (1 - p)) / n);
}

const settings = (over: Partial<SamplerSettings> = {}): SamplerSettings => ({
  mix: MIX_PRESETS.hybrid.mix,
  languageWeighting: 'uniform',
  batchSize: 64,
  seed: 1,
  ...over,
});

describe('article split', () => {
  test('XQuAD-R has 48 article groups, each the same article in all 11 languages', () => {
    const groups = articleGroups(dataset);
    expect(groups).toHaveLength(48);
    expect(groups.map((g) => g.label)).toEqual(Array.from({ length: 48 }, (_, i) => i));
    expect(groups.reduce((s, g) => s + g.questionIds.length, 0)).toBe(1190);
    expect(groups.reduce((s, g) => s + g.candidates.length, 0)).toBe(dataset.candidates.length);
  });

  test('sides are disjoint in articles, question ids and candidates, and cover the dataset', () => {
    const { train, validation, evaluation } = split.record;
    expect(train.articles.length + validation.articles.length).toBe(24);
    expect(evaluation.articles).toHaveLength(24);
    expect(validation.articles).toHaveLength(5);
    const sides = [train, validation, evaluation];
    const allArticles = sides.flatMap((s) => s.articles);
    expect(new Set(allArticles).size).toBe(48);
    const allIds = sides.flatMap((s) => s.question_ids);
    expect(new Set(allIds).size).toBe(allIds.length);
    expect(allIds).toHaveLength(1190);

    const parts = [split.train, split.validation, split.evaluation];
    const candidateRows = parts.flatMap((p) => [...p.candidateRows]);
    expect(new Set(candidateRows).size).toBe(dataset.candidates.length);
    expect(parts.reduce((s, p) => s + p.queryRows.length, 0)).toBe(dataset.queries.length);
    // No sentence of a training article (in any language) is in the evaluation pool.
    const evalArticles = new Set(evaluation.articles);
    for (const c of split.evaluation.dataset.candidates) expect(evalArticles.has(c.position!.article)).toBe(true);
    for (const c of split.train.dataset.candidates) expect(evalArticles.has(c.position!.article)).toBe(false);
    const trainIds = new Set(split.train.dataset.queries.map((q) => q.id));
    for (const q of split.evaluation.dataset.queries) expect(trainIds.has(q.id)).toBe(false);
  });

  test('parts keep pool order, rows map back to the source, relevance is remapped', () => {
    const part = split.evaluation;
    part.dataset.queries.forEach((q, i) => expect(q).toBe(dataset.queries[part.queryRows[i]]));
    part.dataset.candidates.forEach((c, i) => expect(c).toBe(dataset.candidates[part.candidateRows[i]]));
    for (let i = 1; i < part.candidateRows.length; i++) expect(part.candidateRows[i]).toBeGreaterThan(part.candidateRows[i - 1]);
    const id = part.dataset.queries[0].id;
    expect(part.dataset.relevance[id].map((c) => part.candidateRows[c])).toEqual(dataset.relevance[id]);
  });

  test('the same seed gives the same split, another seed another', () => {
    const again = splitByArticles(dataset, { train: 0.5, validation: 0.2, seed: 7 });
    expect(again.record).toEqual(split.record);
    const other = splitByArticles(dataset, { train: 0.5, validation: 0.2, seed: 8 });
    expect(other.record.evaluation.articles).not.toEqual(split.record.evaluation.articles);
  });

  test('two datasets: sharing a question id is refused; otherwise all of the second is evaluated', () => {
    expect(() => splitByDatasets(dataset, dataset, { validation: 0.2, seed: 1 })).toThrow(/share 1190 question ids/);
    const first = subsetDataset(dataset, (id) => split.record.train.question_ids.includes(id), new Uint8Array(dataset.candidates.length).fill(1)).dataset;
    const second = split.evaluation.dataset;
    const s = splitByDatasets(first, second, { validation: 0.2, seed: 1 });
    expect(s.evaluation.dataset.queries).toHaveLength(second.queries.length);
    expect(s.record.kind).toBe('datasets');
  });
});

describe('batch sampler', () => {
  test('training examples: the question and its answer sentence in each language', () => {
    const L = LANGS.length;
    expect(examples.languages).toEqual(LANGS);
    expect(examples.ids.length).toBe(split.record.train.question_ids.length);
    for (const i of [0, 17, examples.ids.length - 1]) {
      for (let l = 0; l < L; l++) {
        const q = dataset.queries[examples.queryRow[i * L + l]];
        const c = dataset.candidates[examples.answerRow[i * L + l]];
        expect([q.id, q.lang, c.lang]).toEqual([examples.ids[i], LANGS[l], LANGS[l]]);
        expect(dataset.relevance[q.id]).toContain(examples.answerRow[i * L + l]);
      }
    }
  });

  test('hybrid: batch types in proportion, languages uniform, cross batches cross every pair', () => {
    const stats = mixStatistics(examples, settings(), 1000);
    expect(stats.batchTypes.cross).toBeCloseTo(1 - stats.batchTypes.mono, 12); // the type shares: next test
    expect(stats.batchTypes.mixed).toBe(0);
    expect(stats.meanBatchSize).toBe(64);
    expect(Math.abs(stats.crossPairs - stats.batchTypes.cross)).toBeLessThan(1e-12);
    for (const lang of LANGS) {
      expect(Math.abs(stats.questionLanguages[lang] - 1 / 11)).toBeLessThan(0.02);
      expect(Math.abs(stats.answerLanguages[lang] - 1 / 11)).toBeLessThan(0.02);
    }
    for (const batch of sampleBatches(examples, settings(), 200)) {
      for (let k = 0; k < batch.size; k++) {
        if (batch.type === 'cross') expect(batch.a[k]).not.toBe(batch.b[k]);
        else expect([batch.a[k], batch.b[k]]).toEqual([batch.a[0], batch.a[0]]);
      }
    }
  });

  test('every preset realises its mix; X-X pairs stay in one language while languages vary', () => {
    for (const preset of Object.values(MIX_PRESETS)) {
      const s = settings({ mix: preset.mix, trainLanguages: preset.trainLanguages });
      // Many small batches (the type is drawn once per batch): weights 0 and 1 are exact (the bound
      // is 0), hybrid's halves a binomial share within 0.014.
      const stats = mixStatistics(examples, { ...s, batchSize: 2 }, 20_000);
      for (const t of ['mono', 'mixed', 'cross'] as const) {
        expect(Math.abs(stats.batchTypes[t] - preset.mix[t])).toBeLessThanOrEqual(binomialBound(preset.mix[t], 20_000));
      }
      if (preset.name === 'en-en') expect(stats.questionLanguages.en).toBe(1);
    }
    for (const batch of sampleBatches(examples, settings({ mix: MIX_PRESETS['x-x'].mix }), 50)) {
      for (let k = 0; k < batch.size; k++) expect(batch.a[k]).toBe(batch.b[k]);
      expect(new Set(batch.a).size).toBeGreaterThan(5);
    }
  });

  test('the statistics count exactly what the sampler draws', () => {
    const s = settings({ mix: { mono: 0.2, mixed: 0.3, cross: 0.5 }, excludeLanguages: ['el'], batchSize: 16 });
    const batches = sampleBatches(examples, s, 300);
    const types = { mono: 0, mixed: 0, cross: 0 };
    const zeros = () => Object.fromEntries(LANGS.map((l) => [l, 0]));
    const question = zeros();
    const answer = zeros();
    const pairs = Object.fromEntries(LANGS.map((l) => [l, zeros()]));
    let total = 0;
    let cross = 0;
    for (const batch of batches) {
      types[batch.type]++;
      for (let k = 0; k < batch.size; k++) {
        const [a, b] = [LANGS[batch.a[k]], LANGS[batch.b[k]]];
        question[a]++;
        answer[b]++;
        pairs[a][b]++;
        if (a !== b) cross++;
        total++;
      }
    }
    const share = (counts: Record<string, number>) => Object.fromEntries(LANGS.map((l) => [l, counts[l] / total]));
    expect(mixStatistics(examples, s, 300)).toEqual({
      batches: 300,
      batchTypes: { mono: types.mono / 300, mixed: types.mixed / 300, cross: types.cross / 300 },
      questionLanguages: share(question),
      answerLanguages: share(answer),
      crossPairs: cross / total,
      pairLanguages: Object.fromEntries(LANGS.map((l) => [l, share(pairs[l])])),
      meanBatchSize: total / 300,
      targetLanguageWeights: Object.fromEntries(LANGS.filter((l) => l !== 'el').map((l) => [l, 1 / 10])),
    });
    expect(total).toBe(300 * 16);
    expect(types.mono + types.mixed + types.cross).toBe(300);
    expect(Math.min(types.mono, types.mixed, types.cross)).toBeGreaterThan(0);
  });

  test('no question id twice in one batch, for every batch type', () => {
    for (const mix of [{ mono: 1, mixed: 0, cross: 0 }, { mono: 0, mixed: 1, cross: 0 }, { mono: 0, mixed: 0, cross: 1 }]) {
      for (const batch of sampleBatches(examples, settings({ mix, batchSize: 128 }), 100)) {
        expect(batch.size).toBe(128);
        expect(new Set(batch.ids).size).toBe(batch.size);
        for (let k = 0; k < batch.size; k++) {
          expect(dataset.queries[batch.queryRows[k]].id).toBe(examples.ids[batch.ids[k]]);
          expect(dataset.candidates[batch.answerRows[k]].lang).toBe(LANGS[batch.b[k]]);
        }
      }
    }
  });

  test('languages left out of training appear neither as question nor as answer', () => {
    const s = settings({ excludeLanguages: ['el', 'vi'] });
    const stats = mixStatistics(examples, s, 500);
    expect(stats.questionLanguages.el).toBe(0);
    expect(stats.answerLanguages.vi).toBe(0);
    expect(Object.keys(stats.targetLanguageWeights)).toEqual(LANGS.filter((l) => l !== 'el' && l !== 'vi'));
    for (const lang of LANGS.filter((l) => l !== 'el' && l !== 'vi')) expect(stats.questionLanguages[lang]).toBeGreaterThan(0.08);
    for (const batch of sampleBatches(examples, s, 100)) {
      for (let k = 0; k < batch.size; k++) {
        expect(['el', 'vi']).not.toContain(dataset.queries[batch.queryRows[k]].lang);
        expect(['el', 'vi']).not.toContain(dataset.candidates[batch.answerRows[k]].lang);
      }
    }
  });

  test('the same seed gives the same batches, another seed others', () => {
    const first = sampleBatches(examples, settings({ seed: 5 }), 20);
    expect(sampleBatches(examples, settings({ seed: 5 }), 20)).toEqual(first);
    expect(sampleBatches(examples, settings({ seed: 6 }), 20)).not.toEqual(first);
    expect(mixStatistics(examples, settings({ seed: 5 }), 100)).toEqual(mixStatistics(examples, settings({ seed: 5 }), 100));
  });

  test('size weighting follows the number of examples per language', () => {
    // Synthetic: language 0 has 400 ids, language 1 has 200, language 2 has 100.
    const L = 3;
    const n = 400;
    const queryRow = new Int32Array(n * L).fill(-1);
    const answerRow = new Int32Array(n * L).fill(-1);
    for (let i = 0; i < n; i++) {
      for (let l = 0; l < L; l++) if (i < n >> l) queryRow[i * L + l] = answerRow[i * L + l] = i * L + l;
    }
    const ex: TrainingExamples = { languages: ['x', 'y', 'z'], ids: Array.from({ length: n }, (_, i) => `q${i}`), queryRow, answerRow };
    const mixed = { mono: 0, mixed: 1, cross: 0 };
    const bySize = mixStatistics(ex, settings({ mix: mixed, languageWeighting: 'size', batchSize: 32 }), 1000);
    expect(bySize.questionLanguages.x).toBeCloseTo(4 / 7, 1);
    expect(bySize.questionLanguages.z).toBeCloseTo(1 / 7, 1);
    const uniform = mixStatistics(ex, settings({ mix: mixed, batchSize: 32 }), 1000);
    expect(uniform.questionLanguages.z).toBeCloseTo(1 / 3, 1);
  });

  test('mix parsing and preview', () => {
    expect(parseMix('mono=0.5,cross=0.5').mix).toEqual({ mono: 0.5, mixed: 0, cross: 0.5 });
    expect(parseMix('cross=3,mono=1').mix).toEqual({ mono: 0.25, mixed: 0, cross: 0.75 });
    expect(parseMix('en-en')).toMatchObject({ preset: 'en-en', trainLanguages: ['en'] });
    expect(() => parseMix('mono=0.5,crossy=1')).toThrow(/Cannot read batch mix/);
    expect(() => parseMix('mono=0')).toThrow(/positive weight/);
    expect(formatMix({ mono: 1, mixed: 0, cross: 1 })).toBe('mono=0.5,cross=0.5');
    const batch = createBatchSampler(examples, settings({ batchSize: 4, mix: MIX_PRESETS['x-y'].mix })).next();
    const preview = describeBatch(batch, examples, dataset);
    expect(preview.pairs).toHaveLength(4);
    for (const p of preview.pairs) expect(p.a).not.toBe(p.b);
  });
});
