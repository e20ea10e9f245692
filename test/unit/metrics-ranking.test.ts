import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset/types';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { randomUnitVectors, seededRandom } from '../../src/core/linalg/random';
import type { ScoreMatmulFactory } from '../../src/core/linalg/types';
import { buildRetrievalTask, rankAndMeasure } from '../../src/core/metrics/ranking';
import { referenceRankAndMeasure } from '../support/oracles/metrics';

/**
 * A dataset whose score matrix is given directly: query q is the one-hot vector e_q, so candidate c's
 * embedding is column c of the table and score(q, c) = scores[q][c] exactly (multiples of 1/16).
 */
function scoredDataset(spec: {
  languages: string[];
  poolSizes: number[];
  queries: [id: string, lang: string][];
  relevance: Record<string, number[]>;
  scores: number[][];
}) {
  const candidates = spec.languages.flatMap((lang, l) =>
    Array.from({ length: spec.poolSizes[l] }, (_, i) => ({ id: `${lang}${i}`, lang, text: `${lang} sentence ${i}` })),
  );
  const dataset: Dataset = {
    name: 'hand-made',
    languages: spec.languages,
    queries: spec.queries.map(([id, lang]) => ({ id, lang, text: `${id}?` })),
    candidates,
    relevance: spec.relevance,
  };
  const dim = spec.queries.length;
  const queryEmbeddings = new Float32Array(dim * dim);
  for (let q = 0; q < dim; q++) queryEmbeddings[q * dim + q] = 1;
  const candidateEmbeddings = new Float32Array(candidates.length * dim);
  spec.scores.forEach((row, q) => row.forEach((s, c) => (candidateEmbeddings[c * dim + q] = s)));
  return { dataset, queryEmbeddings, candidateEmbeddings, dim };
}

async function measure(fixture: ReturnType<typeof scoredDataset>, blockRows?: number) {
  const { dataset, queryEmbeddings, candidateEmbeddings, dim } = fixture;
  return rankAndMeasure(buildRetrievalTask(dataset), queryEmbeddings, candidateEmbeddings, dim, { matmul: jsMatmul, blockRows });
}

/*
 * Dataset 1: en | de | fr pools of 3 | 2 | 3 candidates (pool indices 0-2 | 3-4 | 5-7), 8 in all, so
 * the multilingual top 10 is the whole pool and share@10 divides by 8.
 *   A = {0 (en), 3 (de)}   query q0 in en (A exists in de, but no de query asks it)
 *   B = {1 (en), 6 (fr)}   queries q1 in en, q2 in fr (missing in de)
 *   C = {5, 7} (both fr)   query q3 in fr: two relevant items in one pool
 *   D = {4} (de)           query q4 in de: |R| = 1, the only de query -> de rank distance is null
 *   E has no relevance     query q5 in en counts nowhere
 */
const S = 1 / 8;
const dataset1 = scoredDataset({
  languages: ['en', 'de', 'fr'],
  poolSizes: [3, 2, 3],
  queries: [['A', 'en'], ['B', 'en'], ['B', 'fr'], ['C', 'fr'], ['D', 'de'], ['E', 'en']],
  relevance: { A: [0, 3], B: [1, 6], C: [5, 7], D: [4] },
  scores: [
    //  en0    en1    en2    de3    de4    fr5    fr6    fr7
    [4 * S, 4 * S, 2 * S, 6 * S, 4 * S, 1 * S, 0 * S, 4 * S], // q0 A en
    [2 * S, 2 * S, 4 * S, 2 * S, 0 * S, 2 * S, 2 * S, 3 * S], // q1 B en
    [0 * S, 6 * S, 1 * S, 4 * S, 4 * S, 5 * S, 4 * S, 6 * S], // q2 B fr
    [2 * S, 0 * S, 0 * S, 1 * S, 7 * S, 4 * S, 5 * S, 4 * S], // q3 C fr
    [3 * S, 0 * S, 0 * S, 2 * S, 2 * S, 0 * S, 0 * S, 3 * S], // q4 D de
    [1 * S, 1 * S, 1 * S, 1 * S, 1 * S, 1 * S, 1 * S, 1 * S], // q5 E en
  ],
});

/*
 * Per query (ranks are 1-based; "a = b" ties go to the earlier pool index):
 * q0 en pool: en0 = en1 (tie, relevant en0 is earlier) > en2 -> rank 1: AP 1, R@1 1.
 *    de pool: de3 > de4 -> rank 1: AP 1, R@1 1.
 *    multi: de3(.75) en0 en1 de4 fr7 (.5, pool order) en2 fr5 fr6 -> R ranks 1, 2:
 *    AP = (1/1 + 2/2)/2 = 1, rank distance 1, share = 3 en / 8.
 * q1 en pool: en2 > en0 = en1 (tie, en0 is earlier and beats relevant en1) -> rank 3: AP 1/3, R@1 0.
 *    fr pool: fr7 > fr5 = fr6 (fr5 earlier) -> rank 3: AP 1/3, R@1 0.
 *    multi: en2 fr7 en0 en1 de3 fr5 fr6 de4 -> R ranks 4, 7: AP = (1/4 + 2/7)/2 = 15/56,
 *    rank distance 3, share 3/8.
 * q2 fr pool: fr7 > fr5 > fr6 -> rank 3: AP 1/3, R@1 0.  en pool: en1 first: AP 1, R@1 1.
 *    multi: en1 fr7 (.75) fr5 de3 de4 fr6 (.5: de3, de4 come earlier) en2 en0 -> R ranks 1, 6:
 *    AP = (1/1 + 2/6)/2 = 2/3, rank distance 5, share 3/8.
 * q3 fr pool: fr6 > fr5 = fr7 -> R ranks 2, 3: AP = (1/2 + 2/3)/2 = 7/12, R@1 0.
 *    multi: de4 fr6 fr5 fr7 en0 de3 en1 en2 -> R ranks 3, 4: AP = (1/3 + 2/4)/2 = 5/12,
 *    rank distance 1, share 3/8.
 * q4 de pool: de3 = de4 -> rank 2: AP 1/2, R@1 0.
 *    multi: en0 fr7 (.375) de3 de4 ... -> rank 4: AP 1/4, |R| = 1 (no rank distance), share 2/8.
 */
/*
 * nDCG@10 (binary gains 1/log2(rank + 1), over the ideal DCG of |R| relevant items on top) and
 * Recall@100 (every rank here is within 100, so R@100 = 1 wherever a cell or language has queries):
 * g(r) is the gain at rank r, IDEAL2 the ideal DCG of two relevant items.
 */
const g = (rank: number) => 1 / Math.log2(rank + 1);
const IDEAL2 = 1 + g(2);
const ZERO = { ndcg10: 0, r100: 0 };
const cells1 = {
  en: {
    en: { map: (1 + 1 / 3) / 2, r1: 1 / 2, n: 2, ndcg10: (1 + g(3)) / 2, r100: 1 }, // q0, q1
    de: { map: 1, r1: 1, n: 1, ndcg10: 1, r100: 1 }, // q0
    fr: { map: 1 / 3, r1: 0, n: 1, ndcg10: g(3), r100: 1 }, // q1
  },
  de: {
    de: { map: 1 / 2, r1: 0, n: 1, ndcg10: g(2), r100: 1 }, // q4
    en: { map: 0, r1: 0, n: 0, ...ZERO }, // D exists only in de
    fr: { map: 0, r1: 0, n: 0, ...ZERO },
  },
  fr: {
    // q2 at rank 3; q3's two relevant items at ranks 2 and 3.
    fr: { map: (1 / 3 + 7 / 12) / 2, r1: 0, n: 2, ndcg10: (g(3) + (g(2) + g(3)) / IDEAL2) / 2, r100: 1 }, // q2, q3 = 11/24
    en: { map: 1, r1: 1, n: 1, ndcg10: 1, r100: 1 }, // q2 (C does not exist in en)
    de: { map: 0, r1: 0, n: 0, ...ZERO },
  },
};
// Multilingual ranks: q0 1, 2; q1 4, 7; q4 4; q2 1, 6; q3 3, 4.
const multiNdcg1 = { en: (1 + (g(4) + g(7)) / IDEAL2) / 2, de: g(4), fr: ((1 + g(6)) / IDEAL2 + (g(3) + g(4)) / IDEAL2) / 2 };
const multilingual1 = {
  en: { map: (1 + 15 / 56) / 2, r10: 1, rank_distance: (1 + 3) / 2, own_share10: 3 / 8, n: 2, ndcg10: multiNdcg1.en, r100: 1 },
  de: { map: 1 / 4, r10: 1, rank_distance: null, own_share10: 2 / 8, n: 1, ndcg10: multiNdcg1.de, r100: 1 },
  fr: { map: (2 / 3 + 5 / 12) / 2, r10: 1, rank_distance: (5 + 1) / 2, own_share10: 3 / 8, n: 2, ndcg10: multiNdcg1.fr, r100: 1 },
};
const summary1 = {
  mono_map: (2 / 3 + 1 / 2 + 11 / 24) / 3, // = 13/24
  cross_map: (1 + 1 / 3 + 1) / 3, // the 3 non-empty off-diagonal cells = 7/9
  multi_map: ((1 + 15 / 56) / 2 + 1 / 4 + (2 / 3 + 5 / 12) / 2) / 3,
  multi_r10: 1,
  rank_distance: (2 + 3) / 2, // de has none and is left out
  own_share10: (3 / 8 + 2 / 8 + 3 / 8) / 3,
  // q0 (first de) -1/2, q1 (first en) +1/2 -> en 0; q2 (first en) -1/2, q3 (first fr) +1/2 -> fr 0.
  own_first_excess: 0,
  mono_ndcg10: (cells1.en.en.ndcg10 + cells1.de.de.ndcg10 + cells1.fr.fr.ndcg10) / 3,
  mono_r100: 1,
  cross_ndcg10: (1 + g(3) + 1) / 3,
  cross_r100: 1,
  multi_ndcg10: (multiNdcg1.en + multiNdcg1.de + multiNdcg1.fr) / 3,
  multi_r100: 1,
};
/* Best-ranked relevant item of the queries with |R| >= 2: q0 de3, q1 en1, q2 en1, q3 fr5. */
const firstLanguage1 = {
  en: { en: 1 / 2, de: 1 / 2, fr: 0 },
  de: { en: 0, de: 0, fr: 0 }, // q4 has |R| = 1
  fr: { en: 1 / 2, de: 0, fr: 1 / 2 },
};

/*
 * Dataset 2: en | de pools of 8 each (0-7 | 8-15), 16 candidates, so the top 10 is a real cut.
 * A = {2 (en), 12 (de)}, queries q0 in en and q1 in de. Scores in sixteenths, no ties.
 * q0 multi: en0 15, en1 14, en2 13, de8 12, de9 11, de10 10, de11 9, en3 8, en4 7, en5 6 | de13 5,
 *    de14 4, de15 3, de12 2, en6 1, en7 0 -> R ranks 3, 14: AP = (1/3 + 2/14)/2 = 5/21,
 *    R@10 = 1/2, rank distance 11, top 10 holds en0-en5: share 6/10.
 *    en pool: rank 3 -> AP 1/3, R@1 0. de pool: de8 de9 de10 de11 de13 de14 de15 de12 -> rank 8: AP 1/8.
 * q1 multi: de12 16, en2 15, de15 13, de14 12, de13 11, de11 10, de10 9, de9 8, de8 7, en7 6 | ...
 *    -> R ranks 1, 2: AP 1, R@10 1, rank distance 1, share 8/10. Both pools: rank 1.
 */
const dataset2 = scoredDataset({
  languages: ['en', 'de'],
  poolSizes: [8, 8],
  queries: [['A', 'en'], ['A', 'de']],
  relevance: { A: [2, 12] },
  scores: [
    [15, 14, 13, 8, 7, 6, 1, 0, 12, 11, 10, 9, 2, 5, 4, 3].map((v) => v / 16),
    [0, 1, 15, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 11, 12, 13].map((v) => v / 16),
  ],
});

describe('buildRetrievalTask', () => {
  it('packs languages, pools and relevance into typed arrays', () => {
    const task = buildRetrievalTask(dataset1.dataset);
    expect(task.languages).toEqual(['en', 'de', 'fr']);
    expect(task.queryCount).toBe(6);
    expect(task.candidateCount).toBe(8);
    expect([...task.queryLang]).toEqual([0, 0, 2, 2, 1, 0]);
    expect([...task.candidateLang]).toEqual([0, 0, 0, 1, 1, 2, 2, 2]);
    expect([...task.languageStart]).toEqual([0, 3, 5, 8]);
    expect([...task.relevantStart]).toEqual([0, 2, 4, 6, 8, 9, 9]);
    expect([...task.relevant]).toEqual([0, 3, 1, 6, 1, 6, 5, 7, 4]);
  });

  it('rejects candidates out of pool order and unknown languages', () => {
    const { dataset } = dataset1;
    const swapped = [dataset.candidates[3], ...dataset.candidates.slice(0, 3), ...dataset.candidates.slice(4)];
    expect(() => buildRetrievalTask({ ...dataset, candidates: swapped })).toThrow(/pool order/);
    expect(() => buildRetrievalTask({ ...dataset, languages: ['en', 'de'] })).toThrow(/'fr'/);
    expect(() => buildRetrievalTask({ ...dataset, relevance: { A: [3, 0] } })).toThrow(/ascending/);
  });
});

describe('rankAndMeasure on hand-computed cases', () => {
  it('dataset 1: ties in pool order, missing languages, |R| = 1, several relevant in one pool, pool < 10', async () => {
    const report = await measure(dataset1);
    expectCloseDeep(report.cells, cells1);
    expectCloseDeep(report.multilingual, multilingual1);
    expectCloseDeep(report.summary, summary1);
    expectCloseDeep(report.first_language, firstLanguage1);
  });

  it('dataset 1: keeps every query\'s values, NaN where a value does not exist', async () => {
    const { perQuery } = await measure(dataset1);
    const N = NaN;
    expect(perQuery?.ids).toEqual(['A', 'B', 'B', 'C', 'D', 'E']);
    expect([...perQuery!.lang]).toEqual([0, 0, 2, 2, 1, 0]);
    expect(perQuery?.datasetFingerprint).toMatch(/^6q-8c-[0-9a-f]{16}$/);
    // Rows: queries; columns: the pools en, de, fr.
    expectCloseDeep([...perQuery!.rr], [1, 1, N, 1 / 3, N, 1 / 3, 1, N, 1 / 3, N, N, 7 / 12, N, 1 / 2, N, N, N, N]);
    expectCloseDeep([...perQuery!.ap], [1, 15 / 56, 2 / 3, 5 / 12, 1 / 4, N]);
    expectCloseDeep([...perQuery!.r10], [1, 1, 1, 1, 1, N]);
    expectCloseDeep([...perQuery!.rankDistance], [1, 3, 5, 1, N, N]);
  });

  it('dataset 2: R@10 with |R| = 2 and share@10 over a real top 10', async () => {
    const report = await measure(dataset2);
    expectCloseDeep(report.cells, {
      en: { en: { map: 1 / 3, r1: 0, n: 1, ndcg10: g(3), r100: 1 }, de: { map: 1 / 8, r1: 0, n: 1, ndcg10: g(8), r100: 1 } },
      de: { de: { map: 1, r1: 1, n: 1, ndcg10: 1, r100: 1 }, en: { map: 1, r1: 1, n: 1, ndcg10: 1, r100: 1 } },
    });
    // q0's second relevant item at rank 14 is past nDCG's cut of 10 but within 100.
    expectCloseDeep(report.multilingual, {
      en: { map: 5 / 21, r10: 1 / 2, rank_distance: 11, own_share10: 6 / 10, n: 1, ndcg10: g(3) / IDEAL2, r100: 1 },
      de: { map: 1, r10: 1, rank_distance: 1, own_share10: 8 / 10, n: 1, ndcg10: 1, r100: 1 },
    });
    expectCloseDeep(report.summary, {
      mono_map: (1 / 3 + 1) / 2,
      cross_map: (1 / 8 + 1) / 2,
      multi_map: (5 / 21 + 1) / 2,
      multi_r10: (1 / 2 + 1) / 2,
      rank_distance: (11 + 1) / 2,
      own_share10: (6 / 10 + 8 / 10) / 2,
      own_first_excess: 1 / 2, // both queries rank their own language's answer first: 1 - 1/2
      mono_ndcg10: (g(3) + 1) / 2,
      mono_r100: 1,
      cross_ndcg10: (g(8) + 1) / 2,
      cross_r100: 1,
      multi_ndcg10: (g(3) / IDEAL2 + 1) / 2,
      multi_r100: 1,
    });
    expectCloseDeep(report.first_language, { en: { en: 1, de: 0 }, de: { en: 0, de: 1 } });
  });

  it('Recall@100 counts rank 100 and not 101; nDCG@10 gains nothing past rank 10', async () => {
    // en pool of 120 with en c at score (120 - c) / 128, so at rank c + 1 in both rankings; one de
    // candidate at the bottom (multilingual rank 121). Relevant: en99 (rank 100) and de120.
    const fixture = scoredDataset({
      languages: ['en', 'de'],
      poolSizes: [120, 1],
      queries: [['A', 'en']],
      relevance: { A: [99, 120] },
      scores: [[...Array.from({ length: 120 }, (_, c) => (120 - c) / 128), 0.5 / 128]],
    });
    const report = await measure(fixture);
    expectCloseDeep(report.cells.en, {
      en: { map: 1 / 100, r1: 0, n: 1, ndcg10: 0, r100: 1 },
      de: { map: 1, r1: 1, n: 1, ndcg10: 1, r100: 1 },
    });
    expect(report.multilingual.en.r100).toBe(1 / 2); // ranks 100 and 121
    expect(report.multilingual.en.ndcg10).toBe(0);
    const moved = await measure({ ...fixture, dataset: { ...fixture.dataset, relevance: { A: [100, 120] } } });
    expect(moved.cells.en.en.r100).toBe(0); // rank 101
  });

  it('gives the same report for every block size and reports progress per block', async () => {
    const whole = await measure(dataset1);
    for (const blockRows of [1, 2, 4, 100]) expect(await measure(dataset1, blockRows)).toEqual(whole);

    const progress: [number, number][] = [];
    const { dataset, queryEmbeddings, candidateEmbeddings, dim } = dataset1;
    await rankAndMeasure(buildRetrievalTask(dataset), queryEmbeddings, candidateEmbeddings, dim, {
      matmul: jsMatmul,
      blockRows: 4,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(progress).toEqual([[4, 6], [6, 6]]);
  });

  it('stops with an AbortError between blocks and disposes the backend', async () => {
    const { dataset, queryEmbeddings, candidateEmbeddings, dim } = dataset1;
    let disposed = 0;
    const counting: ScoreMatmulFactory = async (...args) => {
      const backend = await jsMatmul(...args);
      return { scores: backend.scores, dispose: () => (disposed++, backend.dispose()) };
    };
    const controller = new AbortController();
    const run = rankAndMeasure(buildRetrievalTask(dataset), queryEmbeddings, candidateEmbeddings, dim, {
      matmul: counting,
      blockRows: 2,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(disposed).toBe(1);
  });

  it('rejects embeddings whose sizes do not match the task', async () => {
    const { dataset, queryEmbeddings, candidateEmbeddings, dim } = dataset1;
    const task = buildRetrievalTask(dataset);
    await expect(rankAndMeasure(task, queryEmbeddings, candidateEmbeddings, dim + 1, { matmul: jsMatmul })).rejects.toThrow(RangeError);
  });
});

/**
 * A random dataset in the shapes MLQA-R and JSONL allow: 2-4 languages, pools of 1-30, questions
 * missing in some languages, sometimes two relevant items in one language, some queries without
 * relevance. Quantised: small-integer embeddings at a low dimension, so scores are exact and tie
 * often; otherwise random unit vectors (no ties, scores spread between the relevant ones).
 */
function randomDataset(seed: number, quantised: boolean) {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const languages = ['en', 'de', 'fr', 'zh'].slice(0, 2 + int(3));
  const poolSizes = languages.map(() => 1 + int(quantised ? 30 : 80));
  const poolStart = poolSizes.map((_, l) => poolSizes.slice(0, l).reduce((a, b) => a + b, 0));
  const queries: [string, string][] = [];
  const relevance: Record<string, number[]> = {};
  for (let question = 0; question < 25; question++) {
    const id = `q${question}`;
    const relevant = new Set<number>();
    languages.forEach((lang, l) => {
      if (random() < 0.35) return; // missing in this language
      const items = random() < 0.2 ? 2 : 1;
      for (let i = 0; i < items; i++) relevant.add(poolStart[l] + int(poolSizes[l]));
      if (random() < 0.8) queries.push([id, lang]);
    });
    if (relevant.size > 0) relevance[id] = [...relevant].sort((a, b) => a - b);
    else queries.push([id, languages[int(languages.length)]]); // a query with no relevant item
  }
  const candidates = languages.flatMap((lang, l) =>
    Array.from({ length: poolSizes[l] }, (_, i) => ({ id: `${lang}${i}`, lang, text: '' })),
  );
  const dim = quantised ? 3 : 8;
  const values = (count: number) =>
    quantised ? Float32Array.from({ length: count * dim }, () => int(5) - 2) : randomUnitVectors(count, dim, random);
  const dataset: Dataset = {
    name: `random-${seed}`,
    languages,
    queries: queries.map(([id, lang]) => ({ id, lang, text: '' })),
    candidates,
    relevance,
  };
  return { dataset, queryEmbeddings: values(queries.length), candidateEmbeddings: values(candidates.length), dim };
}

describe('rankAndMeasure against the reference (full sort per query)', () => {
  it.each([
    ['quantised embeddings (many ties)', true],
    ['unit vectors', false],
  ])('agrees on 150 random datasets: %s', async (_, quantised) => {
    for (let seed = 1; seed <= 150; seed++) {
      const { dataset, queryEmbeddings, candidateEmbeddings, dim } = randomDataset(seed, quantised);
      const fast = await rankAndMeasure(buildRetrievalTask(dataset), queryEmbeddings, candidateEmbeddings, dim, {
        matmul: jsMatmul,
        blockRows: [1, 5, 16, 512][seed % 4],
      });
      const reference = await referenceRankAndMeasure(dataset, queryEmbeddings, candidateEmbeddings, dim, jsMatmul);
      // Same per-query values summed in the same order: equal to the last bit.
      expect(fast, `seed ${seed}`).toEqual(reference);
    }
  });
});

/** Deep equality with numbers compared to 12 digits (hand-written fractions vs computed sums); NaN equals NaN. */
function expectCloseDeep(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    if (Number.isNaN(expected)) expect(actual, path).toBeNaN();
    else expect(actual as number, path).toBeCloseTo(expected, 12);
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      expectCloseDeep((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    }
  } else {
    expect(actual, path).toBe(expected);
  }
}
