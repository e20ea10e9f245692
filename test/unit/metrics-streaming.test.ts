/**
 * Streaming exact evaluation (src/core/metrics/streaming.ts): candidates counted block by block or
 * in shards, counts merged, must give rankAndMeasure's report number for number, on random data
 * full of ties (checked against the full-sort oracle too) and on full XQuAD-R.
 */
import { describe, expect, it } from 'vitest';
import { candidateTexts } from '../../src/core/dataset/texts';
import type { Dataset } from '../../src/core/dataset/types';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { sparseMatmul } from '../../src/core/linalg/sparse-matmul';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { seededRandom } from '../../src/core/linalg/random';
import { buildRetrievalTask, rankAndMeasure } from '../../src/core/metrics/ranking';
import {
  countRange, emptyCounts, gatherRows, measureCounts, mergeCounts, scoreRelevant, shardRange, shapeStableMatmul, streamAndMeasure,
  type StreamOptions,
} from '../../src/core/metrics/streaming';
import type { RetrievalTask } from '../../src/core/metrics/types';
import { ortNodeMatmul } from '../../src/node/ort-node-matmul';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { referenceRankAndMeasure } from '../support/oracles/metrics';

const XQUAD_R = new URL('../../../shared/data/xquad-r', import.meta.url).pathname;

/** Shards counted apart (in the order given) and merged, as `xling eval --shard` + `xling merge` do. */
async function sharded(task: RetrievalTask, q: Float32Array, c: Float32Array, dim: number, shards: number, options: StreamOptions, order?: number[]) {
  const relevant = await scoreRelevant(task, q, dim, (indices) => gatherRows(c, dim, indices), options);
  const parts = [];
  for (const i of order ?? Array.from({ length: shards }, (_, s) => s)) {
    const range = shardRange(task.candidateCount, i, shards);
    parts.push(await countRange(task, q, dim, relevant.slice(), range, (from, to) => c.subarray(from * dim, to * dim), options));
  }
  return measureCounts(task, mergeCounts(task, parts));
}

describe('streamAndMeasure and shards', () => {
  it('agree with rankAndMeasure and the full-sort oracle on random data with many ties, for any block and shard split', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const languages = ['en', 'de', 'fr'].slice(0, 2 + (seed % 2));
      const pool = 3 + (seed % 13);
      const candidates = languages.flatMap((lang) => Array.from({ length: pool }, (_, i) => ({ id: `${lang}${i}`, lang, text: '' })));
      const ids = Array.from({ length: 9 }, (_, i) => `q${i}`);
      const relevance: Record<string, number[]> = {};
      // Some questions in one language only, some with two relevant items in one pool, one with none.
      ids.slice(1).forEach((id, i) => {
        const items = new Set(languages.flatMap((_, l) => (random() < 0.8 || l === i % languages.length ? [l * pool + Math.floor(random() * pool)] : [])));
        if (random() < 0.3) items.add(Math.floor(random() * pool));
        relevance[id] = [...items].sort((a, b) => a - b);
      });
      const dataset: Dataset = { name: `random-${seed}`, languages, queries: languages.flatMap((lang) => ids.map((id) => ({ id, lang, text: '' }))), candidates, relevance };
      const dim = 6;
      // Small integers: exact scores and many ties, across block and shard boundaries too.
      const values = (rows: number) => Float32Array.from({ length: rows * dim }, () => Math.floor(random() * 3) - 1);
      const q = values(dataset.queries.length);
      const c = values(candidates.length);
      const task = buildRetrievalTask(dataset);
      const expected = await rankAndMeasure(task, q, c, dim, { matmul: jsMatmul });
      expect(expected, `seed ${seed}: rankAndMeasure vs oracle`).toEqual(await referenceRankAndMeasure(dataset, q, c, dim, jsMatmul));
      const options = { matmul: jsMatmul, blockRows: 1 + (seed % 5), candidateBlock: 1 + (seed % 4) };
      expect(await streamAndMeasure(task, q, c, dim, { matmul: jsMatmul }), `seed ${seed}: one block`).toEqual(expected);
      expect(await streamAndMeasure(task, q, c, dim, options), `seed ${seed}: blocks`).toEqual(expected);
      const shards = 1 + (seed % 6);
      const reversed = Array.from({ length: shards }, (_, s) => shards - 1 - s);
      expect(await sharded(task, q, c, dim, shards, options, reversed), `seed ${seed}: ${shards} shards`).toEqual(expected);
    }
  });

  it('refuses counts that do not cover the pool once', async () => {
    const dataset: Dataset = {
      name: 'four', languages: ['en'], queries: [{ id: 'A', lang: 'en', text: '' }],
      candidates: [0, 1, 2, 3].map((i) => ({ id: `c${i}`, lang: 'en', text: '' })), relevance: { A: [1] },
    };
    const task = buildRetrievalTask(dataset);
    const q = Float32Array.of(1);
    const c = Float32Array.of(1, 2, 3, 4);
    const part = (from: number, to: number) => countRange(task, q, 1, Float32Array.of(2), { from, to }, (a, b) => c.subarray(a, b), { matmul: jsMatmul });
    await expect(Promise.resolve().then(async () => mergeCounts(task, [await part(0, 2), await part(3, 4)]))).rejects.toThrow('Candidates 2 to 3 are in no range');
    await expect(Promise.resolve().then(async () => mergeCounts(task, [await part(0, 3), await part(2, 4)]))).rejects.toThrow('Candidates 2 to 3 are in two ranges');
    await expect(Promise.resolve().then(async () => mergeCounts(task, [await part(0, 3)]))).rejects.toThrow('Candidates 3 to 4 are in no range');
    expect(() => measureCounts(task, emptyCounts(task, { from: 0, to: 3 }, Float32Array.of(2)))).toThrow('Counts of candidates 0 to 3 are not the whole pool of 4');
  });

  it('makes onnxruntime scores independent of the block shape (one query row and narrow blocks differ bare)', async () => {
    const random = seededRandom(3);
    const dim = 64;
    const n = 600;
    const c = Float32Array.from({ length: n * dim }, () => random() - 0.5);
    const q = Float32Array.from({ length: 9 * dim }, () => random() - 0.5);
    const stable = shapeStableMatmul(ortNodeMatmul({ threads: 1 }));
    const full = await (await stable(c, n, dim)).scores(q, 9);
    const whole = full.slice();
    for (const [from, to, rows] of [[0, 1, 1], [5, 40, 1], [100, 357, 2], [17, 600, 3]]) {
      const backend = await stable(c.subarray(from * dim, to * dim), to - from, dim);
      for (let r0 = 0; r0 < 9; r0 += rows) {
        const r = Math.min(rows, 9 - r0);
        const s = await backend.scores(q.subarray(r0 * dim), r);
        for (let i = 0; i < r; i++) for (let j = from; j < to; j++) expect(s[i * (to - from) + j - from]).toBe(whole[(r0 + i) * n + j]);
      }
      await backend.dispose();
    }
  });

  it('evaluates an XQuAD-R subset the notebook\'s two ways (whole rows, streamed in blocks of 1,024) to the full-sort oracle\'s report', async () => {
    // 4 languages x 20 articles: 1,786 candidates, so streaming takes two blocks and a first pass over the relevant candidates.
    const dataset = await readDatasetFolder(XQUAD_R, { languages: ['de', 'en', 'th', 'zh'], articles: 20 });
    expect(dataset.candidates.length).toBe(1786);
    const encoder = createLexicalEncoder();
    // The notebook's default for lexical vectors: the exact sparse kernel (on a pool of threads there).
    const rows = await evaluateDataset(dataset, encoder, { matmul: sparseMatmul });
    const scored: number[] = [];
    const streamed = await evaluateDataset(dataset, encoder, {
      matmul: sparseMatmul, streaming: true, candidateBlock: 1024,
      onProgress: ({ phase, done, total }) => phase === 'score' && scored.push(done, total),
    });
    // Progress counts candidates, and the first block ends at candidate 1,024.
    expect(scored.slice(-2)).toEqual([1786, 1786]);
    expect(scored).toContain(1024);
    const { timings: _rows, ...rowsReport } = rows.report;
    const { timings: _streamed, ...streamedReport } = streamed.report;
    const oracle = await referenceRankAndMeasure(dataset, rows.embeddings.queries, rows.embeddings.candidates, encoder.dim, sparseMatmul);
    expect(rowsReport).toEqual(oracle);
    // Cells, summary, multilingual figures and every query's values (what compare pairs) alike.
    expect(streamedReport).toEqual(oracle);
    expect(streamedReport.perQuery?.rr.length).toBe(dataset.queries.length * 4);
  }, 120_000);

  it('gives rankAndMeasure\'s report number for number on full XQuAD-R (lexical vectors, onnxruntime) in 7 shards of 1000-candidate blocks', async () => {
    const dataset = await readDatasetFolder(XQUAD_R);
    const encoder = createLexicalEncoder();
    const q = await encoder.encode(dataset.queries.map((x) => x.text), 'query');
    const c = await encoder.encode(candidateTexts(dataset, 'sentence'), 'passage');
    const task = buildRetrievalTask(dataset);
    const matmul = ortNodeMatmul();
    const expected = await rankAndMeasure(task, q, c, encoder.dim, { matmul });
    expect(await sharded(task, q, c, encoder.dim, 7, { matmul, candidateBlock: 1000 }, [3, 0, 6, 1, 5, 2, 4])).toEqual(expected);
  }, 300_000);
});
