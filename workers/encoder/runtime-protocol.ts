/**
 * Between the encoder worker and its runtime sub-worker, which holds transformers.js, onnxruntime-web
 * and one model. The runtime lives in its own worker because a lost WebGPU device leaves
 * onnxruntime-web unusable in that realm (even for WASM sessions): the encoder worker then ends the
 * sub-worker and starts a fresh one on WASM.
 */
import type { TextRole } from '../../src/core/encoders/types';
import type { WireError } from '../rpc';
import type { DownloadProgress } from './protocol';
import type { TokenizedTexts } from '../../src/core/tuning/hidden-states';
import type { ModelInfo, TransformerSpec, WebDevice } from '../../src/core/encoders/model-spec';

export type RuntimeCommand =
  | { type: 'load'; id: number; spec: TransformerSpec; device: ModelInfo['device']; deviceNote: string | null }
  | { type: 'encode'; id: number; texts: string[]; role: TextRole }
  | { type: 'tokenize'; id: number; texts: string[]; role: TextRole }
  | { type: 'cancel'; id: number };

export type RuntimeEvent =
  | { type: 'progress'; id: number; progress: DownloadProgress | { phase: 'encode'; done: number; total: number } }
  | { type: 'loaded'; id: number; info: ModelInfo }
  | { type: 'encoded'; id: number; embeddings: Float32Array }
  | { type: 'tokenized'; id: number; tokens: TokenizedTexts }
  | { type: 'error'; id: number; error: WireError };

export const RUNTIME_REPLIES = { load: 'loaded', encode: 'encoded', tokenize: 'tokenized' } as const;

export interface RuntimeProtocol {
  command: RuntimeCommand;
  event: RuntimeEvent;
  replies: typeof RUNTIME_REPLIES;
  progress: { load: DownloadProgress; encode: { phase: 'encode'; done: number; total: number }; tokenize: never };
  notice: never;
}

/** transformers.js's Cache API cache (its `env.cacheKey`): models downloaded and folders picked. */
export const MODEL_CACHE_NAME = 'transformers-cache';

/**
 * The onnxruntime-web build a runtime worker loads, read from its worker name: "encoder-runtime
 * (webgpu)" loads the WebGPU build, any other name the plain WASM one (host.ts names them).
 */
export function runtimeBuildOf(workerName: string): WebDevice {
  return workerName.endsWith('(webgpu)') ? 'webgpu' : 'wasm';
}
