/**
 * The layer-tuning engines in a bare Chromium page (webgpu-page.ts), for the browser tests and
 * `bench:tune`: onnxruntime-web's builds as the lab worker loads them (`onnxruntime-web/wasm` for the
 * WASM EP, `onnxruntime-web/webgpu` for the WebGPU EP; their .wasm and .mjs served beside the page,
 * which is cross-origin isolated so WASM runs multi-threaded), and the CPU engine.
 * `tuneLayers(spec)` runs forward + backward with the pooled InfoNCE loss `steps` times on the
 * weights and texts it is sent (float32 as base64: a MiniLM layer is 1.8 M values).
 * `tunedPathEmbeddings(spec)` embeds token ids through the tuned path at 0 steps with the core's
 * own functions (the bottom graph on WASM, the hidden states, the top K layers on the chosen EP,
 * pooling and L2), and returns beside them the whole model graph's output on the EP asked.
 */
import path from 'node:path';
import type { LayerInput } from '../core/tuning/engine';
import type { LayerShape, LayerWeights } from '../core/tuning/layer';
import { LINEAR_NAMES, NORM_NAMES } from '../core/tuning/layer';
import type { TunedPooling } from '../core/tuning/loss';
import type { LayerConfig } from '../core/tuning/onnx-layers';
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
import * as ortWasm from 'onnxruntime-web/wasm';
import * as ortWebGpu from 'onnxruntime-web/webgpu';
import onnxProto from 'onnx-proto';
import { createOrtLayerEngine } from './src/core/tuning/ort-engine';
import { createCpuLayerEngine } from './src/core/tuning/cpu-layer';
import { poolingLoss } from './src/core/tuning/loss';
import { findLayers, splitForTuning } from './src/core/tuning/onnx-layers';
import { computeHiddenStates, ortBottomRunner, packTokens } from './src/core/tuning/hidden-states';
import { embedTexts } from './src/core/tuning/layer-model';
import { decodeFloat32 as decode, decodeLayer as fromBase64 } from './src/dev-server/page-arrays';

for (const ort of [ortWasm, ortWebGpu]) {
  ort.env.wasm.wasmPaths = location.origin + '/ort/';
  ort.env.wasm.numThreads = navigator.hardwareConcurrency;
}
const runtimeOf = (engine) => (engine === 'ort-webgpu' ? ortWebGpu : ortWasm);
const ortEngine = (engine, shape) => createOrtLayerEngine(runtimeOf(engine), shape, { backend: engine, executionProviders: [engine === 'ort-webgpu' ? 'webgpu' : 'wasm'] });
const webgpuDevice = async (engine) => engine === 'ort-webgpu' && (await ortWebGpu.env.webgpu.device) !== undefined;
const toArrays = (layer) => Object.fromEntries(Object.entries(layer).map(([g, p]) => [g, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.from(v)]))]));

(window as any).tuneLayers = async (spec) => {
  const layers = spec.layers.map(fromBase64);
  const input = { ...spec.input, hidden: decode(spec.input.hidden), mask: Uint8Array.from(spec.input.mask) };
  const engine = spec.engine === 'cpu' ? createCpuLayerEngine(spec.shape) : ortEngine(spec.engine, spec.shape);
  const lossOf = (output) => poolingLoss(output, input.mask, input.batch, input.seq, spec.shape.hidden, 'mean', input.batch / 2, spec.temperature);
  let last;
  const seconds = [];
  try {
    for (let step = spec.warmUp ? 0 : 1; step <= spec.steps; step++) {
      const started = performance.now();
      last = await engine.forwardBackward(layers, input, lossOf);
      if (step > 0) seconds.push((performance.now() - started) / 1000);
    }
    const result = { seconds, threads: runtimeOf(spec.engine).env.wasm.numThreads, crossOriginIsolated: self.crossOriginIsolated, webgpuDevice: await webgpuDevice(spec.engine), loss: last.loss };
    if (!spec.results) return result;
    return { ...result, output: Array.from(await engine.forward(layers, input)), grads: last.grads.map(toArrays) };
  } finally {
    await engine.dispose();
  }
};

(window as any).tunedPathEmbeddings = async (spec) => {
  const bytes = new Uint8Array(await (await fetch('/models/' + spec.model + '/model.onnx')).arrayBuffer());
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const found = findLayers(model, spec.config);
  const tuned = [];
  for (const layers of spec.layers) {
    const { initial, bottom: bottomGraph } = splitForTuning(model, found, layers);
    // As the lab worker does (layer-tuning.ts): the bottom layers on WASM, their hidden states kept per text.
    const bottom = await ortBottomRunner(ortWasm, bottomGraph, { executionProviders: ['wasm'] });
    const table = await computeHiddenStates(packTokens(spec.ids), found.shape.hidden, bottom).finally(() => bottom.release());
    const engine = ortEngine(spec.engine, found.shape);
    tuned.push(Array.from(await embedTexts(engine, initial, table, Int32Array.from(spec.ids.keys()), spec.pooling).finally(() => engine.dispose())));
  }
  const webgpu = await webgpuDevice(spec.engine);

  // The frozen model: the whole graph on onnxruntime-web's frozenEngine EP, the texts padded to the longest.
  const ort = runtimeOf(spec.frozenEngine);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [spec.frozenEngine === 'ort-webgpu' ? 'webgpu' : 'wasm'] });
  const texts = spec.ids.length;
  const seq = Math.max(...spec.ids.map((row) => row.length));
  const ids = new BigInt64Array(texts * seq);
  const mask = new BigInt64Array(texts * seq);
  spec.ids.forEach((row, r) => row.forEach((id, t) => { ids[r * seq + t] = BigInt(id); mask[r * seq + t] = 1n; }));
  const feeds = { input_ids: new ort.Tensor('int64', ids, [texts, seq]), attention_mask: new ort.Tensor('int64', mask, [texts, seq]) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(texts * seq), [texts, seq]);
  try {
    const outputs = await session.run(feeds);
    return { tuned, frozen: Array.from(outputs[session.outputNames[0]].data), seq, webgpuDevice: webgpu };
  } finally {
    await session.release();
  }
};
`;

export interface TunedPathSpec {
  /** A model served by the page (openTuningPage's `models`). */
  model: string;
  /** Its config.json. */
  config: LayerConfig;
  /** Each K to embed with: the top layers on the tuned path. */
  layers: number[];
  /** Where the top layers run. */
  engine: Exclude<PageEngine, 'cpu'>;
  /** Where the whole graph runs. */
  frozenEngine: Exclude<PageEngine, 'cpu'>;
  pooling: TunedPooling;
  /** Each text's token ids, as the model's tokenizer gives them (special tokens included). */
  ids: number[][];
}

export interface TunedPathResult {
  /** The tuned path's embeddings at 0 steps, for each K asked: [texts, hidden], pooled and L2-normalised. */
  tuned: number[][];
  /** The whole graph's first output (last_hidden_state): [texts, seq, hidden], padded rows included. */
  frozen: number[];
  seq: number;
  /** onnxruntime-web made its WebGPU device for the tuned layers. */
  webgpuDevice: boolean;
}

export interface TuningPage extends WebGpuPage {
  tuneLayers(spec: TuneSpec): Promise<TuneResult>;
  tunedPathEmbeddings(spec: TunedPathSpec): Promise<TunedPathResult>;
}

/** `models`: name → model folder (its onnx/model.onnx is served at /models/<name>/model.onnx). */
export async function openTuningPage({ models = {} }: { models?: Record<string, string> } = {}): Promise<TuningPage> {
  const modelFolders = Object.fromEntries(Object.entries(models).map(([name, folder]) => [`/models/${name}/`, path.join(folder, 'onnx')]));
  const page = await openWebGpuPage(ENTRY, ROOT, {
    folders: { '/ort/': path.join(ROOT, 'node_modules/onnxruntime-web/dist'), ...modelFolders },
    crossOriginIsolated: true,
    conditions: ['onnxruntime-web-use-extern-wasm'],
  });
  type PageFunctions = Pick<TuningPage, 'tuneLayers' | 'tunedPathEmbeddings'>;
  return {
    ...page,
    tuneLayers: (spec) => page.page.evaluate((s) => (window as unknown as PageFunctions).tuneLayers(s), spec),
    tunedPathEmbeddings: (spec) => page.page.evaluate((s) => (window as unknown as PageFunctions).tunedPathEmbeddings(s), spec),
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
