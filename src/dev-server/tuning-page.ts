/**
 * The layer-tuning engines in a bare Chromium page (webgpu-page.ts), for the browser test and
 * `bench:tune`: onnxruntime-web (its own .wasm and .mjs served beside the page, which is
 * cross-origin isolated so WASM runs multi-threaded) with the WASM or the WebGPU EP, and the CPU
 * engine. `tuneLayers(spec)` runs forward + backward with the pooled InfoNCE loss `steps` times
 * (weights and texts sent, or made in the page from a seed, as bench:tune does in Node).
 */
import path from 'node:path';
import type { LayerShape, LayerWeights } from '../core/tuning/layer';
import { LINEAR_NAMES, NORM_NAMES } from '../core/tuning/layer';
import { ROOT } from './chromium';
import { openWebGpuPage, type WebGpuPage } from './webgpu-page';

export type PageEngine = 'ort-wasm' | 'ort-webgpu' | 'cpu';

/** LayerWeights with plain arrays: what page.evaluate carries. */
export type PlainLayer = Record<string, Record<string, number[]>>;

export interface TuneSpec {
  engine: PageEngine;
  shape: LayerShape;
  /** Either the layers and the batch themselves, or seeds to make them as test/support/tuning.ts does. */
  layers?: PlainLayer[];
  input?: { hidden: number[]; mask: number[]; batch: number; seq: number };
  random?: { layers: number; lengths: number[]; seq: number; seed: number };
  temperature: number;
  /** Timed forward + backward steps, after one untimed step when `warmUp`. */
  steps: number;
  warmUp: boolean;
  /** Return the output, loss and gradients of the last step. */
  results: boolean;
}

export interface TuneResult {
  seconds: number[];
  threads: number;
  crossOriginIsolated: boolean;
  /** onnxruntime-web made its WebGPU device (so the WebGPU EP, not a fallback, ran the graphs). */
  webgpuDevice: boolean;
  loss: number;
  output?: number[];
  grads?: PlainLayer[];
}

const ENTRY = `
import * as ort from 'onnxruntime-web';
import { createOrtLayerEngine } from './src/core/tuning/ort-engine';
import { createCpuLayerEngine } from './src/core/tuning/cpu-layer';
import { poolingLoss } from './src/core/tuning/loss';
import { randomInput, randomLayers } from './test/support/tuning';

ort.env.wasm.wasmPaths = location.origin + '/ort/';
ort.env.wasm.numThreads = navigator.hardwareConcurrency;
const toArrays = (layer) => Object.fromEntries(Object.entries(layer).map(([g, p]) => [g, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.from(v)]))]));
const fromArrays = (layer) => Object.fromEntries(Object.entries(layer).map(([g, p]) => [g, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Float32Array.from(v)]))]));

(window as any).tuneLayers = async (spec) => {
  const layers = spec.layers ? spec.layers.map(fromArrays) : randomLayers(spec.shape, spec.random.layers, spec.random.seed);
  const input = spec.input
    ? { ...spec.input, hidden: Float32Array.from(spec.input.hidden), mask: Uint8Array.from(spec.input.mask) }
    : randomInput(spec.random.lengths, spec.random.seq, spec.shape.hidden, spec.random.seed + 1);
  const engine = spec.engine === 'cpu'
    ? createCpuLayerEngine(spec.shape)
    : createOrtLayerEngine(ort, spec.shape, { backend: spec.engine, executionProviders: [spec.engine === 'ort-webgpu' ? 'webgpu' : 'wasm'] });
  const lossOf = (output) => poolingLoss(output, input.mask, input.batch, input.seq, spec.shape.hidden, 'mean', input.batch / 2, spec.temperature);
  let last;
  const seconds = [];
  try {
    for (let step = spec.warmUp ? 0 : 1; step <= spec.steps; step++) {
      const started = performance.now();
      last = await engine.forwardBackward(layers, input, lossOf);
      if (step > 0) seconds.push((performance.now() - started) / 1000);
    }
    const device = spec.engine === 'ort-webgpu' ? await ort.env.webgpu.device : undefined;
    const result = { seconds, threads: ort.env.wasm.numThreads, crossOriginIsolated: self.crossOriginIsolated, webgpuDevice: device !== undefined, loss: last.loss };
    if (!spec.results) return result;
    return { ...result, output: Array.from(await engine.forward(layers, input)), grads: last.grads.map(toArrays) };
  } finally {
    await engine.dispose();
  }
};
`;

export interface TuningPage extends WebGpuPage {
  tuneLayers(spec: TuneSpec): Promise<TuneResult>;
}

export async function openTuningPage(): Promise<TuningPage> {
  const page = await openWebGpuPage(ENTRY, ROOT, {
    folders: { '/ort/': path.join(ROOT, 'node_modules/onnxruntime-web/dist') },
    crossOriginIsolated: true,
    conditions: ['onnxruntime-web-use-extern-wasm'],
  });
  return {
    ...page,
    tuneLayers: (spec) => page.page.evaluate((s) => (window as unknown as { tuneLayers(s: TuneSpec): Promise<TuneResult> }).tuneLayers(s), spec),
  };
}

export function toPlainLayer(layer: LayerWeights): PlainLayer {
  const plain: PlainLayer = {};
  for (const name of LINEAR_NAMES) plain[name] = { weight: Array.from(layer[name].weight), bias: Array.from(layer[name].bias) };
  for (const name of NORM_NAMES) plain[name] = { gamma: Array.from(layer[name].gamma), beta: Array.from(layer[name].beta) };
  return plain;
}
