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
  /** The transformer's sizes from config.json (what layer tuning needs to plan); absent in runs stored before it. */
  architecture?: ModelArchitecture | null;
}

/** A transformer encoder's sizes, as its config.json gives them. */
export interface ModelArchitecture {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
}

/** The sizes in a config.json (BERT / XLM-R names), or null when any is missing. */
export function architectureOf(config: Record<string, unknown>): ModelArchitecture | null {
  const sizes = [config.num_hidden_layers, config.hidden_size, config.num_attention_heads, config.intermediate_size];
  if (!sizes.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)) return null;
  const [layers, hidden, heads, intermediate] = sizes as number[];
  return { layers, hidden, heads, intermediate };
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
