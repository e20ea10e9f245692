/**
 * The command line's scoring: the exact sparse kernel on Node worker_threads. Its scores are the
 * single-threaded kernel's bit for bit, hence the JS kernel's (scoring-sparse.test.ts), so on real
 * data its report is the dense JS kernel's number for number, as the notebook's pool is.
 */
import { describe, expect, it } from 'vitest';
import { candidateTexts } from '../../src/core/dataset/texts';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { seededRandom } from '../../src/core/linalg/random';
import { rowKernel, type RowKernel } from '../../src/core/linalg/row-kernels';
import { density, SPARSE_MAX_DENSITY, sparseDense, sparseRowsWhereSparse, threadedSparseDense, type SparseScoringThreads } from '../../src/core/linalg/sparse-matmul';
import { applyHead, initHead } from '../../src/core/training/head';
import { buildRetrievalTask, rankAndMeasure } from '../../src/core/metrics/ranking';
import { ortNodeMatmul } from '../../src/node/ort-node-matmul';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { cliScoringMatmul } from '../../src/node/scoring';
import { nodeSparseMatmul } from '../../src/node/sparse-threads';

const XQUAD_R = new URL('../../../shared/data/xquad-r', import.meta.url).pathname;

describe('nodeSparseMatmul (worker threads)', () => {
  it('gives the JS kernel\'s scores bit for bit, every row whichever thread scored it', async () => {
    const random = seededRandom(11);
    const dim = 53;
    const sparse = (rows: number) => Float32Array.from({ length: rows * dim }, () => (random() < 0.2 ? (random() - 0.4) * 10 ** (2 * random() - 1) : 0));
    const c = sparse(37);
    const backend = await nodeSparseMatmul({ threads: 3 })(c, 37, dim);
    const reference = await jsMatmul(c, 37, dim);
    // Blocks of 1, 2 and 7 rows: fewer rows than threads, and shares of unequal length.
    for (const rows of [1, 2, 7]) {
      const q = sparse(rows);
      const got = (await backend.scores(q, rows)).slice();
      const expected = await reference.scores(q, rows);
      expect(got.length).toBe(rows * 37);
      expect(Array.from(got).every((v, i) => Object.is(v, expected[i]) || (v === 0 && expected[i] === 0)), `${rows} rows`).toBe(true);
    }
    await backend.dispose();
  });

  it('keeps a block\'s scores while the next block is scored (two buffers in turn)', async () => {
    const backend = await nodeSparseMatmul({ threads: 2 })(Float32Array.of(1, 0, 0, 2), 2, 2);
    expect(backend.keepsTwoBlocks).toBe(true);
    const first = await backend.scores(Float32Array.of(1, 1), 1);
    const second = await backend.scores(Float32Array.of(3, 0), 1);
    expect(Array.from(first)).toEqual([1, 2]);
    expect(Array.from(second)).toEqual([3, 0]);
    await backend.dispose();
  });

  it('multiplies mostly-zero rows by a dense matrix as the definition does, on threads and on one, at widths off the SIMD lanes', async () => {
    // inner 40, width 23 (16 + 4 + 3 columns a turn), 70 rows (over two blocks of 32), 10% non-zero.
    const random = seededRandom(12);
    const [inner, width, rows] = [40, 23, 70];
    const matrix = Float32Array.from({ length: inner * width }, () => random() - 0.5);
    const x = Float32Array.from({ length: rows * inner }, () => (random() < 0.1 ? random() - 0.5 : 0));
    const expected: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        let sum = 0;
        for (let t = 0; t < inner; t++) sum += x[r * inner + t] * matrix[t * width + j];
        expected.push(sum);
      }
    }
    // Three threads in this one: what each would compute, through the kernel a real thread builds.
    const kernels = new Map<number, RowKernel>();
    const threads: SparseScoringThreads = {
      count: 3,
      install: async (key, source) => void kernels.set(key, rowKernel(source)),
      score: async (_, job) => kernels.get(job.key)!.score(job.queries, job.from, job.to, job.out),
      drop: async (key) => void kernels.delete(key),
    };
    const threaded = await threadedSparseDense(() => threads)(matrix, inner, width);
    const single = await sparseDense(matrix, inner, width);
    const byThreads = (await threaded.scores(x, rows)).slice();
    expect(Math.max(...byThreads.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-6);
    // One kernel, one order of sums: the threads' numbers are one thread's bit for bit.
    expect(Array.from(byThreads)).toEqual(Array.from(await single.scores(x, rows)));
    await Promise.all([threaded.dispose(), single.dispose()]);
  });

  it('keeps two matmuls at once apart (each scores against its own candidates)', async () => {
    const factory = nodeSparseMatmul({ threads: 2 });
    const a = await factory(Float32Array.of(1, 0, 0, 2), 2, 2);
    const b = await factory(Float32Array.of(0, 3, 5, 0), 2, 2);
    const [sa, sb] = await Promise.all([a.scores(Float32Array.of(1, 1, 0, 1), 2), b.scores(Float32Array.of(1, 1, 0, 1), 2)]);
    expect(Array.from(sa)).toEqual([1, 2, 0, 2]);
    expect(Array.from(sb)).toEqual([3, 5, 3, 0]);
    await Promise.all([a.dispose(), b.dispose()]);
  });
});

describe('the command line\'s scoring on XQuAD-R lexical vectors', () => {
  it('reports exactly what the dense JS kernel reports, and what onnxruntime-node\'s Gemm reports to float32 rounding', async () => {
    const dataset = await readDatasetFolder(XQUAD_R, { languages: ['en', 'de', 'zh'], articles: 6 });
    const encoder = createLexicalEncoder();
    const q = await encoder.encode(dataset.queries.map((x) => x.text), 'query');
    const c = await encoder.encode(candidateTexts(dataset, 'sentence'), 'passage');
    expect(density(c)).toBeLessThan(SPARSE_MAX_DENSITY); // so the automatic choice takes the sparse threads
    const task = buildRetrievalTask(dataset);
    let choseSparse: boolean | undefined;
    const cli = await rankAndMeasure(task, q, c, encoder.dim, { matmul: cliScoringMatmul((sparse) => (choseSparse = sparse)) });
    expect(choseSparse).toBe(true);
    const reference = await rankAndMeasure(task, q, c, encoder.dim, { matmul: jsMatmul });
    expect(cli).toEqual(reference);
    // Blocks of 64 questions: each ranked while the threads score the next (keepsTwoBlocks); the same report.
    expect(await rankAndMeasure(task, q, c, encoder.dim, { matmul: cliScoringMatmul(), blockRows: 64 })).toEqual(reference);
    const ort = await rankAndMeasure(task, q, c, encoder.dim, { matmul: ortNodeMatmul() });
    for (const key of ['mono_map', 'cross_map', 'multi_map', 'multi_r10'] as const) expect(cli.summary[key]).toBeCloseTo(ort.summary[key]!, 3);
  });

  it('a head on the lexical vectors, applied by the sparse x dense kernel, reports what the JS kernels report', async () => {
    const dataset = await readDatasetFolder(XQUAD_R, { languages: ['en', 'de', 'zh'], articles: 6 });
    const encoder = createLexicalEncoder();
    const q = await encoder.encode(dataset.queries.map((x) => x.text), 'query');
    const c = await encoder.encode(candidateTexts(dataset, 'sentence'), 'passage');
    const head = initHead('linear', encoder.dim, encoder.dim, 3);
    const random = seededRandom(5);
    head.params.D.forEach((_, i) => (head.params.D[i] = (random() - 0.5) * 0.05));
    let sparseBlocks = 0;
    const bySparseRows = sparseRowsWhereSparse(sparseDense, jsMatmul, () => sparseBlocks++);
    const project = (x: Float32Array, rows: number, matmul: typeof jsMatmul) => applyHead(head, x, rows, { matmul });
    const task = buildRetrievalTask(dataset);
    const [nq, nc] = [dataset.queries.length, dataset.candidates.length];
    const viaKernel = await rankAndMeasure(task, await project(q, nq, bySparseRows), await project(c, nc, bySparseRows), encoder.dim, { matmul: jsMatmul });
    expect(sparseBlocks).toBeGreaterThan(0);
    const reference = await rankAndMeasure(task, await project(q, nq, jsMatmul), await project(c, nc, jsMatmul), encoder.dim, { matmul: jsMatmul });
    // Float32 sums in another order than the JS kernel's float64 ones: equal to float32 rounding.
    for (const key of ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'rank_distance'] as const) {
      expect(viaKernel.summary[key]).toBeCloseTo(reference.summary[key]!, 4);
    }
  });
});
