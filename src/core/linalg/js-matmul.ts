import type { ScoreMatmulFactory } from './types';

/** Candidate rows per cache tile: about 128 KiB of candidate vectors stay in L2 while every query quad passes over them. */
const TILE_BYTES = 128 * 1024;

/**
 * The pure-JS backend: `S = Q · Cᵀ`, register-blocked 4 query rows x 4 candidates (16 accumulators in
 * doubles) and tiled over candidates. The fallback where no onnxruntime is available, and the
 * exact backend for tests (small-integer embeddings give exact scores).
 */
export const jsMatmul: ScoreMatmulFactory = async (candidates, candidateCount, dim) => {
  if (candidates.length !== candidateCount * dim) {
    throw new RangeError(`Candidate matrix has ${candidates.length} values, expected ${candidateCount} x ${dim}`);
  }
  let out = new Float32Array(0);
  return {
    async scores(queries, rows) {
      if (queries.length < rows * dim) throw new RangeError(`Query block has ${queries.length} values, expected ${rows} x ${dim}`);
      if (out.length < rows * candidateCount) out = new Float32Array(rows * candidateCount);
      const result = out.subarray(0, rows * candidateCount);
      multiplyTransposed(queries, rows, candidates, candidateCount, dim, result);
      return result;
    },
    async dispose() {
      out = new Float32Array(0);
    },
  };
};

/** out[i * n + j] = q[i] · c[j] for m query rows and n candidate rows of length d (also the trainer's A·Bᵀ). */
export function multiplyTransposed(q: Float32Array, m: number, c: Float32Array, n: number, d: number, out: Float32Array): void {
  const tile = Math.max(4, Math.floor(TILE_BYTES / (4 * d)) & ~3);
  for (let j0 = 0; j0 < n; j0 += tile) {
    const j1 = Math.min(n, j0 + tile);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let j = j0;
      for (; j + 4 <= j1; j += 4) block4x4(q, i, c, j, d, n, out);
      for (; j < j1; j++) for (let r = i; r < i + 4; r++) out[r * n + j] = dot(q, r * d, c, j * d, d);
    }
    for (; i < m; i++) for (let j = j0; j < j1; j++) out[i * n + j] = dot(q, i * d, c, j * d, d);
  }
}

/** Scores query rows i..i+3 against candidates j..j+3: each loaded value is used four times. */
function block4x4(q: Float32Array, i: number, c: Float32Array, j: number, d: number, n: number, out: Float32Array): void {
  const q0 = i * d, q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
  const c0 = j * d, c1 = c0 + d, c2 = c1 + d, c3 = c2 + d;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
  let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
  let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let t = 0; t < d; t++) {
    const a0 = q[q0 + t], a1 = q[q1 + t], a2 = q[q2 + t], a3 = q[q3 + t];
    const b0 = c[c0 + t], b1 = c[c1 + t], b2 = c[c2 + t], b3 = c[c3 + t];
    s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
    s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
    s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
    s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
  }
  const o0 = i * n + j, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
  out[o0] = s00; out[o0 + 1] = s01; out[o0 + 2] = s02; out[o0 + 3] = s03;
  out[o1] = s10; out[o1 + 1] = s11; out[o1 + 2] = s12; out[o1 + 3] = s13;
  out[o2] = s20; out[o2 + 1] = s21; out[o2 + 2] = s22; out[o2 + 3] = s23;
  out[o3] = s30; out[o3 + 1] = s31; out[o3 + 2] = s32; out[o3 + 3] = s33;
}

function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += a[ai + t] * b[bi + t];
  return s;
}

/** mᵀ (cols x rows), into `t` when given (the layer tuner reuses one buffer). */
export function transpose(m: Float32Array, rows: number, cols: number, t = new Float32Array(rows * cols)): Float32Array {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}
