/**
 * A transformer sentence encoder loaded with transformers.js: the same code on onnxruntime-node (the
 * command line) and onnxruntime-web (the encoder worker, WASM or WebGPU). Where the files come from
 * (a local folder, the hub, the browser cache) is set on transformers.js's `env` by the caller;
 * this module loads, checks that the model is an encoder, and encodes through the shared maths in
 * src/core/encoders/transformer.ts.
 */
import { AutoConfig, AutoModel, AutoTokenizer, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { DEFAULT_TRANSFORMER_SETTINGS, describePlan, encodeWithModel, type TransformerSettings } from '../core/encoders/transformer';
import { DTYPE_FILES, type Dtype } from '../core/encoders/model-folder';

import type { EncodeOptions, SentenceEncoder, TextRole } from '../core/encoders/types';
import type { BatchPlan } from '../core/encoders/pooling';
import type { WebDevice } from '../core/encoders/model-spec';
import { damagedFileError, ModelFileError, TOKENIZER_FILES } from './model-errors';

/** Where transformers.js runs a model: the CPU in Node, WASM or WebGPU in a browser. */
export type Device = 'cpu' | WebDevice;

/** transformers.js's file progress events, as far as this project reads them. */
export interface FileProgress {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

export interface LoadTransformerOptions extends Partial<TransformerSettings> {
  dtype: Dtype;
  device: Device;
  /** The encoder's id in reports (`onnx:<folder>`, `hf:<id>`). */
  name: string;
  onFileProgress?: (progress: FileProgress) => void;
  /** onnxruntime-node's intra-op threads (benchmarks match the browser's); the runtime's default when unset. */
  threads?: number;
  /** Receives one line per encode call on batching and the padding it saved. */
  log?: (message: string) => void;
}

export interface TransformerEncoder extends SentenceEncoder {
  readonly device: Device;
  readonly settings: TransformerSettings;
  /** The batch plan of the last encode call. */
  readonly lastPlan: BatchPlan | null;
  dispose(): Promise<void>;
}

const OUTPUT_NAME = 'last_hidden_state';

/** Loads tokenizer and model of `modelId` as transformers.js resolves it (local path or hub id). */
export async function loadTransformerEncoder(modelId: string, options: LoadTransformerOptions): Promise<TransformerEncoder> {
  const weights = DTYPE_FILES[options.dtype];
  // The file read last: transformers.js parses each file right after reading it, so a file that
  // is not JSON fails before the next one is read.
  let lastRead: string | null = null;
  const progress_callback = (info: unknown) => {
    const progress = info as FileProgress;
    if (progress.status === 'done' && progress.file) lastRead = progress.file;
    options.onFileProgress?.(progress);
  };
  const stage = <T>(files: string[], load: () => Promise<T>) =>
    load().catch((error: unknown) => {
      throw damagedFileError(error, options.name, files, lastRead) ?? error;
    });
  // The config first: a wrong id fails here, on the file every model has, with a plain "not found"
  // (a missing tokenizer_config.json alone makes transformers.js go on without a tokenizer).
  await stage(['config.json'], () => AutoConfig.from_pretrained(modelId, { progress_callback }));
  const tokenizer = await stage(TOKENIZER_FILES, () => AutoTokenizer.from_pretrained(modelId, { progress_callback }));
  const session_options = options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : undefined;
  const model = await stage([weights], () => AutoModel.from_pretrained(modelId, { dtype: options.dtype, device: options.device, progress_callback, session_options }));
  const dim = await checkEncoder(model, options.name, weights);
  const settings: TransformerSettings = {
    ...DEFAULT_TRANSFORMER_SETTINGS,
    ...withoutUndefined(options),
    maxTokens: options.maxTokens ?? maxTokensOf(tokenizer, model.config as ModelConfig),
  };
  const tokens = { encode: (text: string) => tokenizer.encode(text), padTokenId: tokenizer.pad_token_id };
  const run = (inputIds: BigInt64Array, attentionMask: BigInt64Array, rows: number, seq: number) =>
    runModel(model, {
      input_ids: new Tensor('int64', inputIds, [rows, seq]),
      attention_mask: new Tensor('int64', attentionMask, [rows, seq]),
    });
  let lastPlan: BatchPlan | null = null;

  return {
    id: options.name,
    dim,
    device: options.device,
    settings,
    get lastPlan() {
      return lastPlan;
    },
    encode: (texts: string[], role: TextRole, encodeOptions: EncodeOptions = {}) =>
      encodeWithModel(texts, role, tokens, run, dim, settings, {
        ...encodeOptions,
        onPlan: (plan) => {
          lastPlan = plan;
          options.log?.(`${options.name}: ${describePlan(texts.length, plan)}`);
        },
      }),
    dispose: () => model.dispose().then(() => undefined),
  };
}

interface ModelConfig {
  hidden_size?: number;
  max_position_embeddings?: number;
  model_type?: string;
}

/** A sentence encoder returns token states: a `last_hidden_state` output and a hidden size. */
async function checkEncoder(model: PreTrainedModel, name: string, weights: string): Promise<number> {
  const session: { outputNames?: unknown } | undefined = model.sessions.model;
  const outputs = Array.isArray(session?.outputNames) ? session.outputNames : [];
  const { hidden_size: dim, model_type: type } = model.config as ModelConfig;
  if (!outputs.includes(OUTPUT_NAME) || !Number.isInteger(dim) || !dim || dim <= 0) {
    await model.dispose();
    throw new ModelFileError(`${name} is not a sentence encoder: ` +
      (outputs.includes(OUTPUT_NAME) ? 'its config.json has no positive integer hidden_size: copy the config.json of the export again ' +
        '(hidden_size is the width of its last_hidden_state).'
        : `its ONNX model has no '${OUTPUT_NAME}' output (outputs: ${outputs.join(', ') || 'none'}${type ? `; model type ${type}` : ''}) in ${weights}. ` +
          'Choose a sentence encoder exported for feature extraction (Optimum: --task feature-extraction).'));
  }
  return dim;
}

/** XLM-R-style models reserve two positions (padding_idx + 1), so 514 positions hold 512 tokens. */
function maxTokensOf(tokenizer: PreTrainedTokenizer, config: ModelConfig): number {
  const fromModel = config.max_position_embeddings === undefined ? Infinity
    : config.max_position_embeddings - (config.model_type === 'xlm-roberta' ? 2 : 0);
  const fromTokenizer = Number.isFinite(tokenizer.model_max_length) ? tokenizer.model_max_length : Infinity;
  const limit = Math.min(fromModel, fromTokenizer);
  return Number.isFinite(limit) ? limit : 512;
}

async function runModel(model: PreTrainedModel, inputs: { input_ids: Tensor; attention_mask: Tensor }): Promise<Float32Array> {
  const outputs: Record<string, unknown> = await model(inputs);
  const hidden = outputs[OUTPUT_NAME];
  if (!(hidden instanceof Tensor)) throw new Error(`the model did not return '${OUTPUT_NAME}'.`);
  // fp16 models on WebGPU may return float16 states: pooling runs in float32 either way.
  if (hidden.data instanceof Float32Array) return hidden.data;
  return Float32Array.from(hidden.data as ArrayLike<number>);
}

function withoutUndefined(options: Partial<TransformerSettings>): Partial<TransformerSettings> {
  const { pooling, queryPrefix, passagePrefix, batchSize } = options;
  return Object.fromEntries(Object.entries({ pooling, queryPrefix, passagePrefix, batchSize }).filter(([, v]) => v !== undefined));
}
