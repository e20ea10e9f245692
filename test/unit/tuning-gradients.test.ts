/**
 * The CPU layer engine (src/core/tuning/cpu-layer.ts) and the tuning loss (loss.ts) against the plain
 * float64 reference (test/support/oracles/tuning.ts) and its central finite differences: no PyTorch
 * needed (tuning-torch.test.ts checks the same against PyTorch's autograd).
 *
 * Tolerances: the engine stores float32, so its output agrees with float64 to ~1e-6 of the largest
 * value (asserted: 2e-6 relative); the loss to 1e-6; each gradient coordinate to 2e-5 of its group's
 * largest gradient (measured: at most 7.7e-6, on the small-residual case's query weights, whose
 * gradients are all below 1e-5 in absolute value; ~6e-7 elsewhere. The finite differences, step
 * 1e-5 in float64, are good to ~1e-11 absolute).
 */
import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../src/core/linalg/random';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import { erf, erfDerivative, gelu, geluDerivative } from '../../src/core/tuning/gelu';
import { LINEAR_NAMES, NORM_NAMES, type LayerShape, type LayerWeights } from '../../src/core/tuning/layer';
import { poolingLoss, poolNormalised } from '../../src/core/tuning/loss';
import { maxRelError } from '../support/numeric';
import { referenceForward, referenceLoss, toReference } from '../support/oracles/tuning';
import { randomInput, randomLayers, tokenRows } from '../support/tuning';

const TAU = 0.1;

interface Case {
  name: string;
  layers: number;
  pooling: 'mean' | 'cls';
  eps: number;
  /** Scale of the input and of the attention output (randomLayers): 0.01 makes the first LayerNorm's variance ~1e-4, where eps 1e-5 matters. */
  scale: number;
}

const SHAPE = { hidden: 16, heads: 4, intermediate: 32 };
const LENGTHS = [5, 3, 4, 2]; // n = 2 pairs, seq 5: three texts padded
const CASES: Case[] = [
  { name: 'one layer, mean pooling, eps 1e-12', layers: 1, pooling: 'mean', eps: 1e-12, scale: 1 },
  { name: 'two layers, CLS pooling, eps 1e-12', layers: 2, pooling: 'cls', eps: 1e-12, scale: 1 },
  { name: 'two layers, mean pooling, eps 1e-5 on a small residual', layers: 2, pooling: 'mean', eps: 1e-5, scale: 0.01 },
];

function setUp(c: Case, seed = 1) {
  const shape: LayerShape = { ...SHAPE, layerNormEps: c.eps };
  const layers = randomLayers(shape, c.layers, seed, c.scale);
  const input = randomInput(LENGTHS, 5, shape.hidden, seed + 1, c.scale);
  return { shape, layers, input, n: LENGTHS.length / 2 };
}

describe('erf and GELU', () => {
  test('erf equals tabulated values to 1e-15', () => {
    // Values from Abramowitz & Stegun table 7.1 / any 20-digit table.
    const table: [number, number][] = [
      [0, 0], [0.01, 0.011283415555849618], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [-1.5, -0.9661051464753108], [2, 0.9953222650189527], [3, 0.9999779095030014], [4.5, 0.9999999998033839], [7, 1],
    ];
    for (const [x, value] of table) expect(Math.abs(erf(x) - value), `erf(${x})`).toBeLessThan(1e-15);
  });

  test('the derivatives equal central differences, and gelu(z) = z·Φ(z) at known points', () => {
    for (const z of [-4, -1.3, -0.2, 0, 0.7, 2.5]) {
      const h = 1e-6;
      expect(Math.abs(erfDerivative(z) - (erf(z + h) - erf(z - h)) / (2 * h))).toBeLessThan(1e-8);
      expect(Math.abs(geluDerivative(z) - (gelu(z + h) - gelu(z - h)) / (2 * h))).toBeLessThan(1e-8);
    }
    // Φ(1) = 0.8413447460685429, Φ(-2) = 0.022750131948179195.
    expect(gelu(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(gelu(-2)).toBeCloseTo(-2 * 0.022750131948179195, 15);
  });
});

describe.each(CASES)('CPU engine, $name', (c) => {
  test('forward output and pooled embeddings equal the float64 reference', async () => {
    const { shape, layers, input } = setUp(c);
    const engine = createCpuLayerEngine(shape);
    const output = await engine.forward(layers, input);
    const expected = referenceForward(layers.map(toReference), input, shape).flat(2);
    // Padded rows' outputs are not the model's (they enter as zeros): tokens only.
    expect(maxRelError(tokenRows(output, input.mask, shape.hidden), tokenRows(expected, input.mask, shape.hidden))).toBeLessThan(2e-6);
    const embeddings = poolNormalised(output, input.mask, input.batch, input.seq, shape.hidden, c.pooling);
    const expectedEmbeddings = poolNormalised(Float32Array.from(expected), input.mask, input.batch, input.seq, shape.hidden, c.pooling);
    expect(maxRelError(embeddings, expectedEmbeddings)).toBeLessThan(2e-6);
  });

  test('loss equals the reference; every parameter group\'s gradient equals central finite differences', async () => {
    const { shape, layers, input, n } = setUp(c);
    const engine = createCpuLayerEngine(shape);
    const { loss, grads } = await engine.forwardBackward(layers, input,
      (output) => poolingLoss(output, input.mask, input.batch, input.seq, shape.hidden, c.pooling, n, TAU));
    const reference = layers.map(toReference);
    const lossOf = () => referenceLoss(reference, input, shape, c.pooling, n, TAU);
    expect(Math.abs(loss - lossOf())).toBeLessThan(1e-6 * Math.abs(lossOf()));
    const random = seededRandom(7);
    for (let k = 0; k < layers.length; k++) {
      for (const [key, values] of Object.entries(reference[k])) {
        const gradient = groupOf(grads[k], key);
        const largest = Math.max(...Array.from(gradient, Math.abs));
        if (key === 'key.bias') {
          // q·bk is the same for every key of a query: the softmax ignores it, so this gradient is 0.
          expect(largest, `layer ${k} key.bias`).toBeLessThan(1e-6);
          continue;
        }
        expect(largest, `layer ${k} ${key}: an all-zero gradient checks nothing`).toBeGreaterThan(1e-8);
        for (let trial = 0; trial < 3; trial++) {
          const i = Math.floor(random() * values.length);
          const saved = values[i];
          const h = 1e-5;
          values[i] = saved + h;
          const up = lossOf();
          values[i] = saved - h;
          const down = lossOf();
          values[i] = saved;
          expect(Math.abs(gradient[i] - (up - down) / (2 * h)), `layer ${k} ${key}[${i}]`).toBeLessThan(2e-5 * largest);
        }
      }
    }
  });
});

test('padding (even NaN or Infinity) reaches neither the tokens\' outputs nor the loss or the gradients', async () => {
  const { shape, layers, input, n } = setUp(CASES[0]);
  const engine = createCpuLayerEngine(shape);
  const lossOf = (output: Float32Array) => poolingLoss(output, input.mask, input.batch, input.seq, shape.hidden, 'mean', n, TAU);
  const before = await engine.forward(layers, input);
  const { loss, grads } = await engine.forwardBackward(layers, input, lossOf);
  const noisy = { ...input, hidden: input.hidden.slice() };
  for (let r = 0; r < input.batch * input.seq; r++) {
    if (input.mask[r] === 0) noisy.hidden.fill([NaN, Infinity, 1e30, -4][r % 4], r * shape.hidden, (r + 1) * shape.hidden);
  }
  const after = await engine.forward(layers, noisy);
  for (let r = 0; r < input.batch * input.seq; r++) {
    if (input.mask[r] === 0) continue;
    expect(Array.from(after.subarray(r * shape.hidden, (r + 1) * shape.hidden))).toEqual(Array.from(before.subarray(r * shape.hidden, (r + 1) * shape.hidden)));
  }
  const noisyRun = await engine.forwardBackward(layers, noisy, (output) => poolingLoss(output, noisy.mask, noisy.batch, noisy.seq, shape.hidden, 'mean', n, TAU));
  expect(noisyRun.loss).toBe(loss);
  // Padded rows enter as zeros whatever they hold (NaN, Infinity, 1e30 here), so nothing changes.
  for (const key of Object.keys(toReference(grads[0]))) expect(Array.from(groupOf(noisyRun.grads[0], key)), key).toEqual(Array.from(groupOf(grads[0], key)));
});

test('the loss: hand-computed for two pairs, and its gradient reaches only the pooled tokens', () => {
  // hidden 2, seq 2; text 0 = question 0 (tokens (1,0),(3,0): mean (2,0) -> u (1,0)); text 1 = question 1,
  // token (0,2) and padding; text 2 = answer 0 (0,1)->(0,1); text 3 = answer 1 ((1,1) -> (1,1)/√2).
  const output = Float32Array.from([1, 0, 3, 0, 0, 2, 9, 9, 0, 1, 9, 9, 1, 1, 1, 1]);
  const mask = Uint8Array.from([1, 1, 1, 0, 1, 0, 1, 1]);
  const { loss, gradient } = poolingLoss(output, mask, 4, 2, 2, 'mean', 2, 1);
  // S = [[0, 1/√2], [1, 1/√2]]: loss = mean(log(e^0 + e^0.7071) − 0, log(e^1 + e^0.7071) − 0.7071)
  const r = Math.SQRT1_2;
  const expected = (Math.log(1 + Math.exp(r)) + Math.log(Math.exp(1) + Math.exp(r)) - r) / 2;
  expect(loss).toBeCloseTo(expected, 6);
  for (const padded of [3, 5]) expect(Array.from(gradient.subarray(padded * 2, padded * 2 + 2))).toEqual([0, 0]);
  // Mean pooling: both tokens of text 0 get the same gradient; CLS: only token 0.
  expect(gradient[0]).toBe(gradient[2]);
  expect(gradient[1]).toBe(gradient[3]);
  const cls = poolingLoss(output, mask, 4, 2, 2, 'cls', 2, 1);
  for (let text = 0; text < 4; text++) expect(Array.from(cls.gradient.subarray((text * 2 + 1) * 2, (text * 2 + 2) * 2))).toEqual([0, 0]);
  expect(() => poolingLoss(output, mask, 4, 2, 2, 'mean', 3, 1)).toThrow(/3 pairs need 6/);
});

test('wrong shapes are refused with what was expected', async () => {
  const { shape, layers, input } = setUp(CASES[0]);
  expect(() => createCpuLayerEngine({ ...shape, heads: 5 })).toThrow(/not a multiple of the 5 attention heads/);
  const engine = createCpuLayerEngine(shape);
  await expect(engine.forward([], input)).rejects.toThrow(/at least one/);
  await expect(engine.forward(layers, { ...input, seq: 4 })).rejects.toThrow(/needs 256/);
  const bad = { ...layers[0], output: { ...layers[0].output, bias: new Float32Array(3) } };
  await expect(engine.forward([bad], input)).rejects.toThrow(/layer 0 output: .* expected \[32, 16\] and \[16\]/);
});

function groupOf(layer: LayerWeights, key: string): Float32Array {
  const [group, param] = key.split('.');
  if ((LINEAR_NAMES as readonly string[]).includes(group)) return layer[group as (typeof LINEAR_NAMES)[number]][param as 'weight' | 'bias'];
  return layer[group as (typeof NORM_NAMES)[number]][param as 'gamma' | 'beta'];
}
