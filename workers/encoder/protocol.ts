/**
 * The conversation with the encoder worker, which owns transformers.js, the model sessions, the
 * browser's model cache and the embedding cache. The page sends every command; the lab worker
 * sends `encode` through a MessagePort the page hands it (so embeddings never pass through the
 * page). Like the lab protocol: every command has an `id`, any number of `progress` events, then
 * one terminal event.
 */
import type { CachedEncodeProgress } from '../../src/core/encoders/cached';
import type { Pooling } from '../../src/core/encoders/transformer';
import type { TextRole } from '../../src/core/encoders/types';
import type { Dtype } from '../../src/core/encoders/transformer';
import type { Device } from '../../src/transformers/transformers-encoder';
import type { WireError } from '../rpc';

/** Where a model's files come from. */
export type ModelSource =
  /** A hub repository, fetched from `host` (huggingface.co or a mirror) and kept in the browser cache. */
  | { kind: 'hub'; id: string; host: string }
  /** A folder the dev or preview server serves at /models/<name>/ (XLING_MODELS_DIR). */
  | { kind: 'served'; name: string }
  /** A folder the user picked or dropped, copied into the browser cache under /models/picked/<key>/. */
  | { kind: 'picked'; key: string; name: string };

export type DeviceChoice = 'auto' | Exclude<Device, 'cpu'>;

export interface TransformerSpec {
  kind: 'transformer';
  source: ModelSource;
  dtype: Dtype;
  device: DeviceChoice;
  pooling: Pooling;
  queryPrefix: string;
  passagePrefix: string;
}

/** What a loaded model is, once loaded. */
export interface ModelInfo {
  /** Report name: `hf:<id>`, `served:<name>`, `local:<name>`. */
  name: string;
  dim: number;
  device: Exclude<Device, 'cpu'>;
  /** Why the device is not the one asked for (no WebGPU adapter, no shader-f16, device lost). */
  deviceNote: string | null;
  dtype: Dtype;
  maxTokens: number;
}

export interface CachedModel {
  /** As the cache names it: the hub id, or `picked/<key>` / a served name. */
  model: string;
  /** The source to load it again with, where it can be told from the cache keys. */
  source: ModelSource | null;
  files: number;
  bytes: number;
  /** The weights a picked folder has (what can be loaded from it); null for hub and served models. */
  dtypes: Dtype[] | null;
}

export type DownloadProgress = { phase: 'download'; file: string; loaded: number; total: number; files: Record<string, { loaded: number; total: number }> };

export type EncodeProgress = CachedEncodeProgress & {
  phase: 'encode';
  /** Set once when the WebGPU device was lost and encoding goes on on WASM. */
  fallback?: string;
};

export type EncoderCommand =
  | { type: 'loadModel'; id: number; spec: TransformerSpec }
  | { type: 'encode'; id: number; spec: TransformerSpec; texts: string[]; role: TextRole }
  | { type: 'listCache'; id: number }
  /** `model` as listed by listCache; null clears every model and every cached embedding. */
  | { type: 'clearCache'; id: number; model: string | null }
  | { type: 'stagePicked'; id: number; name: string; files: { path: string; blob: Blob }[] }
  | { type: 'cancel'; id: number };

/** The port through which the lab worker sends `encode` (the page hands it over once at start). */
export type EncoderNotice = { type: 'connect' };

export type EncoderEvent =
  | { type: 'progress'; id: number; progress: DownloadProgress | EncodeProgress }
  | { type: 'modelLoaded'; id: number; info: ModelInfo }
  | { type: 'encoded'; id: number; embeddings: Float32Array; dim: number; info: ModelInfo }
  | { type: 'cacheListed'; id: number; models: CachedModel[]; embeddings: number }
  | { type: 'cacheCleared'; id: number }
  | { type: 'picked'; id: number; source: Extract<ModelSource, { kind: 'picked' }>; dtypes: Dtype[] }
  | { type: 'error'; id: number; error: WireError };

export const ENCODER_REPLIES = {
  loadModel: 'modelLoaded',
  encode: 'encoded',
  listCache: 'cacheListed',
  clearCache: 'cacheCleared',
  stagePicked: 'picked',
} as const;

export interface EncoderProgress {
  loadModel: DownloadProgress;
  encode: DownloadProgress | EncodeProgress;
  listCache: never;
  clearCache: never;
  stagePicked: never;
}

export interface EncoderProtocol {
  command: EncoderCommand;
  event: EncoderEvent;
  replies: typeof ENCODER_REPLIES;
  progress: EncoderProgress;
  notice: EncoderNotice;
}

/**
 * Identifies a model configuration in the embedding cache: the weights (source and dtype) and the
 * pooling. Not the device: WebGPU and WASM agree to float rounding (tested), so either may fill it.
 */
export function modelKey(spec: TransformerSpec): string {
  const { source } = spec;
  const model = source.kind === 'hub' ? `hf:${source.id}` : source.kind === 'served' ? `served:${source.name}` : `picked:${source.key}`;
  return `${model}|${spec.dtype}|${spec.pooling}`;
}

/** How the model cache (model-cache.ts, listCachedModels) names the files of `source`. */
export function cachedModelName(source: ModelSource): string {
  switch (source.kind) {
    case 'hub':
      return source.id;
    case 'served':
      return `served/${source.name}`;
    case 'picked':
      return `picked/${source.key}`;
  }
}

export function sourceName(source: ModelSource): string {
  switch (source.kind) {
    case 'hub':
      return `hf:${source.id}`;
    case 'served':
      return `served:${source.name}`;
    case 'picked':
      return `local:${source.name}`;
  }
}

/** Where a model ran, in words: "WebGPU, 384-d" or "WASM, 384-d (no WebGPU adapter)". */
export function describeModelDevice(model: ModelInfo): string {
  return `${model.device === 'webgpu' ? 'WebGPU' : 'WASM'}, ${model.dim}-d${model.deviceNote ? ` (${model.deviceNote})` : ''}`;
}
