/**
 * A sentence encoder from a local transformers.js model folder (`config.json`, `tokenizer.json`,
 * `onnx/model.onnx` with output `last_hidden_state`), run with transformers.js on onnxruntime-node:
 * the library and folder layout the browser uses, so both sides load models the same way.
 * Embedding = mean of the last hidden states over the attention mask, L2-normalised (design.md).
 */
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoModel, AutoTokenizer, Tensor, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { meanPoolNormalised, planLengthBatches, type BatchPlan } from '../core/encoders/pooling';
import type { EncodeOptions, SentenceEncoder, TextRole } from '../core/encoders/types';
import { nextTurn } from '../core/scheduling';

export interface OnnxEncoderOptions {
  /** Rows per model call; texts are grouped by token length first to cut padding. */
  batchSize: number;
  /** Prepended to queries / passages before tokenising (e5: 'query: ' / 'passage: '). */
  queryPrefix: string;
  passagePrefix: string;
  /** Longest input in tokens, <s> and </s> included; longer texts keep their start and their </s>. */
  maxTokens?: number;
  /** Receives one line per encode call on batching and the padding it saved. */
  log?: (message: string) => void;
}

export const DEFAULT_ONNX_ENCODER_OPTIONS: Readonly<OnnxEncoderOptions> = { batchSize: 32, queryPrefix: '', passagePrefix: '' };

/** The files a folder needs to be an encoder; checked first so that a wrong folder gets a plain message. */
const REQUIRED_FILES = ['config.json', 'tokenizer.json', join('onnx', 'model.onnx')];
const OUTPUT_NAME = 'last_hidden_state';

interface ModelConfig {
  hidden_size: number;
  max_position_embeddings?: number;
  model_type?: string;
}

export async function createOnnxEncoder(folder: string, options: Partial<OnnxEncoderOptions> = {}): Promise<SentenceEncoder> {
  const settings = { ...DEFAULT_ONNX_ENCODER_OPTIONS, ...options };
  const path = resolve(folder);
  const config = await readEncoderFolder(path);
  const { tokenizer, model } = await loadLocal(path);
  const maxTokens = settings.maxTokens ?? tokenizerMaxTokens(tokenizer, config);
  const dim = config.hidden_size;

  return {
    id: `onnx:${folder}`,
    dim,
    async encode(texts: string[], role: TextRole, { onProgress, signal }: EncodeOptions = {}) {
      const prefix = role === 'query' ? settings.queryPrefix : settings.passagePrefix;
      const ids = texts.map((text) => truncate(tokenizer.encode(prefix + text), maxTokens));
      const plan = planLengthBatches(ids.map((row) => row.length), settings.batchSize);
      settings.log?.(describePlan(texts.length, plan));

      const out = new Float32Array(texts.length * dim);
      let done = 0;
      onProgress?.(0, texts.length);
      for (const batch of plan.batches) {
        signal?.throwIfAborted();
        const seq = Math.max(...batch.map((i) => ids[i].length));
        const inputIds = new BigInt64Array(batch.length * seq).fill(BigInt(tokenizer.pad_token_id));
        const attentionMask = new BigInt64Array(batch.length * seq);
        batch.forEach((textIndex, row) => {
          ids[textIndex].forEach((id, t) => {
            inputIds[row * seq + t] = BigInt(id);
            attentionMask[row * seq + t] = 1n;
          });
        });
        const hidden = await runModel(model, {
          input_ids: new Tensor('int64', inputIds, [batch.length, seq]),
          attention_mask: new Tensor('int64', attentionMask, [batch.length, seq]),
        });
        meanPoolNormalised(hidden, attentionMask, batch.length, seq, dim, out, batch);
        done += batch.length;
        onProgress?.(done, texts.length);
        await nextTurn();
      }
      return out;
    },
  };
}

async function readEncoderFolder(path: string): Promise<ModelConfig> {
  const missing: string[] = [];
  for (const file of REQUIRED_FILES) {
    await access(join(path, file)).catch(() => missing.push(file));
  }
  if (missing.length) {
    throw new Error(`${path} is not an ONNX encoder folder: missing ${missing.join(', ')} ` +
      `(expected transformers.js layout: config.json, tokenizer.json, onnx/model.onnx; npm run make-test-model -- <folder> writes one).`);
  }
  const config: unknown = JSON.parse(await readFile(join(path, 'config.json'), 'utf8'));
  if (!isModelConfig(config)) throw new Error(`${join(path, 'config.json')} has no positive integer hidden_size.`);
  return config;
}

function isModelConfig(value: unknown): value is ModelConfig {
  if (typeof value !== 'object' || value === null || !('hidden_size' in value)) return false;
  return Number.isInteger(value.hidden_size) && Number(value.hidden_size) > 0;
}

/**
 * transformers.js resolves local models as `localModelPath/<id>`, and its env is global: set both
 * right before loading, with the hub off (none is reachable here, and a local folder must not be
 * silently replaced by a download).
 */
async function loadLocal(path: string): Promise<{ tokenizer: PreTrainedTokenizer; model: PreTrainedModel }> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(path);
  const id = basename(path);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const model = await AutoModel.from_pretrained(id, { dtype: 'fp32', device: 'cpu' });
  const session: { outputNames?: unknown } | undefined = model.sessions.model;
  const outputs = Array.isArray(session?.outputNames) ? session.outputNames : [];
  if (!outputs.includes(OUTPUT_NAME)) {
    await model.dispose();
    throw new Error(`${join(path, 'onnx', 'model.onnx')} is not a sentence encoder: it has no '${OUTPUT_NAME}' output ` +
      `(outputs: ${outputs.join(', ') || 'none'}).`);
  }
  return { tokenizer, model };
}

/** XLM-R-style models reserve two positions (padding_idx + 1), so 514 positions hold 512 tokens. */
function tokenizerMaxTokens(tokenizer: PreTrainedTokenizer, config: ModelConfig): number {
  const fromModel = config.max_position_embeddings === undefined ? Infinity
    : config.max_position_embeddings - (config.model_type === 'xlm-roberta' ? 2 : 0);
  const fromTokenizer = Number.isFinite(tokenizer.model_max_length) ? tokenizer.model_max_length : Infinity;
  const limit = Math.min(fromModel, fromTokenizer);
  return Number.isFinite(limit) ? limit : 512;
}

function truncate(ids: number[], maxTokens: number): number[] {
  // Keep the final special token (</s>) the post-processor added.
  return ids.length <= maxTokens ? ids : [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]];
}

async function runModel(model: PreTrainedModel, inputs: { input_ids: Tensor; attention_mask: Tensor }): Promise<Float32Array> {
  const outputs: Record<string, unknown> = await model(inputs);
  const hidden = outputs[OUTPUT_NAME];
  if (!(hidden instanceof Tensor) || !(hidden.data instanceof Float32Array)) {
    throw new Error(`the model did not return a float32 '${OUTPUT_NAME}'.`);
  }
  return hidden.data;
}

function describePlan(texts: number, plan: BatchPlan): string {
  const share = (padded: number) => (padded ? (100 * (padded - plan.tokens)) / padded : 0).toFixed(1);
  return `onnx encoder: ${texts} texts in ${plan.batches.length} batches, ${plan.tokens} tokens; padding ` +
    `${share(plan.paddedTokens)}% of model input grouped by length (${share(plan.paddedTokensInInputOrder)}% in input order)`;
}
