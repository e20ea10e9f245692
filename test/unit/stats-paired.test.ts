/**
 * The paired statistics of src/core/stats/paired.ts against cases worked out by hand: tiny runs whose
 * bootstrap and permutation distributions can be enumerated, ids present in several languages, Holm
 * on a worked example, and the proof that the unit of resampling is the question id.
 */
import { describe, expect, it } from 'vitest';
import type { PerQueryValues } from '../../src/core/metrics/types';
import { comparePaired, DatasetMismatchError, holmBonferroni } from '../../src/core/stats/paired';

interface QuerySpec {
  id: string;
  lang: string;
  /** Reciprocal rank per pool language (absent: the query is not in that cell). */
  rr: Record<string, number>;
  ap: number;
  r10?: number;
  rd?: number;
}

function values(languages: string[], queries: QuerySpec[], fingerprint = 'test'): PerQueryValues {
  const L = languages.length;
  const rr = new Float64Array(queries.length * L).fill(NaN);
  queries.forEach((q, i) => Object.entries(q.rr).forEach(([y, v]) => (rr[i * L + languages.indexOf(y)] = v)));
  return {
    datasetFingerprint: fingerprint,
    languages,
    ids: queries.map((q) => q.id),
    lang: Uint16Array.from(queries, (q) => languages.indexOf(q.lang)),
    rr,
    ap: Float64Array.from(queries, (q) => q.ap),
    r10: Float64Array.from(queries, (q) => q.r10 ?? q.ap),
    rankDistance: Float64Array.from(queries, (q) => q.rd ?? NaN),
  };
}

/*
 * Two languages, two ids, both ids asked in en and de (so every cell has the same 2 ids).
 *   A: en-en 1, 1/2   en-de 1/2, 1/4   de-de 1, 1   de-en 1/3, 1/3      (id 1 row first, id 2 second)
 *   B: en-en 1, 1     en-de 1/2, 1/2   de-de 1, 1/2 de-en 1/3, 1
 * Differences B - A per id: en-en (0, 1/2), en-de (0, 1/4), de-de (0, -1/2), de-en (0, 2/3).
 */
const LANGS = ['en', 'de'];
const A = values(LANGS, [
  { id: '1', lang: 'en', rr: { en: 1, de: 1 / 2 }, ap: 1, rd: 2 },
  { id: '2', lang: 'en', rr: { en: 1 / 2, de: 1 / 4 }, ap: 1 / 2, rd: 4 },
  { id: '1', lang: 'de', rr: { de: 1, en: 1 / 3 }, ap: 1, rd: 6 },
  { id: '2', lang: 'de', rr: { de: 1, en: 1 / 3 }, ap: 1 / 4, rd: 8 },
]);
const B = values(LANGS, [
  { id: '1', lang: 'en', rr: { en: 1, de: 1 / 2 }, ap: 1, rd: 2 },
  { id: '2', lang: 'en', rr: { en: 1, de: 1 / 2 }, ap: 1, rd: 2 },
  { id: '1', lang: 'de', rr: { de: 1, en: 1 / 3 }, ap: 1, rd: 6 },
  { id: '2', lang: 'de', rr: { de: 1 / 2, en: 1 }, ap: 1 / 2, rd: 4 },
]);

describe('comparePaired on two ids in two languages', () => {
  const cmp = comparePaired(A, B, { resamples: 4000, seed: 7 });

  it('reports a, b and delta = B - A exactly as the metrics define them', () => {
    expect(cmp.cells.en.en).toMatchObject({ a: 3 / 4, b: 1, n: 2 });
    expect(cmp.cells.en.en.delta).toBeCloseTo(1 / 4, 12);
    expect(cmp.cells.de.en.delta).toBeCloseTo(1 / 3, 12);
    expect(cmp.summary.mono_map.a).toBeCloseTo((3 / 4 + 1) / 2, 12);
    expect(cmp.summary.mono_map.b).toBeCloseTo((1 + 3 / 4) / 2, 12);
    expect(cmp.summary.mono_map.delta).toBeCloseTo(0, 12);
    expect(cmp.summary.cross_map.delta).toBeCloseTo((1 / 8 + 1 / 3) / 2, 12);
    // Multilingual AP per language: en (1 + 1/2)/2 -> 1, de (1 + 1/4)/2 -> 3/4; rank distance en 3 -> 2, de 7 -> 5.
    expect(cmp.summary.multi_map.delta).toBeCloseTo((1 / 4 + 1 / 8) / 2, 12);
    expect(cmp.summary.rank_distance).toMatchObject({ a: 5, b: 3.5 });
    expect(cmp.summary.rank_distance.delta).toBeCloseTo(-1.5, 12);
    expect(cmp.question_ids).toBe(2);
  });

  it("bootstraps a cell over its ids: the means of 2 draws from (0, d) are 0, d/2, d with chances 1/4, 1/2, 1/4", () => {
    // With 4000 resamples the 2.5th / 97.5th percentiles of that distribution are its extremes, 0 and d.
    expect(cmp.cells.en.en.ci).toEqual([0, 1 / 2]);
    expect(cmp.cells.en.de.ci).toEqual([0, 1 / 4]);
    expect(cmp.cells.de.de.ci).toEqual([-1 / 2, 0]);
    expect(cmp.cells.de.en.ci![0]).toBe(0);
    expect(cmp.cells.de.en.ci![1]).toBeCloseTo(2 / 3, 12);
  });

  it('permutes by id: with one id differing, every permutation gives +-delta, as extreme: p = 1', () => {
    // Only id 2 differs: flipping it gives -delta, as extreme as delta; flipping id 1 changes nothing.
    for (const [x, y] of [['en', 'en'], ['en', 'de'], ['de', 'de'], ['de', 'en']]) expect(cmp.cells[x][y].p).toBe(1);
    expect(cmp.summary.mono_map.p).toBe(1);
    // Holm over 4 cells of p = 1 stays 1.
    expect(cmp.cells.en.en.p_holm).toBe(1);
  });

  it('is seeded: the same seed gives the same CIs and p-values', () => {
    expect(comparePaired(A, B, { resamples: 4000, seed: 7 })).toEqual(cmp);
  });
});

/*
 * Four ids, each asked in en and de, and the two languages of an id move together: B - A of the
 * multilingual AP is +1 for ids 1-3 and -1 for id 4, in both languages. multi_map's delta is
 * (en delta + de delta) / 2 = 1/2.
 */
function correlated(perLanguage: (id: number, lang: string) => number): [PerQueryValues, PerQueryValues] {
  const queries = LANGS.flatMap((lang) => [1, 2, 3, 4].map((id) => ({ id: String(id), lang, d: perLanguage(id, lang) })));
  const make = (side: 'a' | 'b') => values(LANGS, queries.map(({ id, lang, d }) => {
    const ap = side === 'a' ? (d > 0 ? 0 : 1) : (d > 0 ? 1 : 0);
    return { id, lang, rr: { [lang]: ap }, ap };
  }));
  return [make('a'), make('b')];
}

describe('a cell with only some of the ids', () => {
  it("resamples that cell's own ids: two ids with differences 0 and 1 give the CI [0, 1]", () => {
    // Id 3 is asked in en only, so cell (en, de) has ids 1 and 2; (en, en) has all three.
    const make = (d: number) => values(LANGS, [
      { id: '1', lang: 'en', rr: { en: 1, de: 0 }, ap: 1 },
      { id: '2', lang: 'en', rr: { en: 1, de: d }, ap: 1 },
      { id: '3', lang: 'en', rr: { en: 1 }, ap: 1 },
    ]);
    const cmp = comparePaired(make(0), make(1), { resamples: 4000, seed: 5 });
    expect(cmp.cells['en'].de).toMatchObject({ n: 2, a: 0, b: 1 / 2, delta: 1 / 2, ci: [0, 1] });
    expect(cmp.cells['en'].en).toMatchObject({ n: 3, delta: 0, ci: [0, 0], p: 1 });
  });
});

describe('the unit of resampling is the question id', () => {
  const [a, b] = correlated((id) => (id === 4 ? -1 : 1));
  const cmp = comparePaired(a, b, { resamples: 20000, seed: 3 });

  it('randomization: flipping whole ids, p = P(|sum of 4 random signs| >= 2) = 10/16', () => {
    // Per-query flips (8 independent signs) would give P(|sum of 8 signs| >= 4) = 74/256 = 0.289 instead.
    expect(cmp.summary.multi_map.delta).toBeCloseTo(1 / 2, 12);
    const sd = Math.sqrt((10 / 16) * (6 / 16) / 20000);
    expect(Math.abs(cmp.summary.multi_map.p! - 10 / 16)).toBeLessThan(5 * sd);
  });

  it('bootstrap: all 4 draws from ids 1-3 has chance (3/4)^4 = 32% > 2.5%, so the upper bound is exactly 1', () => {
    // Drawing 8 queries independently would need 8 draws among the 6 positive queries in a way that
    // fills both languages: the chance of delta = 1 falls to about 10%, and the lower tail reaches
    // -1/2 far less often; the id bootstrap's lower tail: delta = (4 - 2k)/4 for k of 4 draws on id 4,
    // P(k >= 2) = 1 - (3/4)^4 - 4 (1/4)(3/4)^3 = 26% and P(k >= 3) = 5.1%, P(k = 4) = 0.4%: 2.5th percentile -1/2.
    expect(cmp.summary.multi_map.ci).toEqual([-1 / 2, 1]);
  });

  it('languages that do not move together give another answer (the test sees the pairing)', () => {
    // Same per-language differences, but id 4 is the negative one in en and id 1 in de.
    const [c, d] = correlated((id, lang) => ((lang === 'en' ? id === 4 : id === 1) ? -1 : 1));
    const other = comparePaired(c, d, { resamples: 20000, seed: 3 });
    expect(other.summary.multi_map.delta).toBeCloseTo(1 / 2, 12);
    // Each id now contributes +1 (ids 2, 3) or 0 (ids 1, 4 cancel): delta* = (s2 + s3) / 4 per flip,
    // |delta*| >= 1/2 only when s2 = s3: p = 1/2. And the bootstrap can never reach -1/2.
    const sd = Math.sqrt(0.25 / 20000);
    expect(Math.abs(other.summary.multi_map.p! - 1 / 2)).toBeLessThan(5 * sd);
    expect(other.summary.multi_map.ci![0]).toBeGreaterThanOrEqual(0);
  });

  it('is seeded: another seed gives other draws, the same seed the same', () => {
    const p = (seed: number) => comparePaired(a, b, { resamples: 20, seed }).summary.multi_map.p;
    expect(p(1)).toBe(p(1));
    expect(new Set([1, 2, 3, 4, 5, 6].map(p)).size).toBeGreaterThan(1);
  });
});

describe('holmBonferroni', () => {
  it('adjusts a worked example: sorted p times (m - k), made monotone, capped at 1', () => {
    // Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> max(0.06, 0.04) = 0.06.
    const adjusted = holmBonferroni([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((p, i) => expect(adjusted[i]).toBeCloseTo(p, 12));
    expect(holmBonferroni([0.5, 0.6, 0.001])).toEqual([1, 1, 0.003]);
    expect(holmBonferroni([])).toEqual([]);
  });

  it('comparePaired adjusts over the non-empty cells only, and leaves empty cells null', () => {
    // en has a de cell; de queries only exist in de: cell (de, en) is empty.
    const langs = ['en', 'de'];
    const make = (shift: number) => values(langs, Array.from({ length: 12 }, (_, i): QuerySpec[] => [
      { id: String(i), lang: 'en', rr: { en: 0.5 + (i % 2 ? shift : 0), de: 0.25 + shift }, ap: 0.5 },
      { id: String(i), lang: 'de', rr: { de: 0.5 }, ap: 0.5 + shift / 2 },
    ]).flat());
    const cmp = comparePaired(make(0), make(0.25), { resamples: 3000, seed: 11 });
    expect(cmp.cells.de.en).toEqual({ a: null, b: null, delta: null, ci: null, p: null, p_holm: null, n: 0 });
    const present = [cmp.cells.en.en, cmp.cells.en.de, cmp.cells.de.de];
    const expected = holmBonferroni(present.map((c) => c.p!));
    present.forEach((cell, i) => expect(cell.p_holm).toBe(expected[i]));
    // en-de moves by +1/4 for all 12 ids: only the identity and the all-flipped permutations are as extreme.
    expect(cmp.cells.en.de.p).toBeLessThan(0.01);
    expect(cmp.cells.de.de.p).toBe(1); // no difference at all
    expect(cmp.cells.de.de.ci).toEqual([0, 0]);
  });
});

describe('enough permutations for Holm', () => {
  it('2000 permutations over 121 cells cannot mark any cell: the smallest p_holm is 121 / 2001', async () => {
    const { resamplesForCells, smallestPossiblePHolm } = await import('../../src/core/stats/paired');
    expect(smallestPossiblePHolm(121, 2000)).toBeCloseTo(121 / 2001, 12); // 0.0605 > 0.05
    expect(resamplesForCells(121)).toBe(5000); // 2 x 121 / 0.05 = 4840, in thousands
    expect(smallestPossiblePHolm(121, 5000)).toBeLessThan(0.025);
    expect(resamplesForCells(16)).toBe(2000); // the default suffices for 4 languages
  });
});

describe('pairing only runs on the same data', () => {
  it('refuses different fingerprints and different value patterns', () => {
    const other = { ...B, datasetFingerprint: 'other' };
    expect(() => comparePaired(A, other)).toThrow(DatasetMismatchError);
    expect(() => comparePaired(A, other)).toThrow(/different data/);
    const missing = { ...B, rr: B.rr.map((v, i) => (i === 1 ? NaN : v)) };
    expect(() => comparePaired(A, missing)).toThrow(DatasetMismatchError);
  });
});

describe('speed', () => {
  it('full XQuAD-R size (1190 ids x 11 languages, 121 cells) with 2000 resamples takes seconds', () => {
    const languages = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'];
    let state = 1;
    const rand = () => ((state = (state * 16807) % 2147483647) / 2147483647);
    const make = () => values(languages, Array.from({ length: 1190 }, (_, id) => languages.map((lang) => ({
      id: String(id),
      lang,
      rr: Object.fromEntries(languages.map((y) => [y, 1 / (1 + Math.floor(rand() * 20))])),
      ap: rand(),
      rd: Math.floor(rand() * 5000),
    }))).flat());
    const a = make();
    const b = make();
    const start = performance.now();
    const cmp = comparePaired(a, b, { resamples: 2000, seed: 1 });
    const seconds = (performance.now() - start) / 1000;
    console.log(`comparePaired, 13,090 queries, 121 cells, 2000 resamples: ${seconds.toFixed(2)} s`);
    expect(cmp.cells.en.de.n).toBe(1190);
    expect(seconds).toBeLessThan(30);
  }, 120_000);
});

describe('sweep aggregates', () => {
  it('paretoFront keeps the points no other point beats on both coordinates, sorted by x', async () => {
    const { paretoFront } = await import('../../src/core/stats/sweep');
    // (0.9, 0.1) and (0.5, 0.5) and (0.2, 0.6) trade off; (0.4, 0.4) is beaten by (0.5, 0.5); a duplicate keeps the first.
    const points = [{ x: 0.5, y: 0.5 }, { x: 0.4, y: 0.4 }, { x: 0.9, y: 0.1 }, { x: 0.2, y: 0.6 }, { x: 0.5, y: 0.5 }];
    expect(paretoFront(points)).toEqual([3, 0, 2]);
  });

  it('meanAndSd: mean and sample sd (n - 1) per metric, null where a run has no value or for one seed', async () => {
    const { meanAndSd } = await import('../../src/core/stats/sweep');
    const summary = (mono: number, rd: number | null) =>
      ({ mono_map: mono, cross_map: 0.1, multi_map: 0, multi_r10: 0, rank_distance: rd, own_share10: 0, own_first_excess: null });
    const { mean, sd } = meanAndSd([summary(0.2, 10), summary(0.4, null), summary(0.6, 12)]);
    expect(mean.mono_map).toBeCloseTo(0.4, 12);
    expect(sd.mono_map).toBeCloseTo(0.2, 12); // sqrt((0.04 + 0 + 0.04) / 2)
    expect(sd.cross_map).toBeCloseTo(0, 12);
    expect(mean.rank_distance).toBeNull();
    expect(meanAndSd([summary(0.2, 10)]).sd.mono_map).toBeNull();
  });
});
