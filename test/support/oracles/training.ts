/**
 * The plain reference of one training step: the definitions of step.ts and optimizer.ts written out
 * with nested loops over number[][] in double precision, no workspace, no blocking, no sparsity
 * tricks. It exists to be obviously correct: the tests check the real step's loss and gradients
 * against it (and it against finite differences), and the training benchmark times it beside the
 * real step in the same run.
 */
import type { ProjectionHead } from '../../../src/core/training/head';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, learningRateAt, type OptimizerSettings } from '../../../src/core/training/optimizer';

type Matrix = number[][];

function toMatrix(values: Float32Array, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, i) => Array.from(values.subarray(i * cols, (i + 1) * cols)));
}

function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const out = zeros(a.length, b[0].length);
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < b[0].length; j++) {
      let s = 0;
      for (let k = 0; k < b.length; k++) s += a[i][k] * b[k][j];
      out[i][j] = s;
    }
  return out;
}

function transposed(a: Matrix): Matrix {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

/** Loss and gradients (as flat Float64Arrays keyed like head.params) by the definitions. */
export function referenceLossAndGradients(
  head: ProjectionHead,
  x: Float32Array,
  n: number,
  temperature: number,
): { loss: number; grads: Record<string, Float64Array> } {
  const d = head.dim;
  const X = toMatrix(x, 2 * n, d);
  // Forward.
  let H: Matrix = [];
  let Z: Matrix;
  if (head.kind === 'adapter') {
    const A = toMatrix(head.params.A, d, head.rank);
    const B = toMatrix(head.params.B, head.rank, d);
    H = multiply(X, A);
    const HB = multiply(H, B);
    Z = X.map((row, i) => row.map((v, j) => v + HB[i][j]));
  } else {
    const D = toMatrix(head.params.D, d, d);
    const XD = multiply(X, D);
    Z = X.map((row, i) => row.map((v, j) => v + XD[i][j]));
  }
  const norms = Z.map((row) => Math.sqrt(row.reduce((s, v) => s + v * v, 0)));
  const U = Z.map((row, i) => row.map((v) => (norms[i] > 0 ? v / norms[i] : 0)));
  const logits = zeros(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += U[i][t] * U[n + j][t];
      logits[i][j] = s / temperature;
    }
  let loss = 0;
  const P = zeros(n, n);
  for (let i = 0; i < n; i++) {
    const max = Math.max(...logits[i]);
    const sum = logits[i].reduce((s, v) => s + Math.exp(v - max), 0);
    loss += max + Math.log(sum) - logits[i][i];
    for (let j = 0; j < n; j++) P[i][j] = Math.exp(logits[i][j] - max) / sum;
  }
  loss /= n;

  // Backward, one definition at a time.
  const dLogits = P.map((row, i) => row.map((p, j) => (p - (i === j ? 1 : 0)) / n));
  const dU = zeros(2 * n, d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let t = 0; t < d; t++) {
        dU[i][t] += (dLogits[i][j] * U[n + j][t]) / temperature;
        dU[n + j][t] += (dLogits[i][j] * U[i][t]) / temperature;
      }
  // u = z / |z|  =>  du_a/dz_b = (δ_ab - u_a u_b) / |z|
  const dZ = zeros(2 * n, d);
  for (let i = 0; i < 2 * n; i++) {
    if (norms[i] === 0) continue;
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += dU[i][a] * ((a === b ? 1 : 0) - U[i][a] * U[i][b]);
      dZ[i][b] = s / norms[i];
    }
  }
  const flat = (m: Matrix) => Float64Array.from(m.flat());
  if (head.kind === 'adapter') {
    const B = toMatrix(head.params.B, head.rank, d);
    const dB = multiply(transposed(H), dZ);
    const dH = multiply(dZ, transposed(B));
    const dA = multiply(transposed(X), dH);
    return { loss, grads: { A: flat(dA), B: flat(dB) } };
  }
  return { loss, grads: { D: flat(multiply(transposed(X), dZ)) } };
}

/** Optimiser state of the reference: first and second moments per parameter, in doubles. */
export interface ReferenceState {
  step: number;
  m: Record<string, Float64Array>;
  v: Record<string, Float64Array>;
}

export function referenceState(head: ProjectionHead): ReferenceState {
  const m: Record<string, Float64Array> = {};
  const v: Record<string, Float64Array> = {};
  for (const [name, p] of Object.entries(head.params)) {
    m[name] = new Float64Array(p.length);
    v[name] = new Float64Array(p.length);
  }
  return { step: 0, m, v };
}

/** One full reference step: loss and gradients by definition, then AdamW written out. Updates head in place. */
export function referenceStep(
  head: ProjectionHead,
  state: ReferenceState,
  x: Float32Array,
  n: number,
  temperature: number,
  optimizer: OptimizerSettings,
): number {
  const { loss, grads } = referenceLossAndGradients(head, x, n, temperature);
  const lr = learningRateAt(state.step, optimizer);
  state.step++;
  const t = state.step;
  const b1 = optimizer.beta1 ?? ADAM_BETA1;
  const b2 = optimizer.beta2 ?? ADAM_BETA2;
  const eps = optimizer.epsilon ?? ADAM_EPSILON;
  for (const [name, p] of Object.entries(head.params)) {
    const g = grads[name];
    const m = state.m[name];
    const v = state.v[name];
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - Math.pow(b1, t));
      const vHat = v[i] / (1 - Math.pow(b2, t));
      p[i] = p[i] - lr * (mHat / (Math.sqrt(vHat) + eps)) - lr * optimizer.weightDecay * p[i];
    }
  }
  return loss;
}
