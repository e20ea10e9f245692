/**
 * The CPU layer engine, the onnxruntime engine (ort-engine.ts, on onnxruntime-node) and the tuning
 * loss against PyTorch: scripts/torch_layers.py rebuilds the same
 * layers, pooling, normalisation and InfoNCE in float64 with torch.nn.functional and differentiates
 * them with autograd (Debian's python3-torch 1.13 under /usr/bin/python3; CI installs it).
 *
 * Tolerances (the engine stores float32; PyTorch's float64 results come back rounded to float32):
 * output and embeddings 1e-6 of the largest value (measured ≤ 2e-7), the loss 1e-6 relative, every
 * parameter group's gradient 5e-6 of its largest value (measured ≤ 4e-7), 1e-4 in the small-residual
 * cases (measured ≤ 1.6e-5, on the first layer's query weights and bias: small gradients made of
 * differences in the softmax backward).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeNpyFloat32, encodeNpyFloat32 } from '../../src/core/npy';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import type { LayerInput } from '../../src/core/tuning/engine';
import { LINEAR_NAMES, NORM_NAMES, type LayerShape, type LayerWeights } from '../../src/core/tuning/layer';
import { poolingLoss, poolNormalised, type TunedPooling } from '../../src/core/tuning/loss';
import { createOrtLayerEngine } from '../../src/core/tuning/ort-engine';
import { maxRelError } from '../support/numeric';
import { randomInput, randomLayers, tokenRows } from '../support/tuning';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, '../../scripts/torch_layers.py');
const TAU = 0.05;
const SEQ = 8;
const LENGTHS = [8, 5, 3, 6, 2, 7]; // 3 pairs; five texts padded

interface Case { name: string; layers: number; pooling: TunedPooling; eps: number; scale: number }
const CASES: Case[] = [
  { name: 'one layer, mean, eps 1e-12', layers: 1, pooling: 'mean', eps: 1e-12, scale: 1 },
  { name: 'two layers, CLS, eps 1e-12', layers: 2, pooling: 'cls', eps: 1e-12, scale: 1 },
  { name: 'one layer, CLS, eps 1e-5 on a small residual', layers: 1, pooling: 'cls', eps: 1e-5, scale: 0.01 },
  { name: 'two layers, mean, eps 1e-5 on a small residual', layers: 2, pooling: 'mean', eps: 1e-5, scale: 0.01 },
];

interface Prepared { c: Case; shape: LayerShape; layers: LayerWeights[]; input: LayerInput; dir: string }

let root = '';
let prepared: Prepared[] = [];

beforeAll(() => {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`${PYTHON} cannot import torch and numpy, which this test's PyTorch oracle needs: install them with ` +
      `\`sudo apt-get install python3-torch python3-numpy\` (Debian's packages; .ci/run does this). ${String(error)}`);
  }
  root = mkdtempSync(path.join(os.tmpdir(), 'xling-torch-'));
  prepared = CASES.map((c, index) => {
    const shape: LayerShape = { hidden: 32, heads: 4, intermediate: 64, layerNormEps: c.eps };
    const layers = randomLayers(shape, c.layers, 10 + index, c.scale);
    const input = randomInput(LENGTHS, SEQ, shape.hidden, 20 + index, c.scale);
    const dir = path.join(root, String(index));
    writeCase(dir, c, shape, layers, input);
    return { c, shape, layers, input, dir };
  });
  execFileSync(PYTHON, [SCRIPT, ...prepared.map((p) => p.dir)], { stdio: 'pipe' });
}, 120_000);

afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

describe.each(CASES.map((c, index) => ({ ...c, index })))('CPU engine against PyTorch, $name', ({ index }) => {
  test('output, embeddings and loss', async () => {
    const { c, shape, layers, input, dir } = prepared[index];
    const engine = createCpuLayerEngine(shape);
    const output = await engine.forward(layers, input);
    // Padded rows' outputs are not the model's (they enter as zeros): tokens only.
    expect(maxRelError(tokenRows(output, input.mask, shape.hidden), tokenRows(readNpy(dir, 'output'), input.mask, shape.hidden))).toBeLessThan(1e-6);
    const embeddings = poolNormalised(output, input.mask, input.batch, SEQ, shape.hidden, c.pooling);
    expect(maxRelError(embeddings, readNpy(dir, 'embeddings'))).toBeLessThan(1e-6);
    const { loss } = poolingLoss(output, input.mask, input.batch, SEQ, shape.hidden, c.pooling, LENGTHS.length / 2, TAU);
    const torchLoss = (JSON.parse(readFileSync(path.join(dir, 'out', 'result.json'), 'utf8')) as { loss: number }).loss;
    expect(Math.abs(loss - torchLoss)).toBeLessThan(1e-6 * torchLoss);
  });

  test('every parameter group\'s gradient', async () => {
    const { c, shape, layers, input, dir } = prepared[index];
    const engine = createCpuLayerEngine(shape);
    const { grads } = await engine.forwardBackward(layers, input,
      (output) => poolingLoss(output, input.mask, input.batch, SEQ, shape.hidden, c.pooling, LENGTHS.length / 2, TAU));
    grads.forEach((layer, k) => {
      for (const [key, ours] of groups(layer)) {
        const theirs = readNpy(dir, `grad.layer${k}.${key}`);
        // The key bias's gradient is 0 in exact arithmetic (the softmax ignores a shift shared by all keys).
        if (key === 'key.bias') expect(Math.max(...Array.from(ours, Math.abs)), `layer ${k} ${key}`).toBeLessThan(1e-6);
        else expect(maxRelError(ours, theirs), `layer ${k} ${key}`).toBeLessThan(c.scale === 1 ? 5e-6 : 1e-4);
      }
    });
  });
});

describe.each(CASES.map((c, index) => ({ ...c, index })))('onnxruntime-node engine (ort-engine.ts) against PyTorch, $name', ({ index }) => {
  test('output, loss and every parameter group\'s gradient', async () => {
    const { c, shape, layers, input, dir } = prepared[index];
    const engine = createOrtLayerEngine(ort, shape, { backend: 'ort-node', executionProviders: ['cpu'], threads: 1 });
    const output = await engine.forward(layers, input);
    expect(maxRelError(output, readNpy(dir, 'output'))).toBeLessThan(2e-6);
    const { loss, grads } = await engine.forwardBackward(layers, input,
      (out) => poolingLoss(out, input.mask, input.batch, SEQ, shape.hidden, c.pooling, LENGTHS.length / 2, TAU));
    await engine.dispose();
    const torchLoss = (JSON.parse(readFileSync(path.join(dir, 'out', 'result.json'), 'utf8')) as { loss: number }).loss;
    expect(Math.abs(loss - torchLoss)).toBeLessThan(1e-6 * torchLoss);
    grads.forEach((layer, k) => {
      for (const [key, ours] of groups(layer)) {
        if (key === 'key.bias') expect(Math.max(...Array.from(ours, Math.abs)), `layer ${k} ${key}`).toBeLessThan(1e-6);
        else expect(maxRelError(ours, readNpy(dir, `grad.layer${k}.${key}`)), `layer ${k} ${key}`).toBeLessThan(c.scale === 1 ? 5e-6 : 1e-4);
      }
    });
  });
});

function groups(layer: LayerWeights): [string, Float32Array][] {
  return [
    ...LINEAR_NAMES.flatMap((name) => [[`${name}.weight`, layer[name].weight], [`${name}.bias`, layer[name].bias]] as [string, Float32Array][]),
    ...NORM_NAMES.flatMap((name) => [[`${name}.gamma`, layer[name].gamma], [`${name}.beta`, layer[name].beta]] as [string, Float32Array][]),
  ];
}

function writeCase(dir: string, c: Case, shape: LayerShape, layers: LayerWeights[], input: LayerInput): void {
  mkdirSync(dir, { recursive: true });
  const save = (name: string, values: Float32Array, rows: number) => writeFileSync(path.join(dir, `${name}.npy`), encodeNpyFloat32(values, rows, values.length / rows));
  save('hidden', input.hidden, input.batch * input.seq);
  save('mask', Float32Array.from(input.mask), input.batch);
  layers.forEach((layer, k) => {
    for (const [key, values] of groups(layer)) {
      // Weights [in, out] (out = the bias's length), everything else one row.
      const rows = key.endsWith('.weight') ? values.length / layer[key.split('.')[0] as (typeof LINEAR_NAMES)[number]].bias.length : 1;
      save(`layer${k}.${key}`, values, rows);
    }
  });
  writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({
    layers: layers.length, batch: input.batch, seq: input.seq, hidden: shape.hidden, heads: shape.heads,
    intermediate: shape.intermediate, eps: c.eps, pooling: c.pooling, n: input.batch / 2, temperature: TAU,
  }));
}

function readNpy(dir: string, name: string): Float32Array {
  return decodeNpyFloat32(new Uint8Array(readFileSync(path.join(dir, 'out', `${name}.npy`)))).data;
}
