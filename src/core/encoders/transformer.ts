/**
 * The runtime-free half of a transformer sentence encoder, shared by onnxruntime-node (command
 * line) and the browser's encoder worker: prefixes, truncation, batches grouped by token length,
 * padding, pooling and normalisation. Loading the tokenizer and model is the caller's; they come in
 * as the two small interfaces below, so both runtimes go through the same maths.
 */
import { clsPoolNormalised, meanPoolNormalised, planLengthBatches, type BatchPlan } from './pooling';
import type { EncodeOptions, TextRole } from './types';
import { nextTurn } from '../scheduling';

/**
 * How token states become one vector (design.md leaves it per model): `mean` over the attention
 * mask (sentence-transformers MiniLM, e5), `cls` the first token's state (LaBSE's CLS pooling).
 */
export type Pooling = 'mean' | 'cls';

export interface TransformerSettings {
  pooling: Pooling;
  /** Prepended to queries / passages before tokenising (e5: 'query: ' / 'passage: '). */
  queryPrefix: string;
  passagePrefix: string;
  /** Rows per model call; texts are grouped by token length first to cut padding. */
  batchSize: number;
  /** Longest input in tokens, special tokens included; longer texts keep their start and their last (</s>) token. */
  maxTokens: number;
}

export const DEFAULT_TRANSFORMER_SETTINGS: Readonly<Omit<TransformerSettings, 'maxTokens'>> = {
  pooling: 'mean',
  queryPrefix: '',
  passagePrefix: '',
  batchSize: 32,
};

export interface TokenizerLike {
  /** Token ids with the model's special tokens (<s> ... </s>). */
  encode(text: string): number[];
  readonly padTokenId: number;
}

/** One forward pass: int64 ids and mask [rows, seq] in, last hidden states [rows, seq, dim] out. */
export type RunModel = (inputIds: BigInt64Array, attentionMask: BigInt64Array, rows: number, seq: number) => Promise<Float32Array>;

export interface TransformerEncodeOptions extends EncodeOptions {
  /** Receives the batch plan before the first batch runs (padding saved by grouping). */
  onPlan?: (plan: BatchPlan) => void;
}

export function prefixFor(settings: Pick<TransformerSettings, 'queryPrefix' | 'passagePrefix'>, role: TextRole): string {
  return role === 'query' ? settings.queryPrefix : settings.passagePrefix;
}

/** Encodes texts into L2-normalised rows of `dim`, in input order, one length-grouped batch at a time. */
export async function encodeWithModel(
  texts: readonly string[],
  role: TextRole,
  tokenizer: TokenizerLike,
  run: RunModel,
  dim: number,
  settings: TransformerSettings,
  { onProgress, signal, onPlan }: TransformerEncodeOptions = {},
): Promise<Float32Array> {
  const prefix = prefixFor(settings, role);
  const ids = texts.map((text) => truncate(tokenizer.encode(prefix + text), settings.maxTokens));
  const plan = planLengthBatches(ids.map((row) => row.length), settings.batchSize);
  onPlan?.(plan);
  const pool = settings.pooling === 'cls' ? clsPoolNormalised : meanPoolNormalised;

  const out = new Float32Array(texts.length * dim);
  let done = 0;
  onProgress?.(0, texts.length);
  for (const batch of plan.batches) {
    signal?.throwIfAborted();
    const seq = Math.max(...batch.map((i) => ids[i].length));
    const inputIds = new BigInt64Array(batch.length * seq).fill(BigInt(tokenizer.padTokenId));
    const attentionMask = new BigInt64Array(batch.length * seq);
    batch.forEach((textIndex, row) => {
      ids[textIndex].forEach((id, t) => {
        inputIds[row * seq + t] = BigInt(id);
        attentionMask[row * seq + t] = 1n;
      });
    });
    const hidden = await run(inputIds, attentionMask, batch.length, seq);
    if (hidden.length !== batch.length * seq * dim) {
      throw new Error(`the model returned ${hidden.length} values for a ${batch.length} x ${seq} batch; expected ${batch.length * seq * dim} (hidden size ${dim}).`);
    }
    pool(hidden, attentionMask, batch.length, seq, dim, out, batch);
    done += batch.length;
    onProgress?.(done, texts.length);
    await nextTurn();
  }
  return out;
}

function truncate(ids: number[], maxTokens: number): number[] {
  return ids.length <= maxTokens ? ids : [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]];
}

/** "N texts in B batches, T tokens; padding x% of model input grouped by length (y% in input order)". */
export function describePlan(texts: number, plan: BatchPlan): string {
  return `${texts} texts in ${plan.batches.length} batches, ${plan.tokens} tokens; padding ` +
    `${paddingShare(plan.paddedTokens, plan.tokens).toFixed(1)}% of model input grouped by length ` +
    `(${paddingShare(plan.paddedTokensInInputOrder, plan.tokens).toFixed(1)}% in input order)`;
}

/** Percentage of model input that is padding. */
export function paddingShare(paddedTokens: number, tokens: number): number {
  return paddedTokens ? (100 * (paddedTokens - tokens)) / paddedTokens : 0;
}
