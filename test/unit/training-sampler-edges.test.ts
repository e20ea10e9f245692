/**
 * The sampler and the batch mix on small hand-made cases, where XQuAD-R (every question in every
 * language) cannot go: questions missing in a language, answers missing, ids without relevance,
 * pools smaller than the batch, settings refused with a reason, and the mix text format.
 */
import { describe, expect, test } from 'vitest';
import type { Dataset } from '../../src/core/dataset/types';
import { MIX_PRESETS, formatMix, normaliseMix, parseMix } from '../../src/core/training/mix';
import { buildTrainingExamples, createBatchSampler, sampleBatches, type SamplerSettings, type TrainingExamples } from '../../src/core/training/sampler';

/**
 * Three languages. q1: question and answer in x, y, z. q2: in x and y; its z question has no z answer.
 * q3: question in x only, answers in x and y (two in x: the first counts). q4: no relevance at all.
 * q5: question in y and z, answer in z only.
 */
function handMadeDataset(): Dataset {
  const queries = [
    { id: 'q1', lang: 'x', text: 'q1x' }, { id: 'q1', lang: 'y', text: 'q1y' }, { id: 'q1', lang: 'z', text: 'q1z' },
    { id: 'q2', lang: 'x', text: 'q2x' }, { id: 'q2', lang: 'y', text: 'q2y' }, { id: 'q2', lang: 'z', text: 'q2z' },
    { id: 'q3', lang: 'x', text: 'q3x' },
    { id: 'q4', lang: 'x', text: 'q4x' },
    { id: 'q5', lang: 'y', text: 'q5y' }, { id: 'q5', lang: 'z', text: 'q5z' },
  ];
  const candidates = [
    { id: 'c0', lang: 'x', text: 'a1x' }, { id: 'c1', lang: 'x', text: 'a2x' }, { id: 'c2', lang: 'x', text: 'a3x' }, { id: 'c3', lang: 'x', text: 'a3x-2' },
    { id: 'c4', lang: 'y', text: 'a1y' }, { id: 'c5', lang: 'y', text: 'a2y' }, { id: 'c6', lang: 'y', text: 'a3y' },
    { id: 'c7', lang: 'z', text: 'a1z' }, { id: 'c8', lang: 'z', text: 'a5z' },
  ];
  const relevance = { q1: [0, 4, 7], q2: [1, 5], q3: [2, 3, 6], q5: [8] };
  return { name: 'hand-made', languages: ['x', 'y', 'z'], queries, candidates, relevance };
}

describe('training examples', () => {
  test('one example per id with relevance; a language counts only with both its question and its answer', () => {
    const dataset = handMadeDataset();
    // Rows in the source embeddings: offset, to tell them from positions in the part.
    const part = { dataset, queryRows: Int32Array.from(dataset.queries, (_, i) => 100 + i), candidateRows: Int32Array.from(dataset.candidates, (_, i) => 200 + i) };
    const examples = buildTrainingExamples(part);
    expect(examples.languages).toEqual(['x', 'y', 'z']);
    expect(examples.ids).toEqual(['q1', 'q2', 'q3', 'q5']);
    // [x, y, z] per id; -1 where the question or the answer is missing in that language.
    expect(Array.from(examples.queryRow)).toEqual([100, 101, 102, /**/ 103, 104, -1, /**/ 106, -1, -1, /**/ -1, -1, 109]);
    expect(Array.from(examples.answerRow)).toEqual([200, 204, 207, /**/ 201, 205, -1, /**/ 202, -1, -1, /**/ -1, -1, 208]);

    // Row 0 is a row like any other: q1's x question and first x answer are both row 0.
    const identity = { dataset: { ...dataset, relevance: { ...dataset.relevance, q1: [0, 3, 4, 7] } }, queryRows: Int32Array.from(dataset.queries, (_, i) => i), candidateRows: Int32Array.from(dataset.candidates, (_, i) => i) };
    const fromRowZero = buildTrainingExamples(identity);
    expect(Array.from(fromRowZero.queryRow)).toEqual([0, 1, 2, /**/ 3, 4, -1, /**/ 6, -1, -1, /**/ -1, -1, 9]);
    expect(Array.from(fromRowZero.answerRow)).toEqual([0, 4, 7, /**/ 1, 5, -1, /**/ 2, -1, -1, /**/ -1, -1, 8]);
  });
});

/** Ids 0 .. n-1, present in the languages `present(i)` returns (question and answer rows 10 i + l). */
function synthetic(languages: string[], n: number, present: (i: number, l: number) => boolean): TrainingExamples {
  const L = languages.length;
  const queryRow = new Int32Array(n * L).fill(-1);
  const answerRow = new Int32Array(n * L).fill(-1);
  for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) if (present(i, l)) queryRow[i * L + l] = answerRow[i * L + l] = 10 * i + l;
  return { languages, ids: Array.from({ length: n }, (_, i) => `q${i}`), queryRow, answerRow };
}

const settings = (over: Partial<SamplerSettings> = {}): SamplerSettings => ({
  mix: { mono: 1, mixed: 0, cross: 0 },
  languageWeighting: 'uniform',
  batchSize: 4,
  seed: 3,
  ...over,
});

describe('sampler settings', () => {
  const examples = synthetic(['x', 'y', 'z'], 6, (i, l) => l < 2 || i < 2);

  test('refused with a reason: batch size, unknown languages, nothing left to train on, cross with one language', () => {
    expect(() => createBatchSampler(examples, settings({ batchSize: 1 }))).toThrow('Batch size must be an integer of at least 2, got 1');
    expect(() => createBatchSampler(examples, settings({ batchSize: 2.5 }))).toThrow('Batch size must be an integer of at least 2, got 2.5');
    expect(() => createBatchSampler(examples, settings({ excludeLanguages: ['w'] }))).toThrow("Language 'w' is not in the dataset (x, y, z)");
    expect(() => createBatchSampler(examples, settings({ trainLanguages: ['x', 'v'] }))).toThrow("Language 'v' is not in the dataset (x, y, z)");
    expect(() => createBatchSampler(examples, settings({ excludeLanguages: ['x', 'y', 'z'] })))
      .toThrow('No training language left: every language is excluded or has no training example');
    expect(() => createBatchSampler(examples, settings({ mix: { mono: 1, mixed: 0, cross: 1 }, trainLanguages: ['y'] })))
      .toThrow('Cross-lingual batches need two training languages; only y is left');
    // A language without a single example is not a training language.
    const noZ = synthetic(['x', 'y', 'z'], 6, (_, l) => l < 2);
    expect(createBatchSampler(noZ, settings()).languages.map((l) => l.lang)).toEqual(['x', 'y']);
    expect(() => createBatchSampler(noZ, settings({ mix: { mono: 0, mixed: 0, cross: 1 }, excludeLanguages: ['x'] })))
      .toThrow('Cross-lingual batches need two training languages; only y is left');
    // Two languages are enough for cross batches; a batch size of 2 is allowed.
    expect(createBatchSampler(examples, settings({ mix: { mono: 0, mixed: 0, cross: 1 }, trainLanguages: ['x', 'z'], batchSize: 2 })).next().size).toBe(2);
  });

  test('language weights: uniform, or by the number of examples', () => {
    expect(createBatchSampler(examples, settings()).languages).toEqual([
      { lang: 'x', weight: 1 / 3, examples: 6 }, { lang: 'y', weight: 1 / 3, examples: 6 }, { lang: 'z', weight: 1 / 3, examples: 2 },
    ]);
    expect(createBatchSampler(examples, settings({ languageWeighting: 'size', excludeLanguages: ['y'] })).languages).toEqual([
      { lang: 'x', weight: 6 / 8, examples: 6 }, { lang: 'z', weight: 2 / 8, examples: 2 },
    ]);
  });
});

describe('batches from small pools', () => {
  test('a language with fewer ids than the batch gives a smaller batch, never a repeat', () => {
    const examples = synthetic(['x', 'z'], 6, (i, l) => l === 0 || i < 2);
    for (const mix of [{ mono: 1, mixed: 0, cross: 0 }, { mono: 0, mixed: 1, cross: 0 }]) {
      const [batch] = sampleBatches(examples, settings({ mix, trainLanguages: ['z'], batchSize: 4 }), 1);
      expect(batch.size).toBe(2);
      expect([...batch.ids].sort()).toEqual([0, 1]);
      expect([...batch.a]).toEqual([1, 1]);
      expect([...batch.b]).toEqual([1, 1]);
      expect([...batch.queryRows].sort()).toEqual([1, 11]);
      expect(batch.answerRows).toHaveLength(2);
    }
  });

  test('cross pairs use only ids with a question in a and an answer in b', () => {
    // Id i has x always, y for even i, z for i < 3.
    const examples = synthetic(['x', 'y', 'z'], 12, (i, l) => l === 0 || (l === 1 && i % 2 === 0) || (l === 2 && i < 3));
    const batches = sampleBatches(examples, settings({ mix: { mono: 0, mixed: 0, cross: 1 }, batchSize: 6 }), 200);
    for (const batch of batches) {
      expect(new Set(batch.ids).size).toBe(batch.size);
      for (let k = 0; k < batch.size; k++) {
        const [i, a, b] = [batch.ids[k], batch.a[k], batch.b[k]];
        expect(a).not.toBe(b);
        expect(batch.queryRows[k]).toBe(10 * i + a);
        expect(batch.answerRows[k]).toBe(10 * i + b);
      }
    }
    // Every ordered pair of languages shows up, z only with ids 0 .. 2.
    const pairs = new Set(batches.flatMap((batch) => Array.from(batch.a, (a, k) => `${a}${batch.b[k]}`)));
    expect([...pairs].sort()).toEqual(['01', '02', '10', '12', '20', '21']);
    const withZ = batches.flatMap((batch) => Array.from(batch.ids).filter((_, k) => batch.a[k] === 2 || batch.b[k] === 2));
    expect(Math.max(...withZ)).toBe(2);
    // And every id that can answer in x does: questions in y (even ids) or z (0 .. 2).
    const answeredInX = new Set(batches.flatMap((batch) => Array.from(batch.ids).filter((_, k) => batch.b[k] === 0)));
    expect([...answeredInX].sort((p, q) => p - q)).toEqual([0, 1, 2, 4, 6, 8, 10]);
  });

  test('a language pair without a common id is skipped, not filled with a wrong pair', () => {
    // Ids 0-3 in x and y, ids 4-7 in z only: (x, z) and (y, z) have no id in common.
    const examples = synthetic(['x', 'y', 'z'], 8, (i, l) => (i < 4 ? l < 2 : l === 2));
    for (const batch of sampleBatches(examples, settings({ mix: { mono: 0, mixed: 0, cross: 1 }, batchSize: 3 }), 50)) {
      for (let k = 0; k < batch.size; k++) {
        expect([batch.a[k], batch.b[k]].sort()).toEqual([0, 1]);
        expect(batch.answerRows[k]).toBe(10 * batch.ids[k] + batch.b[k]);
      }
    }
  });

  test('a batch as large as its pool takes every id once, whatever the draws', () => {
    const examples = synthetic(['x'], 40, () => true);
    for (const mix of [{ mono: 1, mixed: 0, cross: 0 }, { mono: 0, mixed: 1, cross: 0 }]) {
      for (const batch of sampleBatches(examples, settings({ mix, batchSize: 40 }), 20)) {
        expect(batch.size).toBe(40);
        expect([...batch.ids].sort((p, q) => p - q)).toEqual(Array.from({ length: 40 }, (_, i) => i));
        expect(Array.from(batch.queryRows, (row, k) => row - 10 * batch.ids[k])).toEqual(new Array(40).fill(0));
      }
    }
  });

  test('a mix with zero weights never draws those types', () => {
    const examples = synthetic(['x', 'y'], 10, () => true);
    for (const type of ['mono', 'mixed', 'cross'] as const) {
      const mix = { mono: 0, mixed: 0, cross: 0, [type]: 1 };
      expect(new Set(sampleBatches(examples, settings({ mix }), 50).map((b) => b.type))).toEqual(new Set([type]));
    }
  });
});

describe('batch mix text', () => {
  test('presets are named by their keys and LAReQA labels', () => {
    expect(Object.entries(MIX_PRESETS).map(([key, preset]) => [key, preset.name, preset.label])).toEqual([
      ['en-en', 'en-en', 'En-En'], ['x-x', 'x-x', 'X-X'], ['x-x-mono', 'x-x-mono', 'X-X-mono'], ['x-y', 'x-y', 'X-Y'], ['hybrid', 'hybrid', 'Hybrid'],
    ]);
    expect(parseMix('  Hybrid ')).toEqual({ mix: { mono: 0.5, mixed: 0, cross: 0.5 }, preset: 'hybrid', trainLanguages: undefined });
  });

  test('weights: case and spaces ignored, empty parts skipped, normalised', () => {
    expect(parseMix(' MONO = 1 , ,Mixed=2,cross=1e0 ').mix).toEqual({ mono: 0.25, mixed: 0.5, cross: 0.25 });
    expect(normaliseMix({ mono: 2, mixed: 6, cross: 0 })).toEqual({ mono: 0.25, mixed: 0.75, cross: 0 });
    expect(formatMix({ mono: 1, mixed: 1, cross: 1 })).toBe('mono=0.333333,mixed=0.333333,cross=0.333333');
  });

  test('refused with a reason', () => {
    const unreadable = /^Cannot read batch mix '.*': expected a preset \(en-en, x-x, x-x-mono, x-y, hybrid\) or weights like mono=0.5,cross=0.5 over mono, mixed, cross$/;
    for (const text of ['mono=1x', '!mono=1', 'mono:1', 'mono', 'diagonal=1', '=1', 'mono=abc']) expect(() => parseMix(text), text).toThrow(unreadable);
    expect(() => parseMix('mono=1,cross=1,mono=2')).toThrow("Batch mix 'mono=1,cross=1,mono=2' names 'mono' twice");
    expect(() => parseMix('mono=-1,cross=1')).toThrow("Batch mix weight of 'mono' must be a non-negative number, got -1");
    expect(() => parseMix('cross=1e999')).toThrow("Batch mix weight of 'cross' must be a non-negative number, got Infinity");
    expect(() => normaliseMix({ mono: Number.NaN, mixed: 1, cross: 0 })).toThrow("Batch mix weight of 'mono' must be a non-negative number, got NaN");
    expect(() => parseMix('mono=0,cross=0')).toThrow('Batch mix needs at least one positive weight (mono, mixed or cross)');
  });
});
