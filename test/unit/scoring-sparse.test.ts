/**
 * The sparse scoring backend: its scores are the JS kernel's bit for bit (same float64 sums), so
 * rankings and metrics built on them are too; and the automatic choice picks it only for sparse data.
 */
import { describe, expect, it } from 'vitest';
import { candidateTexts } from '../../src/core/dataset/texts';
import type { Dataset } from '../../src/core/dataset/types';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { seededRandom } from '../../src/core/linalg/random';
import { density, sparseMatmul, sparseWhereSparse, SPARSE_MAX_DENSITY } from '../../src/core/linalg/sparse-matmul';
import type { ScoreMatmulFactory } from '../../src/core/linalg/types';
import { buildRetrievalTask, rankAndMeasure } from '../../src/core/metrics/ranking';
import { referenceRankAndMeasure } from '../support/oracles/metrics';
import { readDatasetFolder } from '../../src/node/read-dataset';

const XQUAD_R = new URL('../../../shared/data/xquad-r', import.meta.url).pathname;

async function scores(factory: ScoreMatmulFactory, q: Float32Array, rows: number, c: Float32Array, n: number, dim: number): Promise<Float32Array> {
  const backend = await factory(c, n, dim);
  const out = (await backend.scores(q, rows)).slice();
  await backend.dispose();
  return out;
}

/** `fill` of the values non-zero, the rest exact zeros; values of mixed sign and magnitude. */
function sparseMatrix(rows: number, dim: number, fill: number, random: () => number): Float32Array {
  return Float32Array.from({ length: rows * dim }, () => (random() < fill ? (random() - 0.4) * 10 ** (2 * random() - 1) : 0));
}

describe('sparseMatmul', () => {
  it('scores a hand-computed case', async () => {
    // q0 = (1, 0, 2, 0), q1 = (0, 0, 0, 0); c0 = (3, 1, 0, 0), c1 = (0, 5, 4, 0), c2 = (-1, 0, 0.5, 7)
    const q = Float32Array.of(1, 0, 2, 0, 0, 0, 0, 0);
    const c = Float32Array.of(3, 1, 0, 0, 0, 5, 4, 0, -1, 0, 0.5, 7);
    expect(Array.from(await scores(sparseMatmul, q, 2, c, 3, 4))).toEqual([3, 8, 0, 0, 0, 0]);
  });

  it('sums in the JS kernel\'s order, dimension by dimension: 1 - 1 + 2^-60 is 2^-60, not 0', async () => {
    const tiny = 2 ** -30;
    const q = Float32Array.of(1, 0, 1, tiny);
    const c = Float32Array.of(1, 5, -1, tiny);
    const expected = (1 - 1) + tiny * tiny; // any other order loses the 2^-60 against the ones
    expect(Array.from(await scores(sparseMatmul, q, 1, c, 1, 4))).toEqual([expected]);
    expect(Array.from(await scores(jsMatmul, q, 1, c, 1, 4))).toEqual([expected]);
  });

  it('gives the JS kernel\'s scores bit for bit at densities from 1% to 60%', async () => {
    const random = seededRandom(7);
    for (const fill of [0.01, 0.15, 0.6]) {
      const dim = 97;
      const q = sparseMatrix(13, dim, fill, random);
      const c = sparseMatrix(41, dim, fill, random);
      const sparse = await scores(sparseMatmul, q, 13, c, 41, dim);
      const dense = await scores(jsMatmul, q, 13, c, 41, dim);
      // Object.is: also the sign of zero; any other summation order differs in the last bits.
      expect(Array.from(sparse).every((value, i) => Object.is(value, dense[i]) || (value === 0 && dense[i] === 0)), `fill ${fill}`).toBe(true);
    }
  });

  it('rejects a candidate matrix of the wrong size', async () => {
    await expect(sparseMatmul(new Float32Array(10), 3, 4)).rejects.toThrow(RangeError);
  });
});

describe('rankAndMeasure on the sparse backend', () => {
  it('agrees with the full-sort reference on random sparse datasets with many ties', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const random = seededRandom(seed);
      const languages = ['en', 'de', 'fr'].slice(0, 2 + (seed % 2));
      const pool = 5 + (seed % 17);
      const candidates = languages.flatMap((lang) => Array.from({ length: pool }, (_, i) => ({ id: `${lang}${i}`, lang, text: '' })));
      const ids = Array.from({ length: 12 }, (_, i) => `q${i}`);
      const relevance: Record<string, number[]> = {};
      ids.forEach((id) => (relevance[id] = languages.map((_, l) => l * pool + Math.floor(random() * pool))));
      const dataset: Dataset = { name: `sparse-${seed}`, languages, queries: languages.flatMap((lang) => ids.map((id) => ({ id, lang, text: '' }))), candidates, relevance };
      const dim = 16;
      // Small integers, mostly zero: exact scores, many ties, rows that are all zero.
      const values = (rows: number) => Float32Array.from({ length: rows * dim }, () => (random() < 0.2 ? Math.floor(random() * 5) - 2 : 0));
      const q = values(dataset.queries.length);
      const c = values(candidates.length);
      const fast = await rankAndMeasure(buildRetrievalTask(dataset), q, c, dim, { matmul: sparseMatmul, blockRows: 1 + (seed % 7) });
      expect(fast, `seed ${seed}`).toEqual(await referenceRankAndMeasure(dataset, q, c, dim, jsMatmul));
    }
  });

  it('reports exactly what the JS kernel reports on XQuAD-R lexical vectors', async () => {
    const dataset = await readDatasetFolder(XQUAD_R, { languages: ['en', 'de', 'zh'], articles: 6 });
    const encoder = createLexicalEncoder();
    const q = await encoder.encode(dataset.queries.map((x) => x.text), 'query');
    const c = await encoder.encode(candidateTexts(dataset, 'sentence'), 'passage');
    expect(density(c)).toBeLessThan(SPARSE_MAX_DENSITY);
    const task = buildRetrievalTask(dataset);
    const sparse = await rankAndMeasure(task, q, c, encoder.dim, { matmul: sparseMatmul });
    expect(sparse).toEqual(await rankAndMeasure(task, q, c, encoder.dim, { matmul: jsMatmul }));
  });
});

describe('sparseWhereSparse', () => {
  it('takes the sparse backend up to the density limit and the dense one above it', async () => {
    const used: string[] = [];
    const tagged = (name: string): ScoreMatmulFactory => async (...args) => {
      used.push(name);
      return jsMatmul(...args);
    };
    const choices: [boolean, number][] = [];
    const auto = sparseWhereSparse(tagged('sparse'), tagged('dense'), (sparse, measured) => choices.push([sparse, measured]));
    // 100 values: 25 non-zero is at the limit, 26 above it.
    const withNonZero = (count: number) => Float32Array.from({ length: 100 }, (_, i) => (i < count ? 1 : 0));
    await auto(withNonZero(25), 10, 10);
    await auto(withNonZero(26), 10, 10);
    expect(used).toEqual(['sparse', 'dense']);
    expect(choices).toEqual([[true, 0.25], [false, 0.26]]);
  });
});
