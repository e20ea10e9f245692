/**
 * The encoder's top K layers as a TrainableModel (src/core/training/run.ts), so a layer run goes
 * through the same session as a head: batches, split, InfoNCE, AdamW with warm-up, validation,
 * held-out checks, Stop keeping the best so far.
 *
 * Inputs are the hidden states entering the first tuned layer, computed once by the frozen bottom of
 * the model and cached per text (HiddenStates). A step gathers the batch's 2n texts (n questions,
 * then their n answers), pads them to the longest, runs the stack forward and backward on the
 * engine with the pooling + L2 + InfoNCE loss of loss.ts, and updates every weight with AdamW.
 * Weight decay follows the usual transformer fine-tuning convention (sentence-transformers, Hugging
 * Face): it applies to the matrices, not to biases or LayerNorm parameters.
 */
import type { Pooling } from '../encoders/transformer';
import { adamwUpdate, learningRateAt } from '../training/optimizer';
import type { ModelTrainingInputs, TrainableModel } from '../training/run';
import type { DataSplit } from '../training/split';
import type { LayerInput, LayerStackEngine } from './engine';
import { LINEAR_NAMES, NORM_NAMES, type LayerWeights } from './layer';
import { poolingLoss, poolNormalised } from './loss';

/** Hidden states entering the first tuned layer: text i is rows offsets[i] .. offsets[i + 1] - 1 of `states` ([tokens, hidden]). */
export interface HiddenStateTable {
  hidden: number;
  /** texts + 1 entries, offsets[0] = 0. */
  offsets: Int32Array;
  states: Float32Array;
}

export interface HiddenStates {
  queries: HiddenStateTable;
  candidates: HiddenStateTable;
}

/** Texts per forward pass when embedding (sorted by length first, so padding stays small). */
const EMBED_TEXTS = 64;

export interface LayerModelOptions {
  engine: LayerStackEngine;
  /** The model file's weights of the tuned layers, bottom first: the starting point (copied, never changed). */
  initial: readonly LayerWeights[];
  pooling: Pooling;
  /** Hidden states of split.trainSource's and split.evaluationSource's texts. */
  trainStates: HiddenStates;
  evaluationStates: HiddenStates;
}

/** The inputs of a TrainingSession that tunes the top layers. */
export function layerModelInputs(split: DataSplit, options: LayerModelOptions): ModelTrainingInputs<LayerWeights[]> {
  const dim = options.engine.shape.hidden;
  return {
    split,
    dim,
    async createModel(settings): Promise<TrainableModel<LayerWeights[]>> {
      const { engine, pooling } = options;
      const layers = options.initial.map(cloneLayerWeights);
      const groups = layers.map(parameterGroups);
      const m = groups.map((g) => g.map(({ values }) => new Float32Array(values.length)));
      const v = groups.map((g) => g.map(({ values }) => new Float32Array(values.length)));
      const noDecay = { ...settings.optimizer, weightDecay: 0 };
      let t = 0;
      const statesOf = (side: 'train' | 'evaluation') => (side === 'train' ? options.trainStates : options.evaluationStates);
      return {
        backend: engine.backend,
        async step(batch) {
          const n = batch.size;
          const input = gatherTexts([
            { table: options.trainStates.queries, rows: batch.queryRows },
            { table: options.trainStates.candidates, rows: batch.answerRows },
          ]);
          const { loss, grads } = await engine.forwardBackward(layers, input, (output) =>
            poolingLoss(output, input.mask, input.batch, input.seq, dim, pooling, n, settings.temperature));
          const lr = learningRateAt(t, settings.optimizer);
          t++;
          grads.forEach((layerGrads, k) => {
            parameterGroups(layerGrads).forEach(({ values: grad }, g) => {
              const { values, decay } = groups[k][g];
              adamwUpdate(values, grad, m[k][g], v[k][g], t, lr, decay ? settings.optimizer : noDecay);
            });
          });
          return loss;
        },
        async snapshot() {
          return layers.map(cloneLayerWeights);
        },
        embed(side, kind, rows, params) {
          return embedTexts(engine, params ?? options.initial, statesOf(side)[kind], rows, pooling);
        },
        async dispose() {
          await engine.dispose();
        },
      };
    },
  };
}

/**
 * L2-normalised sentence embeddings of `rows` of a table through the layers: texts sorted by length
 * and run EMBED_TEXTS at a time, results in the order of `rows`.
 */
export async function embedTexts(
  engine: LayerStackEngine,
  layers: readonly LayerWeights[],
  table: HiddenStateTable,
  rows: Int32Array,
  pooling: Pooling,
): Promise<Float32Array> {
  const dim = table.hidden;
  const out = new Float32Array(rows.length * dim);
  const order = Array.from(rows.keys()).sort((a, b) => length(table, rows[a]) - length(table, rows[b]));
  for (let start = 0; start < order.length; start += EMBED_TEXTS) {
    const chunk = order.slice(start, start + EMBED_TEXTS);
    const input = gatherTexts([{ table, rows: Int32Array.from(chunk, (i) => rows[i]) }]);
    const output = await engine.forward(layers, input);
    const pooled = poolNormalised(output, input.mask, input.batch, input.seq, dim, pooling);
    chunk.forEach((target, i) => out.set(pooled.subarray(i * dim, (i + 1) * dim), target * dim));
  }
  return out;
}

/** The texts of `parts` in order, padded to the longest ([texts, seq, hidden], padding zero, mask 0). */
export function gatherTexts(parts: ReadonlyArray<{ table: HiddenStateTable; rows: Int32Array }>): LayerInput {
  const hidden = parts[0].table.hidden;
  let batch = 0;
  let seq = 1;
  for (const { table, rows } of parts) {
    batch += rows.length;
    for (const row of rows) seq = Math.max(seq, length(table, row));
  }
  const states = new Float32Array(batch * seq * hidden);
  const mask = new Uint8Array(batch * seq);
  let text = 0;
  for (const { table, rows } of parts) {
    for (const row of rows) {
      const from = table.offsets[row];
      const tokens = length(table, row);
      states.set(table.states.subarray(from * hidden, (from + tokens) * hidden), text * seq * hidden);
      mask.fill(1, text * seq, text * seq + tokens);
      text++;
    }
  }
  return { hidden: states, mask, batch, seq };
}

function length(table: HiddenStateTable, row: number): number {
  return table.offsets[row + 1] - table.offsets[row];
}

export function cloneLayerWeights(w: LayerWeights): LayerWeights {
  const linear = (l: LayerWeights['query']) => ({ weight: l.weight.slice(), bias: l.bias.slice() });
  const norm = (n: LayerWeights['attentionNorm']) => ({ gamma: n.gamma.slice(), beta: n.beta.slice() });
  return {
    query: linear(w.query), key: linear(w.key), value: linear(w.value), attentionOutput: linear(w.attentionOutput),
    attentionNorm: norm(w.attentionNorm), intermediate: linear(w.intermediate), output: linear(w.output), outputNorm: norm(w.outputNorm),
  };
}

/** Every parameter array of a layer in a fixed order, and whether weight decay applies to it. */
export function parameterGroups(w: LayerWeights): Array<{ values: Float32Array; decay: boolean }> {
  return [
    ...LINEAR_NAMES.flatMap((name) => [{ values: w[name].weight, decay: true }, { values: w[name].bias, decay: false }]),
    ...NORM_NAMES.flatMap((name) => [{ values: w[name].gamma, decay: false }, { values: w[name].beta, decay: false }]),
  ];
}
