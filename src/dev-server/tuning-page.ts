/**
 * The layer-tuning engines in a bare Chromium page (webgpu-page.ts), for the browser test and
 * `bench:tune`: onnxruntime-web (its own .wasm and .mjs served beside the page, which is
 * cross-origin isolated so WASM runs multi-threaded) with the WASM or the WebGPU EP, and the CPU
 * engine. `tuneLayers(spec)` runs forward + backward with the pooled InfoNCE loss `steps` times on
 * the weights and texts it is sent (float32 as base64: a MiniLM layer is 1.8 M values).
 */
import path from 'node:path';
import type { LayerInput } from '../core/tuning/engine';
import type { LayerShape, LayerWeights } from '../core/tuning/layer';
import { LINEAR_NAMES, NORM_NAMES } from '../core/tuning/layer';
import { ROOT } from './chromium';
import { openWebGpuPage, type WebGpuPage } from './webgpu-page';

export type PageEngine = 'ort-wasm' | 'ort-webgpu' | 'cpu';

/** LayerWeights with plain arrays: what page.evaluate carries back. */
export type PlainLayer = Record<string, Record<string, number[]>>;
/** LayerWeights with each array as the base64 of its float32 bytes: what page.evaluate carries there. */
export type EncodedLayer = Record<string, Record<string, string>>;

export interface TuneSpec {
  engine: PageEngine;
  shape: LayerShape;
  layers: EncodedLayer[];
  /** hidden: base64 float32 [batch, seq, hidden]. */
  input: { hidden: string; mask: number[]; batch: number; seq: number };
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

ort.env.wasm.wasmPaths = location.origin + '/ort/';
ort.env.wasm.numThreads = navigator.hardwareConcurrency;
const toArrays = (layer) => Object.fromEntries(Object.entries(layer).map(([g, p]) => [g, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.from(v)]))]));
const decode = (base64) => new Float32Array(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer);
const fromBase64 = (layer) => Object.fromEntries(Object.entries(layer).map(([g, p]) => [g, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, decode(v)]))]));

(window as any).tuneLayers = async (spec) => {
  const layers = spec.layers.map(fromBase64);
  const input = { ...spec.input, hidden: decode(spec.input.hidden), mask: Uint8Array.from(spec.input.mask) };
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

const base64 = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');

/** The layers and the batch as `tuneLayers` takes them. */
export function encodeForPage(layers: readonly LayerWeights[], input: LayerInput): Pick<TuneSpec, 'layers' | 'input'> {
  const encodeLayer = (layer: LayerWeights): EncodedLayer => {
    const encoded: EncodedLayer = {};
    for (const name of LINEAR_NAMES) encoded[name] = { weight: base64(layer[name].weight), bias: base64(layer[name].bias) };
    for (const name of NORM_NAMES) encoded[name] = { gamma: base64(layer[name].gamma), beta: base64(layer[name].beta) };
    return encoded;
  };
  return { layers: layers.map(encodeLayer), input: { hidden: base64(input.hidden), mask: Array.from(input.mask), batch: input.batch, seq: input.seq } };
}

export function toPlainLayer(layer: LayerWeights): PlainLayer {
  const plain: PlainLayer = {};
  for (const name of LINEAR_NAMES) plain[name] = { weight: Array.from(layer[name].weight), bias: Array.from(layer[name].bias) };
  for (const name of NORM_NAMES) plain[name] = { gamma: Array.from(layer[name].gamma), beta: Array.from(layer[name].beta) };
  return plain;
}
