/** Random layer stacks and batches for the layer-tuning tests (weights away from any special value). */
import { seededRandom } from '../../src/core/linalg/random';
import type { LayerInput } from '../../src/core/tuning/engine';
import { zeroLayerWeights } from '../../src/core/tuning/cpu-layer';
import { LINEAR_NAMES, NORM_NAMES, type LayerShape, type LayerWeights } from '../../src/core/tuning/layer';

/**
 * K layers with uniform weights of variance 1/in (so activations stay O(1): attention far from
 * uniform, GELU far from linear), biases ±0.1, gammas 1 ± 0.25, betas ±0.1. With inputs of scale
 * `residualScale`, the first layer's attention output weights and bias are scaled by it (so the first residual sum
 * has variance ~residualScale², where eps 1e-5 matters when it is 0.01) and the query and key weights by
 * its inverse (so the attention scores stay O(1) and the attention gradients far from 0).
 */
export function randomLayers(shape: LayerShape, count: number, seed: number, residualScale = 1): LayerWeights[] {
  const random = seededRandom(seed);
  const uniform = (values: Float32Array, half: number, centre = 0) => {
    for (let i = 0; i < values.length; i++) values[i] = centre + half * (2 * random() - 1);
  };
  return Array.from({ length: count }, (_, k) => {
    const layer = zeroLayerWeights(shape);
    for (const name of LINEAR_NAMES) {
      const inDim = layer[name].weight.length / layer[name].bias.length;
      const scale = k > 0 ? 1 : name === 'attentionOutput' ? residualScale : name === 'query' || name === 'key' ? 1 / residualScale : 1;
      uniform(layer[name].weight, scale * Math.sqrt(3 / inDim));
      uniform(layer[name].bias, scale * 0.1);
    }
    for (const name of NORM_NAMES) {
      uniform(layer[name].gamma, 0.25, 1);
      uniform(layer[name].beta, 0.1);
    }
    return layer;
  });
}

/** A batch of texts with the given token counts (the rest padding, filled with noise that must not leak). */
export function randomInput(lengths: readonly number[], seq: number, hidden: number, seed: number, scale = 1): LayerInput {
  const random = seededRandom(seed);
  const batch = lengths.length;
  const mask = new Uint8Array(batch * seq);
  lengths.forEach((length, b) => mask.fill(1, b * seq, b * seq + length));
  const values = Float32Array.from({ length: batch * seq * hidden }, () => scale * (2 * random() - 1));
  return { hidden: values, mask, batch, seq };
}

/** The weights moved by a fixed pattern of ±0.03 (every parameter changes; a tuned layer stand-in). */
export function perturbedLayer(weights: LayerWeights): LayerWeights {
  const bump = (values: Float32Array) => values.map((v, i) => v + 0.01 * ((i % 7) - 3));
  const out = zeroLayerWeights({ hidden: weights.query.bias.length, heads: 1, intermediate: weights.intermediate.bias.length, layerNormEps: 0 });
  for (const name of LINEAR_NAMES) out[name] = { weight: bump(weights[name].weight), bias: bump(weights[name].bias) };
  for (const name of NORM_NAMES) out[name] = { gamma: bump(weights[name].gamma), beta: bump(weights[name].beta) };
  return out;
}

/** The rows of `values` ([batch · seq, dim]) that are tokens, one after another: what engines promise. */
export function tokenRows(values: ArrayLike<number>, mask: Uint8Array, dim: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < mask.length; r++) if (mask[r] !== 0) for (let d = 0; d < dim; d++) out.push(values[r * dim + d]);
  return out;
}
