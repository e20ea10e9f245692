/**
 * The training step's mathematics, hand-written (forward and closed-form backward), for the CPU
 * trainer. The batch is n pairs; `x` holds the n question embeddings then the n answer embeddings
 * (2n x dim, row-major). With the head f (head.ts) and u = f(x) / ||f(x)||:
 *
 *   S[i][j] = u_qi · u_pj / τ                          (in-batch negatives: every other answer)
 *   loss    = (1/n) Σ_i ( logsumexp_j S[i][j] - S[i][i] )  (InfoNCE, question -> answer)
 *
 * Backward, with P = softmax over rows of S:
 *   G = (P - I) / (n τ)                  dL/d(u_q·u_p)
 *   dU_q = G · U_p,  dU_p = Gᵀ · U_q
 *   dZ_i = (dU_i - u_i (u_i · dU_i)) / ||z_i||      (through the L2 normalisation)
 *   adapter z = x + (x·A)·B:  dB = Hᵀ·dZ,  dH = dZ·Bᵀ,  dA = Xᵀ·dH   (H = x·A)
 *   linear  z = x + x·D:      dD = Xᵀ·dZ
 *
 * See test/support/oracles/training.ts for the same loss written out with plain loops, which the tests compare this to
 * (and both to finite differences).
 */
import type { ProjectionHead } from './head';
import { matmulNN, matmulNT, matmulTN } from './kernels';

/** Scratch buffers reused from step to step (sized on first use). */
export class StepWorkspace {
  h = new Float32Array(0);
  z = new Float32Array(0);
  u = new Float32Array(0);
  norms = new Float64Array(0);
  s = new Float32Array(0);
  du = new Float32Array(0);
  dh = new Float32Array(0);

  ensure(n: number, dim: number, rank: number): void {
    const rows = 2 * n;
    if (this.z.length < rows * dim) {
      this.z = new Float32Array(rows * dim);
      this.u = new Float32Array(rows * dim);
      this.du = new Float32Array(rows * dim);
      this.norms = new Float64Array(rows);
    }
    if (this.h.length < rows * rank) {
      this.h = new Float32Array(rows * rank);
      this.dh = new Float32Array(rows * rank);
    }
    if (this.s.length < n * n) this.s = new Float32Array(n * n);
  }
}

/**
 * InfoNCE loss of a batch and its gradient with respect to every head parameter, written into
 * `grads` (same names and sizes as head.params). Returns the loss.
 */
export function lossAndGradients(
  head: ProjectionHead,
  x: Float32Array,
  n: number,
  temperature: number,
  grads: Record<string, Float32Array>,
  ws: StepWorkspace = new StepWorkspace(),
): number {
  const { dim, rank } = head;
  const rows = 2 * n;
  ws.ensure(n, dim, head.kind === 'adapter' ? rank : 0);
  const z = ws.z.subarray(0, rows * dim);
  const h = ws.h.subarray(0, rows * (head.kind === 'adapter' ? rank : 0));

  // Forward: z = x + delta(x).
  if (head.kind === 'adapter') {
    matmulNN(x, rows, dim, head.params.A, rank, h);
    matmulNN(h, rows, rank, head.params.B, dim, z);
  } else {
    matmulNN(x, rows, dim, head.params.D, dim, z);
  }
  for (let t = 0; t < rows * dim; t++) z[t] += x[t];
  const { loss, dz } = normalisedInfoNce(z, n, dim, temperature, ws);

  // Backward to the parameters.
  if (head.kind === 'adapter') {
    const dh = ws.dh.subarray(0, rows * rank);
    matmulTN(h, rows, rank, dz, dim, grads.B);
    matmulNT(dz, rows, dim, head.params.B, rank, dh);
    matmulTN(x, rows, dim, dh, rank, grads.A);
  } else {
    matmulTN(x, rows, dim, dz, dim, grads.D);
  }
  return loss;
}

/**
 * The loss half of the step, shared with the layer tuner (tuning/loss.ts): L2-normalise the 2n rows of
 * `z` (n questions then n answers; a zero row stays zero), the InfoNCE loss of the normalised rows, and
 * d loss / d z, returned as a view of the workspace's `du` (valid until the workspace's next use).
 */
export function normalisedInfoNce(
  z: Float32Array,
  n: number,
  dim: number,
  temperature: number,
  ws: StepWorkspace,
): { loss: number; dz: Float32Array } {
  const rows = 2 * n;
  ws.ensure(n, dim, 0);
  const u = ws.u.subarray(0, rows * dim);
  const du = ws.du.subarray(0, rows * dim);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let t = i * dim; t < (i + 1) * dim; t++) s += z[t] * z[t];
    const norm = Math.sqrt(s);
    ws.norms[i] = norm;
    const scale = norm > 0 ? 1 / norm : 0;
    for (let t = i * dim; t < (i + 1) * dim; t++) u[t] = z[t] * scale;
  }
  const uq = u.subarray(0, n * dim);
  const up = u.subarray(n * dim, rows * dim);
  const s = ws.s.subarray(0, n * n);
  matmulNT(uq, n, dim, up, n, s);

  // Softmax cross-entropy per row; s becomes G = (P - I) / (n τ).
  let loss = 0;
  const invT = 1 / temperature;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, s[i * n + j] * invT);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(s[i * n + j] * invT - max);
    const lse = max + Math.log(sum);
    loss += lse - s[i * n + i] * invT;
    for (let j = 0; j < n; j++) {
      const p = Math.exp(s[i * n + j] * invT - lse);
      s[i * n + j] = ((p - (i === j ? 1 : 0)) * invT) / n;
    }
  }
  loss /= n;

  // Backward to the normalised rows, then through the normalisation.
  matmulNN(s, n, n, up, dim, du.subarray(0, n * dim));
  matmulTN(s, n, n, uq, dim, du.subarray(n * dim, rows * dim));
  const dz = du; // in place
  for (let i = 0; i < rows; i++) {
    const norm = ws.norms[i];
    if (norm === 0) {
      dz.fill(0, i * dim, (i + 1) * dim);
      continue;
    }
    let dot = 0;
    for (let t = i * dim; t < (i + 1) * dim; t++) dot += u[t] * du[t];
    const inv = 1 / norm;
    for (let t = i * dim; t < (i + 1) * dim; t++) dz[t] = (du[t] - u[t] * dot) * inv;
  }

  return { loss, dz };
}
