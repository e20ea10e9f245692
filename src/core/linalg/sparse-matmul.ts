import { rowKernel, type InvertedIndex, type RowKernelSource } from './row-kernels';
import { transpose } from './js-matmul';
import type { ScoreMatmul, ScoreMatmulFactory } from './types';

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
export const sparseMatmul: ScoreMatmulFactory = async (candidates, candidateCount, dim) =>
  rowsOnThisThread({ kind: 'index', index: buildInvertedIndex(candidates, candidateCount, dim) }, dim, candidateCount);

/** Mostly-zero rows times a dense matrix (`inner x width`) on this thread: `scores(x, rows)` returns `x · matrix` (row-kernels.ts). */
export async function sparseDense(matrix: Float32Array, inner: number, width: number): Promise<ScoreMatmul> {
  return rowsOnThisThread({ kind: 'matrix', matrix, inner, width }, inner, width);
}

/** A row kernel on the calling thread: blocks of rows `inner` wide in, `width` wide out. */
function rowsOnThisThread(source: RowKernelSource, inner: number, width: number): ScoreMatmul {
  const kernel = rowKernel(source);
  let out = new Float32Array(0);
  return {
    async scores(rows, count) {
      checkQueries(rows, count, inner);
      if (out.length < count * width) out = new Float32Array(count * width);
      kernel.score(rows, 0, count, out);
      return out.subarray(0, count * width);
    },
    async dispose() {
      out = new Float32Array(0);
    },
  };
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

/**
 * Threads that compute row ranges with a row kernel (row-kernels.ts) in shared memory: the browser's
 * scoring workers or Node's worker_threads.
 */
export interface SparseScoringThreads {
  /** How many threads share each block of rows. */
  readonly count: number;
  /** Hands a row kernel's source (SharedArrayBuffer-backed) to every thread under `key`. */
  install(key: number, source: RowKernelSource): Promise<void>;
  /** Thread `thread` computes rows `from .. to` of the shared `queries` into the shared `out`. */
  score(thread: number, job: { key: number; queries: Float32Array; from: number; to: number; out: Float32Array }): Promise<void>;
  /** Lets the kernel of `key` go in every thread; resolves even where a thread has died. */
  drop(key: number): Promise<void>;
}

/** Names each product's kernel in the threads, so that jobs at once never share one. */
let nextKernelKey = 1;

const shared = (bytes: number) => new SharedArrayBuffer(bytes);

/**
 * A row kernel on several threads: each block of rows split into equal ranges, one per thread, into
 * one of two shared output buffers in turn (keepsTwoBlocks: the caller reads one block while the
 * threads fill the other). Every row goes through the same kernel, so the results are the
 * single-threaded kernel's bit for bit; only the rows' thread differs.
 */
async function threadedRows(pool: SparseScoringThreads, source: RowKernelSource, inner: number, width: number): Promise<ScoreMatmul> {
  const key = nextKernelKey++;
  await pool.install(key, source);
  let queries = new Float32Array(shared(0));
  const outs = [new Float32Array(shared(0)), new Float32Array(shared(0))];
  let turn = 0;
  return {
    keepsTwoBlocks: true,
    async scores(block, rows) {
      checkQueries(block, rows, inner);
      turn = 1 - turn;
      if (queries.length < rows * inner) queries = new Float32Array(shared(rows * inner * 4));
      if (outs[turn].length < rows * width) outs[turn] = new Float32Array(shared(rows * width * 4));
      const out = outs[turn];
      queries.set(block.subarray(0, rows * inner));
      const share = Math.ceil(rows / pool.count);
      await Promise.all(
        Array.from({ length: pool.count }, (_, i) =>
          pool.score(i, { key, queries, from: Math.min(rows, i * share), to: Math.min(rows, (i + 1) * share), out })),
      );
      return out.subarray(0, rows * width);
    },
    async dispose() {
      queries = new Float32Array(shared(0));
      outs.fill(new Float32Array(shared(0)));
      await pool.drop(key);
    },
  };
}

/** `sparseMatmul` on several threads: one inverted index in shared memory. */
export function threadedSparseMatmul(threads: () => SparseScoringThreads): ScoreMatmulFactory {
  return async (candidates, candidateCount, dim) =>
    threadedRows(threads(), { kind: 'index', index: buildInvertedIndex(candidates, candidateCount, dim, shared) }, dim, candidateCount);
}

/**
 * Mostly-zero rows times a dense matrix (`inner x width`, row-major) on several threads
 * (`sparseDenseRows` in row-kernels.ts): `scores(x, rows)` returns `x · matrix`.
 */
export function threadedSparseDense(threads: () => SparseScoringThreads) {
  return (matrix: Float32Array, inner: number, width: number): Promise<ScoreMatmul> => {
    const inShared = new Float32Array(shared(matrix.length * 4));
    inShared.set(matrix);
    return threadedRows(threads(), { kind: 'matrix', matrix: inShared, inner, width }, inner, width);
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

/**
 * A dense product whose mostly-zero query blocks go to `sparseRows` instead: x · Cᵀ by x's non-zero
 * values only. This is the lexical encoder's vectors through a head (applyHead asks for x · D as
 * "queries" x against "candidates" Dᵀ): 15% of the work on XQuAD-R. Dense query blocks (transformer
 * embeddings, projected vectors) stay on `dense`, made only when one comes. `onSparseRows` hears
 * each block sent the sparse way.
 */
export function sparseRowsWhereSparse(
  sparseRows: (matrix: Float32Array, inner: number, width: number) => Promise<ScoreMatmul>,
  dense: ScoreMatmulFactory,
  onSparseRows?: () => void,
): ScoreMatmulFactory {
  return async (candidates, candidateCount, dim) => {
    let denseProduct: Promise<ScoreMatmul> | null = null;
    let sparseProduct: Promise<ScoreMatmul> | null = null;
    return {
      async scores(queries, rows) {
        if (density(queries.subarray(0, rows * dim)) > SPARSE_MAX_DENSITY) {
          denseProduct ??= dense(candidates, candidateCount, dim);
          return (await denseProduct).scores(queries, rows);
        }
        onSparseRows?.();
        sparseProduct ??= sparseRows(transpose(candidates, candidateCount, dim), dim, candidateCount);
        return (await sparseProduct).scores(queries, rows);
      },
      async dispose() {
        await Promise.all([denseProduct, sparseProduct].map(async (product) => (await product?.catch(() => null))?.dispose()));
      },
    };
  };
}
