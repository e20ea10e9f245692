/**
 * Dense float32 matrix kernels for the CPU trainer, row-major, written for V8: typed arrays, flat
 * loops, a 4 x 4 register block for inner products, and axpy loops (unit stride) for the rest. The
 * axpy forms skip zero multipliers, which is what makes the built-in lexical encoder cheap: its
 * hashed n-gram vectors are ~90% zeros, so `X·A` and `Xᵀ·dH` touch only the non-zero entries.
 *
 * Every kernel overwrites its output (no accumulation across calls) unless it says otherwise.
 */

import { multiplyTransposed } from '../linalg/js-matmul';

/** C (m x n) = A (m x k) · B (k x n). */
export function matmulNN(A: Float32Array, m: number, k: number, B: Float32Array, n: number, C: Float32Array): void {
  for (let i = 0; i < m; i++) axpyRows(A, i * k, 1, k, B, n, C, i * n);
}

/** C (m x n) = Aᵀ · B for A (k x m) and B (k x n). */
export function matmulTN(A: Float32Array, k: number, m: number, B: Float32Array, n: number, C: Float32Array): void {
  for (let i = 0; i < m; i++) axpyRows(A, i, m, k, B, n, C, i * n);
}

let nonZero = new Int32Array(256);

/**
 * C[c0 .. c0 + n) = Σ_p a_p · B[p, :] with a_p = A[a0 + p * stride], p < k: the non-zero a_p are
 * collected first, then eight (or four) rows of B are added per pass over the output row (one load and
 * store of C per eight multiply-adds instead of per one).
 */
function axpyRows(A: Float32Array, a0: number, stride: number, k: number, B: Float32Array, n: number, C: Float32Array, c0: number): void {
  if (nonZero.length < k) nonZero = new Int32Array(k);
  const idx = nonZero;
  let count = 0;
  for (let p = 0; p < k; p++) if (A[a0 + p * stride] !== 0) idx[count++] = p;
  C.fill(0, c0, c0 + n);
  let q = 0;
  for (; q + 8 <= count; q += 8) {
    const p0 = idx[q], p1 = idx[q + 1], p2 = idx[q + 2], p3 = idx[q + 3];
    const p4 = idx[q + 4], p5 = idx[q + 5], p6 = idx[q + 6], p7 = idx[q + 7];
    const x0 = A[a0 + p0 * stride], x1 = A[a0 + p1 * stride], x2 = A[a0 + p2 * stride], x3 = A[a0 + p3 * stride];
    const x4 = A[a0 + p4 * stride], x5 = A[a0 + p5 * stride], x6 = A[a0 + p6 * stride], x7 = A[a0 + p7 * stride];
    const b0 = p0 * n, b1 = p1 * n, b2 = p2 * n, b3 = p3 * n, b4 = p4 * n, b5 = p5 * n, b6 = p6 * n, b7 = p7 * n;
    for (let j = 0; j < n; j++) {
      C[c0 + j] += x0 * B[b0 + j] + x1 * B[b1 + j] + x2 * B[b2 + j] + x3 * B[b3 + j] +
        x4 * B[b4 + j] + x5 * B[b5 + j] + x6 * B[b6 + j] + x7 * B[b7 + j];
    }
  }
  for (; q + 4 <= count; q += 4) {
    const p0 = idx[q], p1 = idx[q + 1], p2 = idx[q + 2], p3 = idx[q + 3];
    const x0 = A[a0 + p0 * stride], x1 = A[a0 + p1 * stride], x2 = A[a0 + p2 * stride], x3 = A[a0 + p3 * stride];
    const b0 = p0 * n, b1 = p1 * n, b2 = p2 * n, b3 = p3 * n;
    for (let j = 0; j < n; j++) C[c0 + j] += x0 * B[b0 + j] + x1 * B[b1 + j] + x2 * B[b2 + j] + x3 * B[b3 + j];
  }
  for (; q < count; q++) {
    const p = idx[q];
    const x = A[a0 + p * stride];
    const b = p * n;
    for (let j = 0; j < n; j++) C[c0 + j] += x * B[b + j];
  }
}

/** C (m x n) = A (m x k) · Bᵀ for B (n x k): the scoring kernel's inner products (4 x 4 blocked, doubles). */
export function matmulNT(A: Float32Array, m: number, k: number, B: Float32Array, n: number, C: Float32Array): void {
  multiplyTransposed(A, m, B, n, k, C);
}

/** Rows `rows[i]` of `source` (row length d) copied into `out` one after another, from output row `at`. */
export function gatherRows(source: Float32Array, d: number, rows: ArrayLike<number>, out: Float32Array, at = 0): void {
  for (let i = 0; i < rows.length; i++) out.set(source.subarray(rows[i] * d, rows[i] * d + d), (at + i) * d);
}
