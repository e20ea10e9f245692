/**
 * The projection head's edges (head.ts): settings refused with a reason, the adapter's random start
 * (Gaussian, variance 1 / rank), application over more rows than one block, the export format's
 * base64 against Node's own encoder, and every malformed head file refused with what is wrong.
 * The maths of application is in training-step.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { seededRandom } from '../../src/core/linalg/random';
import { applyHead, base64ToFloat32, float32ToBase64, gaussian, initHead, parseHead, serializeHead, type ProjectionHead } from '../../src/core/training/head';
import { transpose } from '../../src/core/linalg/js-matmul';
import { maxRelError } from '../support/numeric';

describe('initHead', () => {
  test('refuses a dimension or an adapter rank out of range, with the value', () => {
    expect(() => initHead('adapter', 0, 1, 1)).toThrow('Head dim must be a positive integer, got 0');
    expect(() => initHead('linear', 2.5, 1, 1)).toThrow('Head dim must be a positive integer, got 2.5');
    expect(() => initHead('adapter', 8, 0, 1)).toThrow('Adapter rank must be an integer from 1 to 8, got 0');
    expect(() => initHead('adapter', 8, 9, 1)).toThrow('Adapter rank must be an integer from 1 to 8, got 9');
    expect(() => initHead('adapter', 8, 1.5, 1)).toThrow('Adapter rank must be an integer from 1 to 8, got 1.5');
    // The edges are allowed; a linear head ignores the rank (its D is dim x dim).
    expect(initHead('adapter', 1, 1, 1).params.A).toHaveLength(1);
    expect(initHead('adapter', 8, 8, 1).params.A).toHaveLength(64);
    const linear = initHead('linear', 3, 0, 1);
    expect(linear.rank).toBe(3);
    expect(Array.from(linear.params.D)).toEqual(new Array(9).fill(0));
  });

  test("the adapter's A is Gaussian with variance 1 / rank, every entry drawn; B is zero", () => {
    const head = initHead('adapter', 256, 64, 5);
    const A = head.params.A;
    expect(A).toHaveLength(256 * 64);
    let sum = 0;
    let squares = 0;
    let fourth = 0;
    for (const v of A) {
      sum += v;
      squares += v * v;
      fourth += v ** 4;
    }
    const n = A.length;
    const variance = squares / n;
    // 16 384 draws: the mean within 4 standard errors of 0, the variance within 5% of 1/64, and the
    // fourth moment 3 σ⁴ as for a normal distribution (a uniform one would give 1.8 σ⁴).
    expect(Math.abs(sum / n)).toBeLessThan(4 * Math.sqrt(1 / 64 / n));
    expect(Math.abs(variance * 64 - 1)).toBeLessThan(0.05);
    expect(fourth / n / variance ** 2).toBeCloseTo(3, 0);
    expect(A.every((v) => v !== 0)).toBe(true);
    expect(Array.from(head.params.B)).toEqual(new Array(64 * 256).fill(0));
  });

  test('gaussian: standard normal moments', () => {
    const random = seededRandom(9);
    const draws = Array.from({ length: 20_000 }, () => gaussian(random));
    const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
    const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    expect(draws.filter((v) => v < 0).length / draws.length).toBeCloseTo(0.5, 1);
    expect(draws.filter((v) => Math.abs(v) > 1.96).length / draws.length).toBeCloseTo(0.05, 2);
  });
});

describe('applyHead', () => {
  /** The definition, row by row in doubles: z = x + x·D, then z / |z|. */
  function linearByDefinition(D: Float32Array, x: Float32Array, dim: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < x.length / dim; i++) {
      const z = Array.from({ length: dim }, (_, j) => {
        let s = x[i * dim + j];
        for (let t = 0; t < dim; t++) s += x[i * dim + t] * D[t * dim + j];
        return s;
      });
      const norm = Math.hypot(...z);
      out.push(...z.map((v) => (norm > 0 ? v / norm : 0)));
    }
    return out;
  }

  test('over more rows than one block (1024), on the JS kernels and a matmul backend', async () => {
    const dim = 3;
    const rows = 2500;
    const random = seededRandom(4);
    const x = Float32Array.from({ length: rows * dim }, () => random() - 0.5);
    const head: ProjectionHead = { kind: 'linear', dim, rank: dim, params: { D: Float32Array.from({ length: dim * dim }, () => random() - 0.5) } };
    const expected = linearByDefinition(head.params.D, x, dim);
    expect(maxRelError(await applyHead(head, x, rows), expected)).toBeLessThan(1e-5);
    expect(maxRelError(await applyHead(head, x, rows, { matmul: jsMatmul }), expected)).toBeLessThan(1e-5);
    const adapter = initHead('adapter', dim, 2, 3);
    adapter.params.B.set([0.5, -1, 0.25, 2, 0, -0.5]);
    // The adapter as a linear head: D = A·B.
    const D = new Float32Array(dim * dim);
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) for (let r = 0; r < 2; r++) D[i * dim + j] += adapter.params.A[i * 2 + r] * adapter.params.B[r * dim + j];
    const adapterExpected = linearByDefinition(D, x, dim);
    expect(maxRelError(await applyHead(adapter, x, rows), adapterExpected)).toBeLessThan(1e-5);
    expect(maxRelError(await applyHead(adapter, x, rows, { matmul: jsMatmul }), adapterExpected)).toBeLessThan(1e-5);
  });

  test('refuses embeddings of the wrong size, and releases the backend it built', async () => {
    const head = initHead('linear', 4, 4, 1);
    await expect(applyHead(head, new Float32Array(7), 2)).rejects.toThrow('applyHead: expected 2 x 4 values, got 7');
    let disposed = 0;
    const counting: typeof jsMatmul = async (...args) => {
      const inner = await jsMatmul(...args);
      return { ...inner, scores: inner.scores.bind(inner), dispose: async () => { disposed++; await inner.dispose(); } };
    };
    await applyHead(head, new Float32Array(8).fill(1), 2, { matmul: counting });
    await applyHead(initHead('adapter', 4, 2, 1), new Float32Array(8).fill(1), 2, { matmul: counting });
    expect(disposed).toBe(3); // D; A and B
  });

  test('transpose', () => {
    expect(Array.from(transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('export format', () => {
  test('base64 of the little-endian float32 bytes, as Node encodes them, for every padding', () => {
    for (const length of [0, 1, 2, 3, 4, 5]) {
      const values = Float32Array.from({ length }, (_, i) => (i + 1) * -1.375 + i / 7);
      const expected = Buffer.from(values.buffer).toString('base64');
      expect(float32ToBase64(values)).toBe(expected);
      expect(Array.from(base64ToFloat32(expected))).toEqual(Array.from(values));
    }
  });

  test('base64 that is not base64, or not whole float32 values, is refused', () => {
    expect(() => base64ToFloat32('AAA*')).toThrow('Head tensor data is not base64');
    expect(() => base64ToFloat32('AAAAA')).toThrow('Head tensor data is not base64');
    expect(() => base64ToFloat32('=AAA')).toThrow('Head tensor data is not base64');
    expect(() => base64ToFloat32('AA=A')).toThrow('Head tensor data is not base64');
    expect(() => base64ToFloat32(7 as unknown as string)).toThrow('Head tensor data is not base64');
    expect(() => base64ToFloat32('AAA=')).toThrow('Head tensor data is not a whole number of float32 values');
    expect(() => base64ToFloat32('AAAAAAA=')).toThrow('Head tensor data is not a whole number of float32 values');
  });

  test('a malformed head file is refused with what is wrong', () => {
    const head = initHead('adapter', 4, 2, 1, 'lexical');
    const doc = JSON.parse(serializeHead(head));
    const parse = (change: Record<string, unknown>, expect?: { dim?: number; encoder?: string }) => () => parseHead(JSON.stringify({ ...doc, ...change }), expect);
    expect(() => parseHead('null')).toThrow('Not a head file: "format" must be "xling-head"');
    expect(parse({ format: 'other' })).toThrow('Not a head file: "format" must be "xling-head"');
    expect(parse({ version: 2 })).toThrow('Head file version 2 is not supported (expected 1)');
    expect(parse({ kind: 'mlp' })).toThrow('Head kind must be "adapter" or "linear", got "mlp"');
    for (const bad of [{ dim: 0 }, { dim: 2.5 }, { rank: 0 }, { rank: 1.5 }]) {
      expect(parse(bad)).toThrow('Head "dim" and "rank" must be positive integers');
    }
    expect(parse({}, { dim: 4, encoder: 'lexical' })()).toMatchObject({ kind: 'adapter', dim: 4, rank: 2, encoder: 'lexical' });
    expect(parseHead(serializeHead(initHead('adapter', 1, 1, 1))).params.A).toHaveLength(1); // the smallest head
    expect(parse({ encoder: undefined }, { encoder: 'onnx:x' })().encoder).toBeUndefined();
    expect(parse({ tensors: undefined })).toThrow('Head tensor "A" is missing');
    const tensor = (name: string, change: Record<string, unknown>) => ({ tensors: { ...doc.tensors, [name]: { ...doc.tensors[name], ...change } } });
    expect(parse(tensor('A', { dtype: 'float64' }))).toThrow('Head tensor "A" must be float32 of shape [4, 2]');
    expect(parse(tensor('A', { shape: [2, 4] }))).toThrow('Head tensor "A" must be float32 of shape [4, 2]');
    expect(parse(tensor('A', { shape: [3, 2] }))).toThrow('Head tensor "A" must be float32 of shape [4, 2]');
    expect(parse(tensor('B', { shape: [2, 3] }))).toThrow('Head tensor "B" must be float32 of shape [2, 4]');
    expect(parse(tensor('B', { shape: undefined }))).toThrow('Head tensor "B" must be float32 of shape [2, 4]');
    expect(parse(tensor('B', { data: float32ToBase64(new Float32Array(7)) }))).toThrow('Head tensor "B" has 7 values, expected 8');
  });
});
