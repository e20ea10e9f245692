/**
 * A transformer encoder as the notebook and the CLI name it: where its files come from, the
 * weights, the device asked for, pooling and prefixes (TransformerSpec), and what a loaded model
 * turned out to be (ModelInfo). Shared by the app's settings, the lab and encoder workers'
 * protocols and the reports, so that none of them imports another's.
 */
import type { Dtype } from './model-folder';
import type { Pooling } from './transformer';

/** Where a model runs in a browser (Node runs it on the CPU). */
export type WebDevice = 'wasm' | 'webgpu';

/** Where a model's files come from. */
export type ModelSource =
  /** A hub repository, fetched from `host` (huggingface.co or a mirror) and kept in the browser cache. */
  | { kind: 'hub'; id: string; host: string }
  /** A folder the dev or preview server serves at /models/<name>/ (XLING_MODELS_DIR). */
  | { kind: 'served'; name: string }
  /** A folder the user picked or dropped, copied into the browser cache under /models/picked/<key>/. */
  | { kind: 'picked'; key: string; name: string };

export type DeviceChoice = 'auto' | WebDevice;

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
  device: WebDevice;
  /** Why the device is not the one asked for (no WebGPU adapter, no shader-f16, device lost). */
  deviceNote: string | null;
  dtype: Dtype;
  maxTokens: number;
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
