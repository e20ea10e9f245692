/**
 * The conversation with the encoder worker, which owns transformers.js, the model sessions, the
 * browser's model cache and the embedding cache. The page sends every command; the lab worker
 * sends `encode` through a MessagePort the page hands it (so embeddings never pass through the
 * page). Like the lab protocol: every command has an `id`, any number of `progress` events, then
 * one terminal event.
 */
import type { CachedEncodeProgress } from '../../src/core/encoders/cached';
import type { ModelInfo, ModelSource, TransformerSpec } from '../../src/core/encoders/model-spec';
import type { Dtype } from '../../src/core/encoders/model-folder';
import type { TextRole } from '../../src/core/encoders/types';
import type { WireError } from '../rpc';
import type { TokenizedTexts } from '../../src/core/tuning/hidden-states';

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
  /** Token ids as the model reads the texts (layer tuning runs the model's bottom layers itself). */
  | { type: 'tokenize'; id: number; spec: TransformerSpec; texts: string[]; role: TextRole }
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
  | { type: 'tokenized'; id: number; tokens: TokenizedTexts }
  | { type: 'cacheListed'; id: number; models: CachedModel[]; embeddings: number }
  | { type: 'cacheCleared'; id: number }
  | { type: 'picked'; id: number; source: Extract<ModelSource, { kind: 'picked' }>; dtypes: Dtype[] }
  | { type: 'error'; id: number; error: WireError };

export const ENCODER_REPLIES = {
  loadModel: 'modelLoaded',
  encode: 'encoded',
  tokenize: 'tokenized',
  listCache: 'cacheListed',
  clearCache: 'cacheCleared',
  stagePicked: 'picked',
} as const;

export interface EncoderProgress {
  loadModel: DownloadProgress;
  encode: DownloadProgress | EncodeProgress;
  tokenize: DownloadProgress;
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
