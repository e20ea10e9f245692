import { SPARSE_KERNEL_WASM } from './sparse-kernel-wasm';
import type { ScoreMatmulFactory } from './types';

/**
 * The sparse scoring backend: `S = Q · Cᵀ` through an inverted index of the candidate matrix, for
 * embeddings that are mostly zeros (the lexical encoder's hashed n-grams: about 150 of 2048 values
 * set per query and 300 per sentence, so full XQuAD-R needs 4.5 G multiply-adds instead of 349 G).
 *
 * Exactness: each score is a float64 sum of float32 x float32 products (exact in float64) over the
 * dimensions in increasing order, skipping zero products, which leave a float64 sum unchanged. That
 * is the JS kernel's (`jsMatmul`) sum term for term (the loop runs in WebAssembly, sparse-kernel.wat,
 * with the same operations in the same order), so the scores, and every rank and metric built
 * on them, are bit for bit the JS kernel's: the reference tests of that kernel hold for this one.
 *
 * The index and the row kernel are exported apart so that a pool of threads can share one index
 * (SharedArrayBuffer-backed) and score row ranges in parallel (`threadedSparseMatmul`: the browser's
 * scoring workers, workers/lab/sparse-pool.ts, and Node's worker_threads, src/node/sparse-threads.ts).
 */
export const sparseMatmul: ScoreMatmulFactory = async (candidates, candidateCount, dim) => {
  const scorer = sparseRowScorer(buildInvertedIndex(candidates, candidateCount, dim));
  let out = new Float32Array(0);
  return {
    async scores(queries, rows) {
      checkQueries(queries, rows, dim);
      if (out.length < rows * candidateCount) out = new Float32Array(rows * candidateCount);
      scorer.score(queries, 0, rows, out);
      return out.subarray(0, rows * candidateCount);
    },
    async dispose() {
      out = new Float32Array(0);
    },
  };
};

/** Per dimension, the candidates with a non-zero value there (in candidate order) and the values. */
export interface InvertedIndex {
  candidateCount: number;
  dim: number;
  /** Postings of dimension t: `start[t] .. start[t + 1]`. */
  start: Int32Array;
  candidate: Int32Array;
  value: Float32Array;
}

/** `allocate` lets a caller put the postings in shared memory; plain ArrayBuffers by default. */
export function buildInvertedIndex(
  candidates: Float32Array,
  candidateCount: number,
  dim: number,
  allocate: (bytes: number) => ArrayBufferLike = (bytes) => new ArrayBuffer(bytes),
): InvertedIndex {
  if (candidates.length !== candidateCount * dim) {
    throw new RangeError(`Candidate matrix has ${candidates.length} values, expected ${candidateCount} x ${dim}`);
  }
  const start = new Int32Array(allocate((dim + 1) * 4));
  for (let i = 0; i < candidates.length; i++) if (candidates[i] !== 0) start[(i % dim) + 1]++;
  for (let t = 0; t < dim; t++) start[t + 1] += start[t];
  const fill = start.slice(0, dim);
  const candidate = new Int32Array(allocate(start[dim] * 4));
  const value = new Float32Array(allocate(start[dim] * 4));
  for (let c = 0; c < candidateCount; c++) {
    for (let t = 0, i = c * dim; t < dim; t++, i++) {
      const v = candidates[i];
      if (v === 0) continue;
      const p = fill[t]++;
      candidate[p] = c;
      value[p] = v;
    }
  }
  return { candidateCount, dim, start, candidate, value };
}

/** Scores query rows against one inverted index: one per index and thread (it holds a copy of the postings). */
export interface SparseRowScorer {
  /** Scores rows `from .. to` of `queries` (row-major, `dim` wide) into `out` at the same rows (row r at `r * candidateCount`). */
  score(queries: Float32Array, from: number, to: number, out: Float32Array): void;
}

let kernelModule: WebAssembly.Module | null = null;

/**
 * The WebAssembly kernel (sparse-kernel.wat) over a copy of `index` in its own memory: about 2.5x
 * faster than the same loop in JavaScript (docs/benchmarks.md), with the same sums in the same order.
 */
export function sparseRowScorer(index: InvertedIndex): SparseRowScorer {
  const { start, candidate, value, dim, candidateCount } = index;
  const postings = start[dim];
  // Memory layout, 8-byte aligned: start | candidate | value | row dims | row weights | sums | row scores.
  const sizes = [(dim + 1) * 4, postings * 4, postings * 4, dim * 4, dim * 8, candidateCount * 8, candidateCount * 4];
  const offsets: number[] = [];
  let bytes = 0;
  for (const size of sizes) {
    offsets.push(bytes);
    bytes += Math.ceil(size / 8) * 8;
  }
  const PAGE = 65536;
  const MAX_PAGES = 65536; // wasm32: 4 GiB
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) {
    throw new RangeError(`The sparse index (${postings} non-zero candidate values) needs ${(bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB a WebAssembly memory holds: score fewer candidates at a time (shards or streaming)`);
  }
  kernelModule ??= new WebAssembly.Module(SPARSE_KERNEL_WASM);
  const instance = new WebAssembly.Instance(kernelModule, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const scoreRow = instance.exports.scoreRow as (...args: number[]) => void;
  memory.grow(Math.max(0, pages - memory.buffer.byteLength / PAGE));
  const [startAt, candidateAt, valueAt, dimsAt, weightsAt, sumsAt, rowAt] = offsets;
  new Int32Array(memory.buffer, startAt, dim + 1).set(start);
  new Int32Array(memory.buffer, candidateAt, postings).set(candidate.subarray(0, postings));
  new Float32Array(memory.buffer, valueAt, postings).set(value.subarray(0, postings));
  const dims = new Int32Array(memory.buffer, dimsAt, dim);
  const weights = new Float64Array(memory.buffer, weightsAt, dim);
  const row = new Float32Array(memory.buffer, rowAt, candidateCount);
  return {
    score(queries, from, to, out) {
      for (let r = from; r < to; r++) {
        let nonZero = 0;
        for (let t = 0, i = r * dim; t < dim; t++, i++) {
          const q = queries[i];
          if (q === 0) continue;
          dims[nonZero] = t;
          weights[nonZero++] = q;
        }
        scoreRow(startAt, candidateAt, valueAt, dimsAt, weightsAt, nonZero, sumsAt, candidateCount, rowAt);
        out.set(row, r * candidateCount);
      }
    },
  };
}

/**
 * Threads that score row ranges against an inverted index in shared memory: the browser's scoring
 * workers or Node's worker_threads. Each scores the rows it is given with a `sparseRowScorer` of the index.
 */
export interface SparseScoringThreads {
  /** How many threads share each query block. */
  readonly count: number;
  /** Hands `index` (SharedArrayBuffer-backed) to every thread under `key`. */
  index(key: number, index: InvertedIndex): Promise<void>;
  /** Thread `thread` scores rows `from .. to` of the shared `queries` into the shared `out`. */
  score(thread: number, job: { key: number; queries: Float32Array; from: number; to: number; out: Float32Array }): Promise<void>;
  /** Lets the index of `key` go in every thread; resolves even where a thread has died. */
  drop(key: number): Promise<void>;
}

/** Names each matmul's index in the threads, so that jobs scoring at once never share one. */
let nextIndexKey = 1;

/**
 * `sparseMatmul` on several threads: one index in shared memory, each query block split into equal
 * row ranges, one per thread. Every row is scored by the same kernel, so the scores are the
 * single-threaded `sparseMatmul`'s bit for bit; only the rows' thread differs.
 */
export function threadedSparseMatmul(threads: () => SparseScoringThreads): ScoreMatmulFactory {
  return async (candidates, candidateCount, dim) => {
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    const index = buildInvertedIndex(candidates, candidateCount, dim, shared);
    const key = nextIndexKey++;
    const pool = threads();
    await pool.index(key, index);
    let queries = new Float32Array(shared(0));
    // Two score buffers in turn (keepsTwoBlocks): the caller ranks one block while the threads fill the other.
    const outs = [new Float32Array(shared(0)), new Float32Array(shared(0))];
    let turn = 0;
    return {
      keepsTwoBlocks: true,
      async scores(block, rows) {
        checkQueries(block, rows, dim);
        turn = 1 - turn;
        if (queries.length < rows * dim) queries = new Float32Array(shared(rows * dim * 4));
        if (outs[turn].length < rows * candidateCount) outs[turn] = new Float32Array(shared(rows * candidateCount * 4));
        const out = outs[turn];
        queries.set(block.subarray(0, rows * dim));
        const share = Math.ceil(rows / pool.count);
        await Promise.all(
          Array.from({ length: pool.count }, (_, i) =>
            pool.score(i, { key, queries, from: Math.min(rows, i * share), to: Math.min(rows, (i + 1) * share), out })),
        );
        return out.subarray(0, rows * candidateCount);
      },
      async dispose() {
        queries = new Float32Array(shared(0));
        outs.fill(new Float32Array(shared(0)));
        await pool.drop(key);
      },
    };
  };
}

export function checkQueries(queries: Float32Array, rows: number, dim: number): void {
  if (queries.length < rows * dim) throw new RangeError(`Query block has ${queries.length} values, expected ${rows} x ${dim}`);
}

/** Fraction of non-zero values: what decides between the sparse and a dense backend. */
export function density(values: Float32Array): number {
  if (values.length === 0) return 0;
  let nonZero = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonZero++;
  return nonZero / values.length;
}

/**
 * At or below this density the sparse backend wins: on full XQuAD-R's lexical vectors (15% of
 * values set) it beats onnxruntime-web's WASM Gemm several times over (docs/benchmarks.md), and its
 * scattered adds cost about ten dense SIMD multiply-adds, so its edge is gone near a third.
 */
export const SPARSE_MAX_DENSITY = 0.25;

/**
 * The automatic choice: `sparse` for candidates at most SPARSE_MAX_DENSITY non-zero, `dense`
 * otherwise, decided per factory call; `onChoice` hears which (the name shown with a run).
 */
export function sparseWhereSparse(
  sparse: ScoreMatmulFactory,
  dense: ScoreMatmulFactory,
  onChoice?: (sparse: boolean, density: number) => void,
): ScoreMatmulFactory {
  return (candidates, candidateCount, dim) => {
    const measured = density(candidates);
    const useSparse = measured <= SPARSE_MAX_DENSITY;
    onChoice?.(useSparse, measured);
    return (useSparse ? sparse : dense)(candidates, candidateCount, dim);
  };
}
