/**
 * Row kernels: what one thread computes for a range of rows, in WebAssembly (sparse-kernel.wat),
 * over its own copy of what it works against. Two kinds:
 * - `index`: query rows scored against an inverted index of the candidates (the exact sparse scoring,
 *   sparse-matmul.ts): the JS kernel's float64 sums in the same order, so bit for bit its scores.
 * - `matrix`: mostly-zero rows times a dense matrix, visiting only each row's non-zero values (the
 *   lexical encoder's vectors through a trained head): float32 sums over those values in ascending
 *   order, four columns at a time, the same numbers in every runtime.
 */
import { SPARSE_KERNEL_WASM } from './sparse-kernel-wasm';

/** Per dimension (built by sparse-matmul.ts, buildInvertedIndex), the candidates with a non-zero value there (in candidate order) and the values. */
export interface InvertedIndex {
  candidateCount: number;
  dim: number;
  /** Postings of dimension t: `start[t] .. start[t + 1]`. */
  start: Int32Array;
  candidate: Int32Array;
  value: Float32Array;
}

export type RowKernelSource =
  | { kind: 'index'; index: InvertedIndex }
  | { kind: 'matrix'; matrix: Float32Array; inner: number; width: number };

export interface RowKernel {
  /** Rows `from .. to` of `rows` (row-major, `inner` wide) into `out` at the same rows (`width` wide). */
  score(rows: Float32Array, from: number, to: number, out: Float32Array): void;
}

export function rowKernel(source: RowKernelSource): RowKernel {
  return source.kind === 'index' ? sparseRowScorer(source.index) : sparseDenseRows(source.matrix, source.inner, source.width);
}

interface KernelInstance {
  memory: WebAssembly.Memory;
  /** Byte offsets, 8-byte aligned, of the arrays asked for, in order. */
  offsets: number[];
  scoreRow(start: number, candidate: number, value: number, dims: number, weights: number, nonZero: number, sums: number, candidates: number, out: number): void;
  sparseTimesDense(starts: number, entryRows: number, entryWeights: number, inner: number, matrix: number, width: number, out: number): void;
}

const PAGE = 65536;
/** wasm32: 65,536 pages of 64 KiB, 4 GiB. */
const MAX_PAGES = 65536;
let compiled: WebAssembly.Module | null = null;

/** An instance whose memory holds arrays of `sizes` bytes; `what` names them when they do not fit. */
function kernelInstance(sizes: number[], what: string): KernelInstance {
  const offsets: number[] = [];
  let bytes = 0;
  for (const size of sizes) {
    offsets.push(bytes);
    bytes += Math.ceil(size / 8) * 8;
  }
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) {
    throw new RangeError(`${what} needs ${(bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB a WebAssembly memory holds: work on fewer candidates at a time (shards or streaming)`);
  }
  compiled ??= new WebAssembly.Module(SPARSE_KERNEL_WASM);
  const { exports } = new WebAssembly.Instance(compiled, {});
  const memory = exports.memory as WebAssembly.Memory;
  memory.grow(Math.max(0, pages - memory.buffer.byteLength / PAGE));
  return {
    memory,
    offsets,
    scoreRow: exports.scoreRow as KernelInstance['scoreRow'],
    sparseTimesDense: exports.sparseTimesDense as KernelInstance['sparseTimesDense'],
  };
}

/** Query rows against an inverted index: about 2.5x faster than the same loop in JavaScript (docs/benchmarks.md). */
function sparseRowScorer(index: InvertedIndex): RowKernel {
  const { start, candidate, value, dim, candidateCount } = index;
  const postings = start[dim];
  // start | candidate | value | row dims | row weights | sums | row scores
  const sizes = [(dim + 1) * 4, postings * 4, postings * 4, dim * 4, dim * 8, candidateCount * 8, candidateCount * 4];
  const { memory, offsets, scoreRow } = kernelInstance(sizes, `The sparse index (${postings} non-zero candidate values)`);
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

/** Rows multiplied together: the kernel reads each matrix row once for all of them. */
const BLOCK_ROWS = 32;

/** Mostly-zero rows times `matrix` (row-major, inner x width). */
function sparseDenseRows(matrix: Float32Array, inner: number, width: number): RowKernel {
  if (matrix.length !== inner * width) throw new RangeError(`Matrix has ${matrix.length} values, expected ${inner} x ${width}`);
  const entries = BLOCK_ROWS * inner;
  // matrix | starts | entry rows | entry weights | out block
  const { memory, offsets, sparseTimesDense } = kernelInstance(
    [inner * width * 4, (inner + 1) * 4, entries * 4, entries * 4, BLOCK_ROWS * width * 4],
    `A ${inner} x ${width} matrix`,
  );
  const [matrixAt, startsAt, rowsAt, weightsAt, outAt] = offsets;
  new Float32Array(memory.buffer, matrixAt, inner * width).set(matrix);
  const starts = new Int32Array(memory.buffer, startsAt, inner + 1);
  const entryRows = new Int32Array(memory.buffer, rowsAt, entries);
  const entryWeights = new Float32Array(memory.buffer, weightsAt, entries);
  const block = new Float32Array(memory.buffer, outAt, BLOCK_ROWS * width);
  const fill = new Int32Array(inner);
  return {
    score(x, from, to, out) {
      for (let first = from; first < to; first += BLOCK_ROWS) {
        const n = Math.min(BLOCK_ROWS, to - first);
        // The block's non-zero values grouped by column t (a counting sort), rows ascending within one.
        starts.fill(0);
        for (let i = first * inner; i < (first + n) * inner; i++) if (x[i] !== 0) starts[(i % inner) + 1]++;
        for (let t = 0; t < inner; t++) starts[t + 1] += starts[t];
        fill.set(starts.subarray(0, inner));
        for (let r = 0; r < n; r++) {
          for (let t = 0, i = (first + r) * inner; t < inner; t++, i++) {
            const v = x[i];
            if (v === 0) continue;
            const p = fill[t]++;
            entryRows[p] = r;
            entryWeights[p] = v;
          }
        }
        block.fill(0, 0, n * width);
        sparseTimesDense(startsAt, rowsAt, weightsAt, inner, matrixAt, width, outAt);
        out.set(block.subarray(0, n * width), first * width);
      }
    },
  };
}
