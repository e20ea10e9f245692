/**
 * The runtime-free half of the layer tuner's frozen part (design.md, "Tuning the encoder (top
 * layers)"): texts -> the hidden states entering the first tuned layer, one unpadded [tokens, hidden]
 * block per text, through the same tokenisation, prefixes, truncation and length-grouped batches as
 * the encoder (encoders/transformer.ts); and those blocks padded back into an engine's batch. The
 * model call is injected (onnxruntime-node in src/node/hidden-states.ts; onnxruntime-web in a worker).
 */
import { runInBatches, type RunModel, type TokenizerLike, type TransformerEncodeOptions, type TransformerSettings } from '../encoders/transformer';
import type { TextRole } from '../encoders/types';
import type { LayerInput } from './engine';

/** One text's hidden states: `tokens` rows of `hidden` values (its attention mask is all ones). */
export interface TextHiddenStates {
  tokens: number;
  /** [tokens, hidden] row-major. */
  states: Float32Array;
}

/** Runs `run` (a model whose output is the hidden state entering the first tuned layer) over the texts; input order. */
export async function hiddenStatesOf(
  texts: readonly string[],
  role: TextRole,
  tokenizer: TokenizerLike,
  run: RunModel,
  hidden: number,
  settings: TransformerSettings,
  options: TransformerEncodeOptions = {},
): Promise<TextHiddenStates[]> {
  const out: TextHiddenStates[] = new Array(texts.length);
  await runInBatches(texts, role, tokenizer, run, hidden, settings, options, (result) => {
    result.batch.forEach((textIndex, row) => {
      let tokens = 0;
      while (tokens < result.seq && result.attentionMask[row * result.seq + tokens] === 1n) tokens++;
      const start = row * result.seq * hidden;
      out[textIndex] = { tokens, states: result.hidden.slice(start, start + tokens * hidden) };
    });
  });
  return out;
}

/** Texts' hidden states as one engine batch: padded to the longest with zeros (finite, masked out). */
export function layerInputOf(texts: readonly TextHiddenStates[], hidden: number): LayerInput {
  const batch = texts.length;
  const seq = Math.max(1, ...texts.map((t) => t.tokens));
  const input: LayerInput = { hidden: new Float32Array(batch * seq * hidden), mask: new Uint8Array(batch * seq), batch, seq };
  texts.forEach((text, row) => {
    if (text.states.length !== text.tokens * hidden) {
      throw new RangeError(`text ${row} has ${text.states.length} values for ${text.tokens} tokens of ${hidden}: its hidden states are not the model's width.`);
    }
    input.hidden.set(text.states, row * seq * hidden);
    input.mask.fill(1, row * seq, row * seq + text.tokens);
  });
  return input;
}
