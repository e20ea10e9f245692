/**
 * The onnxruntime layer engine (src/core/tuning/ort-engine.ts: generated forward and backward graphs)
 * on onnxruntime-node, against the plain float64 reference (test/support/oracles/tuning.ts) and its
 * central finite differences, and against the CPU engine (cpu-layer.ts), which shares no code with it.
 *
 * Tolerances: float32 graphs, so the output agrees with float64 to ~1e-6 of the largest value
 * (asserted 2e-6); gradients are checked twice per parameter group: along one random direction over
 * the whole group (d loss · v against (L(θ + hv) − L(θ − hv)) / 2h, to 1e-4 of |grad|·|v|) and at four
 * coordinates, one of them the largest (to 2e-5 of the group's largest gradient, as the CPU engine's
 * test). Against the CPU engine, every coordinate to 1e-4 of the group's largest (both float32,
 * different summation orders).
 */
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { seededRandom } from '../../src/core/linalg/random';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import type { LayerShape } from '../../src/core/tuning/layer';
import { poolingLoss } from '../../src/core/tuning/loss';
import { createOrtLayerEngine } from '../../src/core/tuning/ort-engine';
import { maxRelError } from '../support/numeric';
import { referenceForward, referenceLoss, toReference } from '../support/oracles/tuning';
import { randomInput, randomLayers } from '../support/tuning';

const TAU = 0.1;
const LENGTHS = [5, 3, 4, 2]; // 2 pairs, seq 5: three texts padded

interface Case { name: string; layers: number; eps: number; scale: number }
const CASES: Case[] = [
  { name: 'one layer, eps 1e-12', layers: 1, eps: 1e-12, scale: 1 },
  { name: 'two layers, eps 1e-12', layers: 2, eps: 1e-12, scale: 1 },
  // A first residual of variance ~1e-4, where eps 1e-5 moves the LayerNorm (randomLayers' residualScale).
  { name: 'two layers, eps 1e-5 on a small residual', layers: 2, eps: 1e-5, scale: 0.01 },
];

const engines: { dispose(): Promise<void> }[] = [];
afterAll(async () => {
  for (const engine of engines) await engine.dispose();
});

function setUp(c: Case) {
  const shape: LayerShape = { hidden: 16, heads: 2, intermediate: 32, layerNormEps: c.eps };
  const layers = randomLayers(shape, c.layers, 3, c.scale);
  const input = randomInput(LENGTHS, 5, shape.hidden, 4, c.scale);
  const engine = createOrtLayerEngine(ort, shape, { backend: 'ort-node', executionProviders: ['cpu'], threads: 1 });
  engines.push(engine);
  const lossOf = (output: Float32Array) => poolingLoss(output, input.mask, input.batch, input.seq, shape.hidden, 'mean', LENGTHS.length / 2, TAU);
  return { shape, layers, input, engine, lossOf };
}

describe.each(CASES)('onnxruntime-node engine, $name', (c) => {
  test('forward output equals the float64 reference', async () => {
    const { shape, layers, input, engine } = setUp(c);
    const output = await engine.forward(layers, input);
    const expected = referenceForward(layers.map(toReference), input, shape).flat(2);
    const tokens = (values: ArrayLike<number>) => Array.from(values).filter((_, i) => input.mask[Math.floor(i / shape.hidden)] !== 0);
    expect(maxRelError(tokens(output), tokens(expected))).toBeLessThan(2e-6);
  });

  test('every parameter group\'s gradient equals central finite differences of the reference loss', async () => {
    const { shape, layers, input, engine, lossOf } = setUp(c);
    const { loss, grads } = await engine.forwardBackward(layers, input, lossOf);
    const reference = layers.map(toReference);
    const referenceLossOf = () => referenceLoss(reference, input, shape, 'mean', LENGTHS.length / 2, TAU);
    expect(Math.abs(loss - referenceLossOf())).toBeLessThan(1e-6 * Math.abs(referenceLossOf()));
    const random = seededRandom(11);
    const h = 1e-5;
    for (let k = 0; k < layers.length; k++) {
      for (const [key, values] of Object.entries(reference[k])) {
        const gradient = toReference(grads[k])[key];
        const largest = Math.max(...Array.from(gradient, Math.abs));
        if (key === 'key.bias') {
          // q·bk is the same for every key of a query: the softmax ignores it, so this gradient is 0.
          expect(largest, `layer ${k} key.bias`).toBeLessThan(1e-6);
          continue;
        }
        expect(largest, `layer ${k} ${key}: an all-zero gradient checks nothing`).toBeGreaterThan(1e-8);
        const direction = Float64Array.from(values, () => 2 * random() - 1);
        const saved = values.slice();
        const lossAlong = (step: number) => {
          for (let i = 0; i < values.length; i++) values[i] = saved[i] + step * direction[i];
          return referenceLossOf();
        };
        const numeric = (lossAlong(h) - lossAlong(-h)) / (2 * h);
        values.set(saved);
        const analytic = gradient.reduce((sum, g, i) => sum + g * direction[i], 0);
        const norm = Math.hypot(...gradient) * Math.hypot(...direction);
        expect(Math.abs(analytic - numeric), `layer ${k} ${key} along a random direction`).toBeLessThan(1e-4 * norm);
        const argmax = gradient.findIndex((g) => Math.abs(g) === largest);
        for (const i of [argmax, ...[0, 1, 2].map(() => Math.floor(random() * values.length))]) {
          values[i] = saved[i] + h;
          const up = referenceLossOf();
          values[i] = saved[i] - h;
          const down = referenceLossOf();
          values[i] = saved[i];
          expect(Math.abs(gradient[i] - (up - down) / (2 * h)), `layer ${k} ${key}[${i}]`).toBeLessThan(2e-5 * largest);
        }
      }
    }
  });

  test('output and every gradient coordinate equal the CPU engine\'s', async () => {
    const { shape, layers, input, engine, lossOf } = setUp(c);
    const cpu = createCpuLayerEngine(shape);
    engines.push(cpu);
    const [ortRun, cpuRun] = [await engine.forwardBackward(layers, input, lossOf), await cpu.forwardBackward(layers, input, lossOf)];
    expect(Math.abs(ortRun.loss - cpuRun.loss)).toBeLessThan(1e-6 * Math.abs(cpuRun.loss));
    for (let k = 0; k < layers.length; k++) {
      for (const key of Object.keys(toReference(layers[k]))) {
        if (key === 'key.bias') continue; // 0 up to rounding in both (see above): no relative comparison
        expect(maxRelError(toReference(ortRun.grads[k])[key], toReference(cpuRun.grads[k])[key]), `layer ${k} ${key}`).toBeLessThan(1e-4);
      }
    }
  });
});

test('one engine serves other batch sizes and lengths, and padding does not reach the tokens', async () => {
  const { shape, layers, engine } = setUp(CASES[1]);
  const input = randomInput([7, 2, 1], 7, shape.hidden, 9);
  const output = await engine.forward(layers, input);
  const expected = referenceForward(layers.map(toReference), input, shape).flat(2);
  const tokens = (values: ArrayLike<number>) => Array.from(values).filter((_, i) => input.mask[Math.floor(i / shape.hidden)] !== 0);
  expect(maxRelError(tokens(output), tokens(expected))).toBeLessThan(2e-6);
  const noisy = { ...input, hidden: input.hidden.map((v, i) => (input.mask[Math.floor(i / shape.hidden)] === 0 ? 40 * v : v)) };
  expect(tokens(await engine.forward(layers, noisy))).toEqual(tokens(output));
});

test('wrong sizes are refused with what was expected', async () => {
  const { layers, input, engine } = setUp(CASES[0]);
  expect(() => createOrtLayerEngine(ort, { hidden: 16, heads: 5, intermediate: 32, layerNormEps: 1e-12 }, { backend: 'ort-node' }))
    .toThrow(/hidden size 16 is not a multiple of the 5 heads/);
  await expect(engine.forward([], input)).rejects.toThrow(/at least one layer/);
  await expect(engine.forward(layers, { ...input, seq: 4 })).rejects.toThrow(/needs 256 and 16/);
  const bad = { ...layers[0], output: { ...layers[0].output, bias: new Float32Array(3) } };
  await expect(engine.forward([bad], input)).rejects.toThrow(/weight bf holds 3 values; .* needs 16 \(16\)/);
});
