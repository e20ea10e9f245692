/**
 * Tuning a transformer encoder's top K layers in the lab worker (design.md, "Tuning the encoder (top
 * layers)"). The model's fp32 file (onnx/model.onnx, from the model cache or its server) is read
 * here: its top K layers' weights start the tuned copy, and its bottom L - K layers become a graph of
 * their own (onnx-layers.ts) that onnxruntime-web runs once per text. The texts are tokenized by the
 * loaded model's tokenizer in the encoder worker, so prefixes and truncation are the encoder's own.
 * The hidden states are kept for the dataset and settings (a second run does not recompute them);
 * the trainer's engine runs the tuned layers forward and backward, on the device core/devices.ts picks.
 */
import { zipSync } from 'fflate';
import { candidateTexts, type CandidateTextMode } from '../../src/core/dataset/texts';
import type { Dataset } from '../../src/core/dataset/types';
import type { TransformerSpec } from '../../src/core/encoders/model-spec';
import type { TextRole } from '../../src/core/encoders/types';
import { RateMeter } from '../../src/core/progress';
import type { LayerWeights } from '../../src/core/tuning/layer';
import type { HiddenStates } from '../../src/core/tuning/layer-model';
import { exportTunedModel, findLayers, splitForTuning, type LayerConfig, type ModelLayers } from '../../src/core/tuning/onnx-layers';
import onnxProto from 'onnx-proto';
import { modelFileBytes } from '../encoder/model-cache';
import { computeHiddenStates, ortBottomRunner, type TokenizedTexts } from '../../src/core/tuning/hidden-states';
import { labOrt, labOrtWebGpu } from './scoring-backend';
import type { TrainingProgress } from './protocol';
import type { GpuChoice } from '../../src/core/devices';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import type { LayerStackEngine } from '../../src/core/tuning/engine';
import type { LayerShape } from '../../src/core/tuning/layer';
import { createOrtLayerEngine } from '../../src/core/tuning/ort-engine';
import { chooseGpu } from '../webgpu';

const MODEL_FILE = 'onnx/model.onnx';
/** What an exported folder holds besides the tuned model: the original's config and tokenizer files, where it has them. */
const FOLDER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

export type Tokenize = (texts: string[], role: TextRole, signal: AbortSignal) => Promise<TokenizedTexts>;

/** What a layer run needs, for one dataset, model and K. */
export interface LayerTuningInputs {
  key: string;
  layers: ModelLayers;
  /** The model file's weights of the top K layers, bottom first. */
  initial: LayerWeights[];
  states: HiddenStates;
  /** Tokens cached (the memory the run holds: tokens x hidden x 4 bytes). */
  tokens: number;
}

/** Identifies the hidden states of one model, K, dataset text mode (the dataset object is compared apart). */
export function layerInputsKey(spec: TransformerSpec, layers: number, candidateText: CandidateTextMode): string {
  return JSON.stringify({ source: spec.source, pooling: spec.pooling, queryPrefix: spec.queryPrefix, passagePrefix: spec.passagePrefix, layers, candidateText });
}

/** Reads the model, checks K, and runs the bottom layers over every text of the dataset. */
export async function prepareLayerTuning(
  spec: TransformerSpec,
  layers: number,
  dataset: Dataset,
  candidateText: CandidateTextMode,
  tokenize: Tokenize,
  signal: AbortSignal,
  report: (progress: TrainingProgress) => void,
): Promise<LayerTuningInputs> {
  const [modelBytes, configBytes] = await Promise.all([modelFileBytes(spec.source, MODEL_FILE), modelFileBytes(spec.source, 'config.json')]);
  const model = onnxProto.onnx.ModelProto.decode(modelBytes);
  const graph = findLayers(model, JSON.parse(new TextDecoder().decode(configBytes)) as LayerConfig);
  const count = graph.layers.length;
  if (layers < 1 || layers > count) {
    throw new Error(`This model has ${count} layers: tune between 1 and ${count} of its top layers, not ${layers}.`);
  }
  const { initial, bottom: bottomGraph } = splitForTuning(model, graph, layers);
  // The bottom layers stay on WASM whatever the trainer's device: they run once per text, and their
  // hidden states then serve every run and device alike (docs/training.md, "What runs where").
  const bottom = await ortBottomRunner(await labOrt(), bottomGraph, { executionProviders: ['wasm'] });
  try {
    const texts = { queries: dataset.queries.map((q) => q.text), candidates: candidateTexts(dataset, candidateText) };
    const total = texts.queries.length + texts.candidates.length;
    const meter = new RateMeter();
    const progress = (done: number) => report({ type: 'encode', done, total, pace: meter.update('encode', done, total, performance.now()) });
    const hidden = graph.shape.hidden;
    const queries = await computeHiddenStates(await tokenize(texts.queries, 'query', signal), hidden, bottom, { signal, onProgress: progress });
    const candidates = await computeHiddenStates(await tokenize(texts.candidates, 'passage', signal), hidden, bottom, {
      signal,
      onProgress: (done) => progress(texts.queries.length + done),
    });
    return {
      key: layerInputsKey(spec, layers, candidateText),
      layers: graph,
      initial,
      states: { queries, candidates },
      tokens: queries.offsets[queries.offsets.length - 1] + candidates.offsets[candidates.offsets.length - 1],
    };
  } finally {
    await bottom.release();
  }
}

/**
 * The tuned encoder as a zip of a model folder (design.md, "Export"): the original config and
 * tokenizer files, and onnx/model.onnx with the tuned layers' weights replaced, nothing else changed.
 */
export async function exportTunedFolder(spec: TransformerSpec, weights: LayerWeights[]): Promise<Uint8Array> {
  const modelBytes = await modelFileBytes(spec.source, MODEL_FILE);
  const configBytes = await modelFileBytes(spec.source, 'config.json');
  const model = onnxProto.onnx.ModelProto.decode(modelBytes);
  const graph = findLayers(model, JSON.parse(new TextDecoder().decode(configBytes)) as LayerConfig);
  const firstTuned = graph.layers.length - weights.length;
  const tuned = new Map(weights.map((w, k) => [firstTuned + k, w]));
  const files: Record<string, Uint8Array> = { 'onnx/model.onnx': exportTunedModel(modelBytes, graph, tuned) };
  for (const file of FOLDER_FILES) {
    files[file] = await modelFileBytes(spec.source, file).catch((error: unknown) => {
      if (file === 'special_tokens_map.json') return null;
      throw error;
    }) ?? new Uint8Array();
    if (files[file].length === 0) delete files[file];
  }
  return zipSync(files, { level: 0 });
}

/** The WASM engine's name in notes ("running on onnxruntime-web's WASM, which is faster"). */
const WASM_NAME = "onnxruntime-web's WASM";

/**
 * The engine of the tuned layers, by the device rule of head training (core/devices.ts): the
 * generated forward and backward graphs on onnxruntime-web's WebGPU EP where a hardware adapter
 * exists (or any adapter, chosen by hand), else on its multi-threaded WASM (faster than the
 * TypeScript kernels: docs/training.md); the TypeScript CPU engine where onnxruntime-web does not
 * start. `note` says why the device is not the obvious one, for the progress line and the run.
 */
export async function layerEngine(shape: LayerShape, choice: GpuChoice, initial: readonly LayerWeights[]): Promise<{ engine: LayerStackEngine; note: string | null }> {
  const decision = await chooseGpu(choice, WASM_NAME);
  let note = decision.note;
  if (decision.gpu) {
    let engine: LayerStackEngine | undefined;
    try {
      engine = createOrtLayerEngine(await labOrtWebGpu(), shape, { backend: 'onnxruntime-web webgpu', executionProviders: ['webgpu'] });
      await probe(engine, initial);
      return { engine, note };
    } catch (error) {
      await engine?.dispose().catch(() => undefined);
      note = `WebGPU failed to start (${error instanceof Error ? error.message : String(error)}): running on ${WASM_NAME}.`;
    }
  }
  try {
    return { engine: createOrtLayerEngine(await labOrt(), shape, { backend: 'onnxruntime-web wasm', executionProviders: ['wasm'] }), note };
  } catch {
    return { engine: createCpuLayerEngine(shape), note };
  }
}

/**
 * One forward and backward pass over two one-token texts: the engine's sessions are made (their
 * shaders compiled) now, so a WebGPU EP that cannot run the graphs falls back before the run starts.
 */
async function probe(engine: LayerStackEngine, layers: readonly LayerWeights[]): Promise<void> {
  const input = { hidden: new Float32Array(2 * engine.shape.hidden), mask: new Uint8Array([1, 1]), batch: 2, seq: 1 };
  await engine.forwardBackward(layers, input, (output) => ({ loss: 0, gradient: new Float32Array(output.length) }));
}
