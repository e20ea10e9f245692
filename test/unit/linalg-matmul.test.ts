import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset/types';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { ortMatmul } from '../../src/core/linalg/ort-matmul';
import { randomUnitVectors, seededRandom } from '../../src/core/linalg/random';
import type { ScoreMatmulFactory } from '../../src/core/linalg/types';
import { buildRetrievalTask, rankAndMeasure } from '../../src/core/metrics/ranking';
import { referenceRankAndMeasure } from '../support/oracles/metrics';
import { ortNodeMatmul } from '../../src/node/ort-node-matmul';

const backends: [string, ScoreMatmulFactory][] = [
  ['jsMatmul', jsMatmul],
  ['ortMatmul(onnxruntime-node)', ortMatmul(ort, { executionProviders: ['cpu'], threads: 2 })],
  ['ortNodeMatmul()', ortNodeMatmul()],
];

function naiveScores(q: Float32Array, rows: number, c: Float32Array, n: number, dim: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += q[i * dim + t] * c[j * dim + t];
      out.push(s);
    }
  }
  return out;
}

describe.each(backends)('%s', (_, matmul) => {
  it('matches the naive product on odd sizes, block after block', async () => {
    const random = seededRandom(7);
    const [m, n, dim] = [37, 53, 19];
    const queries = randomUnitVectors(m, dim, random);
    const candidates = randomUnitVectors(n, dim, random);
    const backend = await matmul(candidates, n, dim);
    try {
      // Uneven blocks taken as views into the middle of the query matrix, as rankAndMeasure does.
      for (const [start, rows] of [[0, 37], [0, 5], [5, 1], [6, 31]]) {
        const block = queries.subarray(start * dim, (start + rows) * dim);
        const scores = await backend.scores(block, rows);
        const expected = naiveScores(block, rows, candidates, n, dim);
        expect(scores.length).toBe(rows * n);
        expected.forEach((s, i) => expect(scores[i]).toBeCloseTo(s, 5));
      }
    } finally {
      await backend.dispose();
    }
  });
});

describe('backends through rankAndMeasure', () => {
  it('give identical metrics (small-integer embeddings make every score exact, ties included)', async () => {
    const random = seededRandom(11);
    const languages = ['en', 'de', 'zh'];
    const poolSize = 41;
    const candidates = languages.flatMap((lang) => Array.from({ length: poolSize }, (_, i) => ({ id: `${lang}${i}`, lang, text: '' })));
    const relevance: Record<string, number[]> = {};
    const queries = Array.from({ length: 30 }, (_, i) => {
      relevance[`q${i}`] = languages.map((_, l) => l * poolSize + Math.floor(random() * poolSize));
      return { id: `q${i}`, lang: languages[i % 3], text: '' };
    });
    const dataset: Dataset = { name: 'integers', languages, queries, candidates, relevance };
    const dim = 19;
    const integers = (count: number) => Float32Array.from({ length: count * dim }, () => Math.floor(random() * 7) - 3);
    const queryEmbeddings = integers(queries.length);
    const candidateEmbeddings = integers(candidates.length);

    const task = buildRetrievalTask(dataset);
    const reports = await Promise.all(
      backends.map(([, matmul]) => rankAndMeasure(task, queryEmbeddings, candidateEmbeddings, dim, { matmul, blockRows: 7 })),
    );
    for (const report of reports.slice(1)) expect(report).toEqual(reports[0]);
    // And they are right: the plain reference evaluation gives the same numbers.
    const expected = await referenceRankAndMeasure(dataset, queryEmbeddings, candidateEmbeddings, dim, jsMatmul);
    for (const [key, value] of Object.entries(expected.summary)) expect(reports[0].summary[key as keyof typeof expected.summary]).toBeCloseTo(value!, 12);
  });
});
