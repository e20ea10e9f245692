/**
 * The embedding map's pure parts: which rows are sampled (and with which language), each point's
 * nearest neighbours by cosine, and the own-language share of them, against hand-computed cases and
 * a brute-force sort.
 */
import { describe, expect, it } from 'vitest';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { seededRandom } from '../../src/core/linalg/random';
import { sparseMatmul } from '../../src/core/linalg/sparse-matmul';
import { umapLayout } from '../../src/core/projection/layout';
import { cosineNeighbours, nearestNeighbours, ownLanguageShare } from '../../src/core/projection/neighbours';
import { chooseMapSample, gatherRows, type MapSource } from '../../src/core/projection/sample';

// en: queries 0, 2, 4 and candidates 1, 3; de: queries 1, 3 and candidates 0, 2, 4, 5.
const SOURCE: MapSource = {
  languages: ['en', 'de'],
  queries: ['en', 'de', 'en', 'de', 'en'].map((lang) => ({ lang })),
  candidates: ['de', 'en', 'de', 'en', 'de', 'de'].map((lang) => ({ lang })),
};

const label = ({ kind, row, language }: { kind: string; row: number; language: string }) => `${language} ${kind[0]}${row}`;

describe('chooseMapSample', () => {
  it('takes every row, in language order, queries first, when the size exceeds the dataset', () => {
    expect(chooseMapSample(SOURCE, 100, 1).map(label)).toEqual(['en q0', 'en q2', 'en q4', 'en c1', 'en c3', 'de q1', 'de q3', 'de c0', 'de c2', 'de c4', 'de c5']);
  });

  it('gives each language an equal share, half queries and half candidates, rows of that language only', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sample = chooseMapSample(SOURCE, 4, seed);
      expect(sample.map((p) => `${p.language} ${p.kind}`)).toEqual(['en query', 'en candidate', 'de query', 'de candidate']);
      for (const point of sample) {
        const items = point.kind === 'query' ? SOURCE.queries : SOURCE.candidates;
        expect(items[point.row].lang).toBe(point.language);
      }
    }
  });

  it('fills a language short of queries with candidates, and gives the remainder to the first language', () => {
    // Size 9: en's quota is 5 (all its 3 queries and 2 candidates), de's 4: its 2 queries and 2 of its 4 candidates.
    const sample = chooseMapSample(SOURCE, 9, 7);
    expect(sample.filter((p) => p.language === 'en').map(label)).toEqual(['en q0', 'en q2', 'en q4', 'en c1', 'en c3']);
    const de = sample.filter((p) => p.language === 'de');
    expect(de.filter((p) => p.kind === 'query').map(label)).toEqual(['de q1', 'de q3']);
    expect(de.filter((p) => p.kind === 'candidate')).toHaveLength(2);
    // Size 10: de's quota of 5 is more than half candidates because it has only 2 queries.
    expect(chooseMapSample(SOURCE, 10, 7).filter((p) => p.language === 'de' && p.kind === 'candidate')).toHaveLength(3);
  });

  it('picks the same rows for a seed and other rows for other seeds', () => {
    const big: MapSource = {
      languages: ['a', 'b'],
      queries: Array.from({ length: 200 }, (_, i) => ({ lang: i % 2 ? 'a' : 'b' })),
      candidates: Array.from({ length: 300 }, (_, i) => ({ lang: i % 3 ? 'a' : 'b' })),
    };
    const rows = (seed: number) => chooseMapSample(big, 40, seed).map(label);
    expect(rows(3)).toEqual(rows(3));
    expect(rows(3)).not.toEqual(rows(4));
    expect(new Set(rows(3)).size).toBe(40);
  });

  it('gathers the sampled rows from the query and candidate matrices', () => {
    const queries = Float32Array.of(1, 2, 3, 4, 5, 6); // rows (1,2) (3,4) (5,6)
    const candidates = Float32Array.of(-1, -2, -3, -4); // rows (-1,-2) (-3,-4)
    const sample = [
      { kind: 'candidate' as const, row: 1, language: 'x' },
      { kind: 'query' as const, row: 2, language: 'x' },
    ];
    expect(Array.from(gatherRows(sample, queries, candidates, 2))).toEqual([-3, -4, 5, 6]);
  });
});

// Unit vectors at known angles: p0 (1, 0), p1 (0.8, 0.6), p2 (0.6, 0.8), p3 (0, 1), p4 (-0.6, 0.8).
// Cosines: p0p1 0.8, p0p2 0.6, p0p3 0, p0p4 -0.6, p1p2 0.96, p1p3 0.6, p1p4 0, p2p3 0.8, p2p4 0.28, p3p4 0.8.
const POINTS = Float32Array.of(1, 0, 0.8, 0.6, 0.6, 0.8, 0, 1, -0.6, 0.8);
const POINT_LANGUAGES = ['a', 'a', 'b', 'b', 'a'];
// Two nearest of each, by hand; p3's two are tied at 0.8 (p2 and p4): the lower index comes first.
const HAND_NEIGHBOURS = [[1, 2], [2, 0], [1, 3], [2, 4], [3, 2]];
const HAND_SIMILARITIES = [[0.8, 0.6], [0.96, 0.8], [0.96, 0.8], [0.8, 0.8], [0.8, 0.28]];

function fullScores(vectors: Float32Array, count: number, dim: number): Float32Array {
  const scores = new Float32Array(count * count);
  for (let i = 0; i < count; i++)
    for (let j = 0; j < count; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += vectors[i * dim + t] * vectors[j * dim + t];
      scores[i * count + j] = s;
    }
  return scores;
}

const rowsOf = (values: ArrayLike<number>, k: number) => Array.from({ length: values.length / k }, (_, i) => Array.from(values).slice(i * k, (i + 1) * k));

describe('nearest neighbours', () => {
  it('finds the hand-computed neighbours, most similar first, never the point itself', () => {
    const neighbours = nearestNeighbours(fullScores(POINTS, 5, 2), 5, 2);
    expect(rowsOf(neighbours.indices, 2)).toEqual(HAND_NEIGHBOURS);
    rowsOf(neighbours.similarities, 2).forEach((row, i) => row.forEach((s, j) => expect(s).toBeCloseTo(HAND_SIMILARITIES[i][j], 6)));
  });

  it('gives the same from the vectors through the JS and the sparse kernels', async () => {
    for (const matmul of [jsMatmul, sparseMatmul]) {
      const neighbours = await cosineNeighbours(POINTS, 5, 2, 2, { matmul });
      expect(rowsOf(neighbours.indices, 2)).toEqual(HAND_NEIGHBOURS);
    }
  });

  it('agrees with a full sort over several score blocks (600 sparse points)', async () => {
    const random = seededRandom(11);
    const count = 600;
    const dim = 64;
    const vectors = Float32Array.from({ length: count * dim }, () => (random() < 0.2 ? random() - 0.3 : 0));
    const progress: number[] = [];
    const neighbours = await cosineNeighbours(vectors, count, dim, 15, { matmul: sparseMatmul, onProgress: (done) => progress.push(done) });
    const scores = fullScores(vectors, count, dim);
    for (let i = 0; i < count; i++) {
      const expected = Array.from({ length: count }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((x, y) => scores[i * count + y] - scores[i * count + x] || x - y)
        .slice(0, 15);
      expect(Array.from(neighbours.indices.subarray(i * 15, (i + 1) * 15))).toEqual(expected);
    }
    expect(progress).toEqual([256, 512, 600]);
  });

  it('stops with an AbortError when cancelled (the worker\'s Cancel)', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(cosineNeighbours(POINTS, 5, 2, 2, { matmul: jsMatmul, signal: controller.signal })).rejects.toThrow(/abort/i);
    const neighbours = nearestNeighbours(fullScores(POINTS, 5, 2), 5, 2);
    await expect(umapLayout(neighbours, { seed: 1, signal: controller.signal })).rejects.toThrow(/abort/i);
  });

  it('refuses a k the points cannot give', () => {
    expect(() => nearestNeighbours(fullScores(POINTS, 5, 2), 5, 5)).toThrow(/k must be from 1 to 4/);
  });
});

describe('ownLanguageShare', () => {
  it('is the mean share of each point\'s neighbours in its language, overall and per language', () => {
    // Own neighbours of 2: p0 1, p1 1, p2 1, p3 1, p4 0 -> shares 0.5 0.5 0.5 0.5 0.
    const share = ownLanguageShare(nearestNeighbours(fullScores(POINTS, 5, 2), 5, 2), POINT_LANGUAGES);
    expect(share.overall).toBeCloseTo(0.4, 12);
    expect(share.byLanguage.a).toBeCloseTo(1 / 3, 12);
    expect(share.byLanguage.b).toBeCloseTo(0.5, 12);
    // Language-blind: a point of a sees 2 of the other 4 in a (0.5), of b 1 of 4 (0.25): (3 x 0.5 + 2 x 0.25) / 5.
    expect(share.languageBlind).toBeCloseTo(0.4, 12);
  });
});

describe('umapLayout', () => {
  it('lays out two far-apart groups as two clusters, the same for a seed', async () => {
    const random = seededRandom(5);
    const count = 60;
    // Group 0 near (1, 0, 0), group 1 near (0, 1, 0): unit vectors with a little noise.
    const vectors = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      const v = [random() * 0.2, random() * 0.2, random() * 0.2];
      v[i < 30 ? 0 : 1] += 1;
      const norm = Math.hypot(...v);
      vectors.set(v.map((x) => x / norm), i * 3);
    }
    const neighbours = await cosineNeighbours(vectors, count, 3, 10, { matmul: jsMatmul });
    const layout = await umapLayout(neighbours, { seed: 1 });
    expect(Array.from(await umapLayout(neighbours, { seed: 1 }))).toEqual(Array.from(layout));
    const centre = (from: number) => [0, 1].map((axis) => Array.from({ length: 30 }, (_, i) => layout[(from + i) * 2 + axis]).reduce((a, b) => a + b) / 30);
    const spread = (from: number, [cx, cy]: number[]) => Math.max(...Array.from({ length: 30 }, (_, i) => Math.hypot(layout[(from + i) * 2] - cx, layout[(from + i) * 2 + 1] - cy)));
    const [a, b] = [centre(0), centre(30)];
    expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeGreaterThan(2 * Math.max(spread(0, a), spread(30, b)));
  });
});
