/**
 * The hidden states entering the first tuned layer, for every text, computed once by the frozen
 * bottom of the model (onnx-layers.ts's bottom graph) on any onnxruntime: the runtime-free half
 * shared by the lab worker (onnxruntime-web) and the command line (onnxruntime-node). Texts are run
 * in length-grouped batches, and each text keeps only its own rows (no padding).
 */
import { planLengthBatches } from '../encoders/pooling';
import type { HiddenStateTable } from './layer-model';
import type { OrtLike, OrtMatmulOptions } from '../linalg/ort-matmul';

/** Token ids of many texts in one buffer: text i is ids[offsets[i] .. offsets[i + 1] - 1]. */
export interface TokenizedTexts {
  ids: Int32Array;
  offsets: Int32Array;
}

/** Packs per-text token ids into TokenizedTexts. */
export function packTokens(rows: readonly number[][]): TokenizedTexts {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, i) => (offsets[i + 1] = offsets[i] + row.length));
  const ids = new Int32Array(offsets[rows.length]);
  rows.forEach((row, i) => ids.set(row, offsets[i]));
  return { ids, offsets };
}

/**
 * One run of the bottom graph: int64 inputs by name ([rows, seq]) in, the hidden states
 * [rows, seq, hidden] out. `inputNames` are the graph's (input_ids, attention_mask, and
 * token_type_ids for BERT exports, fed zeros).
 */
export interface BottomRunner {
  inputNames: readonly string[];
  run(inputs: Record<string, { data: BigInt64Array; dims: [number, number] }>): Promise<Float32Array>;
}

/**
 * The bottom graph (onnx-layers.ts's bottomModel) in a session of any onnxruntime (node or web, passed
 * in as for ortMatmul), as a BottomRunner. The caller releases the session.
 */
export async function ortBottomRunner(ort: OrtLike, bottomGraph: Uint8Array, options: OrtMatmulOptions = {}): Promise<BottomRunner & { release(): Promise<void> }> {
  const session = await ort.InferenceSession.create(bottomGraph, options.executionProviders ? { executionProviders: options.executionProviders } : {});
  return {
    inputNames: session.inputNames,
    async run(inputs) {
      const feeds = Object.fromEntries(Object.entries(inputs).map(([name, { data, dims }]) => [name, new ort.Tensor('int64', data, dims)]));
      const outputs = await session.run(feeds);
      return outputs[session.outputNames[0]].data as Float32Array;
    },
    release: () => session.release(),
  };
}

/** Texts per run of the bottom layers. */
const BOTTOM_BATCH = 32;

export async function computeHiddenStates(
  tokens: TokenizedTexts,
  hidden: number,
  bottom: BottomRunner,
  { signal, onProgress }: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<HiddenStateTable> {
  const count = tokens.offsets.length - 1;
  const lengths = Array.from({ length: count }, (_, i) => tokens.offsets[i + 1] - tokens.offsets[i]);
  const states = new Float32Array(tokens.offsets[count] * hidden);
  let done = 0;
  onProgress?.(0, count);
  for (const batch of planLengthBatches(lengths, BOTTOM_BATCH).batches) {
    signal?.throwIfAborted();
    const seq = Math.max(...batch.map((i) => lengths[i]));
    const dims: [number, number] = [batch.length, seq];
    const ids = new BigInt64Array(batch.length * seq);
    const mask = new BigInt64Array(batch.length * seq);
    batch.forEach((text, row) => {
      for (let t = 0; t < lengths[text]; t++) {
        ids[row * seq + t] = BigInt(tokens.ids[tokens.offsets[text] + t]);
        mask[row * seq + t] = 1n;
      }
    });
    const inputs: Record<string, { data: BigInt64Array; dims: [number, number] }> = {};
    for (const name of bottom.inputNames) {
      if (name === 'input_ids') inputs[name] = { data: ids, dims };
      else if (name === 'attention_mask') inputs[name] = { data: mask, dims };
      else if (name === 'token_type_ids') inputs[name] = { data: new BigInt64Array(batch.length * seq), dims };
      else throw new Error(`The model's bottom layers need an input that layer tuning does not give: ${name} (it gives input_ids, attention_mask and token_type_ids).`);
    }
    const output = await bottom.run(inputs);
    if (output.length !== batch.length * seq * hidden) {
      throw new Error(`The bottom layers returned ${output.length} values for a ${batch.length} x ${seq} batch; expected ${batch.length * seq * hidden} (hidden size ${hidden}).`);
    }
    batch.forEach((text, row) => {
      states.set(output.subarray(row * seq * hidden, (row * seq + lengths[text]) * hidden), tokens.offsets[text] * hidden);
    });
    done += batch.length;
    onProgress?.(done, count);
  }
  return { hidden, offsets: tokens.offsets, states };
}
