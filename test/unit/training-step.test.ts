/**
 * The training step: the hand-written loss and gradients (step.ts) against the plain reference
 * (test/support/oracles/training.ts), the reference against finite differences, whole trainer steps (AdamW included)
 * against reference steps, and the head's application and export format.
 */
import { describe, expect, test } from 'vitest';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { randomUnitVectors, seededRandom } from '../../src/core/linalg/random';
import { applyHead, cloneHead, initHead, parseHead, serializeHead, type ProjectionHead } from '../../src/core/training/head';
import { matmulNN, matmulNT, matmulTN } from '../../src/core/training/kernels';
import { learningRateAt } from '../../src/core/training/optimizer';
import { referenceLossAndGradients, referenceState, referenceStep } from '../support/oracles/training';
import { lossAndGradients } from '../../src/core/training/step';
import { createCpuTrainer } from '../../src/core/training/trainer';
import { maxRelError } from '../support/numeric';

const N = 6;
const DIM = 24;
const RANK = 5;
const TAU = 0.1;

/** A batch of 2N unit rows, some sparse like the lexical encoder's, one all zeros (an empty text). */
function batch(seed: number, dim = DIM, n = N): Float32Array {
  const x = randomUnitVectors(2 * n, dim, seededRandom(seed));
  for (let t = 0; t < dim; t++) if (t % 3 !== 0) x[t] = 0; // row 0 sparse (then renormalised)
  let s = 0;
  for (let t = 0; t < dim; t++) s += x[t] * x[t];
  for (let t = 0; t < dim; t++) x[t] /= Math.sqrt(s);
  x.fill(0, (2 * n - 1) * dim, 2 * n * dim); // last answer row: zero
  return x;
}

/** A head away from its start (non-zero B / D), so every gradient term is exercised. */
function randomHead(kind: 'adapter' | 'linear', seed: number): ProjectionHead {
  const head = initHead(kind, DIM, RANK, seed);
  const random = seededRandom(seed + 100);
  for (const p of Object.values(head.params)) for (let i = 0; i < p.length; i++) p[i] += 0.3 * (random() - 0.5);
  return head;
}

function grads(head: ProjectionHead): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(head.params).map(([k, v]) => [k, new Float32Array(v.length)]));
}


describe('kernels', () => {
  // Inner terms taken eight, four and one at a time (one row of the 4 x 6 case has exactly four
  // non-zero terms); 400 (300 non-zero) is more than the kernels' first scratch of 256.
  test.each([[7, 13, 9], [4, 6, 3], [3, 400, 5]])('NN, TN and NT products equal the definition (dense and with zeros), %i x %i x %i', (m, k, n) => {
    const random = seededRandom(3);
    const A = Float32Array.from({ length: m * k }, (_, i) => (i % 4 === 0 ? 0 : random() - 0.5));
    const B = Float32Array.from({ length: k * n }, () => random() - 0.5);
    const At = Float32Array.from({ length: k * m }, (_, i) => A[(i % m) * k + Math.floor(i / m)]);
    const Bt = Float32Array.from({ length: n * k }, (_, i) => B[(i % k) * n + Math.floor(i / k)]);
    const expected = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) expected[i * n + j] += A[i * k + p] * B[p * n + j];
    for (const product of [
      (C: Float32Array) => matmulNN(A, m, k, B, n, C),
      (C: Float32Array) => matmulTN(At, k, m, B, n, C),
      (C: Float32Array) => matmulNT(A, m, k, Bt, n, C),
    ]) {
      const C = new Float32Array(m * n).fill(99);
      product(C);
      expect(maxRelError(C, expected)).toBeLessThan(1e-6);
    }
  });
});

describe('loss and gradients', () => {
  for (const kind of ['adapter', 'linear'] as const) {
    test(`${kind}: the real step's loss and gradients match the reference`, () => {
      const head = randomHead(kind, 1);
      const x = batch(2);
      const g = grads(head);
      const loss = lossAndGradients(head, x, N, TAU, g);
      const ref = referenceLossAndGradients(head, x, N, TAU);
      expect(loss).toBeCloseTo(ref.loss, 5);
      for (const name of Object.keys(head.params)) {
        expect(maxRelError(g[name], ref.grads[name])).toBeLessThan(1e-4);
        expect(Math.max(...Array.from(g[name], Math.abs))).toBeGreaterThan(1e-4);
      }
    });

    test(`${kind}: the reference gradient matches central finite differences`, () => {
      const head = randomHead(kind, 4);
      const x = batch(5);
      const { grads: analytic } = referenceLossAndGradients(head, x, N, TAU);
      const random = seededRandom(6);
      for (const [name, p] of Object.entries(head.params)) {
        for (let trial = 0; trial < 12; trial++) {
          const i = Math.floor(random() * p.length);
          const original = p[i];
          p[i] = original + 1e-2;
          const up = p[i] - original;
          const lossUp = referenceLossAndGradients(head, x, N, TAU).loss;
          p[i] = original - 1e-2;
          const down = original - p[i];
          const lossDown = referenceLossAndGradients(head, x, N, TAU).loss;
          p[i] = original;
          const numeric = (lossUp - lossDown) / (up + down);
          expect(Math.abs(numeric - analytic[name][i])).toBeLessThan(2e-3 * Math.max(1, Math.abs(analytic[name][i])));
        }
      }
    });
  }

  test('a fresh head is the identity: loss is InfoNCE of the raw embeddings', () => {
    const head = initHead('adapter', DIM, RANK, 9);
    const x = batch(10);
    const g = grads(head);
    const loss = lossAndGradients(head, x, N, TAU, g);
    let expected = 0;
    for (let i = 0; i < N; i++) {
      const logits = Array.from({ length: N }, (_, j) => {
        let s = 0;
        for (let t = 0; t < DIM; t++) s += x[i * DIM + t] * x[(N + j) * DIM + t];
        return s / TAU;
      });
      expected += Math.log(logits.reduce((s, v) => s + Math.exp(v), 0)) - logits[i];
    }
    expect(loss).toBeCloseTo(expected / N, 5);
  });
});

describe('trainer steps (AdamW, warm-up) against reference steps', () => {
  for (const kind of ['adapter', 'linear'] as const) {
    test(`${kind}: five steps give the reference's losses and parameters`, async () => {
      const optimizer = { learningRate: 0.01, weightDecay: 0.05, warmupSteps: 2, totalSteps: 5 };
      const trainer = await createCpuTrainer({ head: { kind, rank: RANK }, temperature: TAU, optimizer, seed: 3 }, DIM);
      const ref = await trainer.getHead();
      const state = referenceState(ref);
      for (let step = 0; step < 5; step++) {
        const x = batch(20 + step);
        const loss = await trainer.step(x, N);
        const refLoss = referenceStep(ref, state, x, N, TAU, optimizer);
        expect(loss).toBeCloseTo(refLoss, 5);
      }
      const trained = await trainer.getHead();
      for (const name of Object.keys(ref.params)) expect(maxRelError(trained.params[name], ref.params[name])).toBeLessThan(1e-4);
      // It moved: the adapter's B / the linear D left zero.
      expect(Math.max(...Array.from(trained.params[kind === 'adapter' ? 'B' : 'D'], Math.abs))).toBeGreaterThan(1e-3);
    });
  }

  test('learning rate: linear warm-up, then linear decay to zero', () => {
    const s = { learningRate: 1, weightDecay: 0, warmupSteps: 3, totalSteps: 13 };
    expect([0, 1, 2, 3, 8, 13].map((t) => learningRateAt(t, s))).toEqual([0.25, 0.5, 0.75, 1, 0.5, 0]);
  });

  test('the same seed gives the same trainer, to the bit', async () => {
    const run = async () => {
      const trainer = await createCpuTrainer({ head: { kind: 'adapter', rank: RANK }, temperature: TAU, optimizer: { learningRate: 0.01, weightDecay: 0.01, warmupSteps: 1, totalSteps: 3 }, seed: 11 }, DIM);
      const losses = [];
      for (let step = 0; step < 3; step++) losses.push(await trainer.step(batch(30 + step), N));
      return { losses, head: serializeHead(await trainer.getHead()) };
    };
    expect(await run()).toEqual(await run());
  });
});

describe('head application and export', () => {
  test('apply = (x + delta(x)) / norm, the same on the JS kernels and a matmul backend', async () => {
    for (const kind of ['adapter', 'linear'] as const) {
      const head = randomHead(kind, 12);
      const x = batch(13);
      const rows = 2 * N;
      const plain = await applyHead(head, x, rows);
      const viaBackend = await applyHead(head, x, rows, { matmul: jsMatmul });
      expect(maxRelError(viaBackend, plain)).toBeLessThan(1e-5);
      for (let i = 0; i < rows - 1; i++) {
        let s = 0;
        for (let t = 0; t < DIM; t++) s += plain[i * DIM + t] ** 2;
        expect(s).toBeCloseTo(1, 5);
      }
      expect(Array.from(plain.subarray((rows - 1) * DIM))).toEqual(new Array(DIM).fill(0));
    }
    const identity = initHead('adapter', DIM, RANK, 1);
    const x = batch(14);
    expect(maxRelError(await applyHead(identity, x, 2 * N), x)).toBeLessThan(1e-6);
  });

  test('a hand-computed forward on non-symmetric parameters, on the JS kernels and a matmul backend', async () => {
    // dim 3, rank 2. Rows x: e0 = (1,0,0), e2 = (0,0,1), e1 = (0,1,0).
    const x = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 1, 0]);
    // Adapter A = [[1,0],[0,1],[1,1]], B = [[0,1,0],[0,0,2]]: z = x + (x·A)·B.
    //   e0: x·A = (1,0), (x·A)·B = (0,1,0), z = (1,1,0);  e2: (1,1) -> (0,1,2), z = (0,1,3);
    //   e1: (0,1) -> (0,0,2), z = (0,1,2).
    const adapter: ProjectionHead = { kind: 'adapter', dim: 3, rank: 2, params: { A: Float32Array.from([1, 0, 0, 1, 1, 1]), B: Float32Array.from([0, 1, 0, 0, 0, 2]) } };
    const adapterRows = [[1, 1, 0], [0, 1, 3], [0, 1, 2]];
    // Linear D = [[0,2,0],[0,0,0],[1,0,0]]: z = x + x·D; x·D is x's row of D.
    //   e0: (1,2,0);  e2: (1,0,1);  e1: (0,1,0). (With Dᵀ, e0 would give (1,0,1).)
    const linear: ProjectionHead = { kind: 'linear', dim: 3, rank: 3, params: { D: Float32Array.from([0, 2, 0, 0, 0, 0, 1, 0, 0]) } };
    const linearRows = [[1, 2, 0], [1, 0, 1], [0, 1, 0]];
    const unitRows = (rows: number[][]) => rows.flatMap((r) => r.map((v) => v / Math.hypot(...r)));
    for (const [head, rows] of [[adapter, adapterRows], [linear, linearRows]] as const) {
      expect(maxRelError(await applyHead(head, x, 3), unitRows(rows))).toBeLessThan(1e-6);
      expect(maxRelError(await applyHead(head, x, 3, { matmul: jsMatmul }), unitRows(rows))).toBeLessThan(1e-6);
    }
  });

  test('export and import: the same parameters to the bit; wrong files are refused with a reason', () => {
    const head = { ...randomHead('adapter', 15), encoder: 'lexical' };
    const text = serializeHead(head);
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ format: 'xling-head', version: 1, kind: 'adapter', dim: DIM, rank: RANK, encoder: 'lexical', normalize: true });
    expect(doc.tensors.A.shape).toEqual([DIM, RANK]);
    const back = parseHead(text, { dim: DIM, encoder: 'lexical' });
    expect(back.params.A).toEqual(head.params.A);
    expect(back.params.B).toEqual(head.params.B);
    const linear = cloneHead(randomHead('linear', 16));
    expect(parseHead(serializeHead(linear)).params.D).toEqual(linear.params.D);
    expect(() => parseHead('nope')).toThrow(/not JSON/);
    expect(() => parseHead(text, { dim: 32 })).toThrow(/24-dimensional/);
    expect(() => parseHead(text, { encoder: 'onnx:x' })).toThrow(/trained on encoder "lexical"/);
    expect(() => parseHead(JSON.stringify({ ...doc, tensors: { A: doc.tensors.A } }))).toThrow(/"B" is missing/);
  });
});
