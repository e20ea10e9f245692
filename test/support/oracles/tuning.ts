/**
 * The plain reference of the layer tuner's forward pass and loss: one text at a time, float64
 * throughout, nested loops straight from the definitions in src/core/tuning/layer.ts (padded keys
 * simply left out of the softmax). No backward: the tests differentiate it by central finite
 * differences, which float64 makes accurate to ~1e-9, and compare with the CPU engine's gradients.
 */
import { erf } from '../../../src/core/tuning/gelu';
import { LINEAR_NAMES, NORM_NAMES, type LayerShape, type LayerWeights } from '../../../src/core/tuning/layer';

/** One layer's parameters in float64, keyed `group.param` ('query.weight', 'outputNorm.gamma', ...). */
export type ReferenceLayer = Record<string, Float64Array>;

export function toReference(layer: LayerWeights): ReferenceLayer {
  const out: ReferenceLayer = {};
  for (const name of LINEAR_NAMES) {
    out[`${name}.weight`] = Float64Array.from(layer[name].weight);
    out[`${name}.bias`] = Float64Array.from(layer[name].bias);
  }
  for (const name of NORM_NAMES) {
    out[`${name}.gamma`] = Float64Array.from(layer[name].gamma);
    out[`${name}.beta`] = Float64Array.from(layer[name].beta);
  }
  return out;
}

/** y[t] = Σ_i x[t][i] W[i][o] + b[o] for W stored [in, out]. */
function linear(x: number[][], p: ReferenceLayer, name: string): number[][] {
  const w = p[`${name}.weight`];
  const b = p[`${name}.bias`];
  const outDim = b.length;
  return x.map((row) => Array.from({ length: outDim }, (_, o) => {
    let s = b[o];
    for (let i = 0; i < row.length; i++) s += row[i] * w[i * outDim + o];
    return s;
  }));
}

function layerNorm(x: number[][], p: ReferenceLayer, name: string, eps: number): number[][] {
  const gamma = p[`${name}.gamma`];
  const beta = p[`${name}.beta`];
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
    return row.map((v, t) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[t] + beta[t]);
  });
}

/** One text's tokens [seq][hidden] through one layer; `tokens[j]` says whether key j is a token. */
function referenceLayer(x: number[][], tokens: boolean[], p: ReferenceLayer, shape: LayerShape): number[][] {
  const { hidden, heads, layerNormEps } = shape;
  const size = hidden / heads;
  const q = linear(x, p, 'query');
  const k = linear(x, p, 'key');
  const v = linear(x, p, 'value');
  const context = x.map(() => new Array<number>(hidden).fill(0));
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < x.length; i++) {
      const scores = x.map((_, j) => {
        let s = 0;
        for (let t = h * size; t < (h + 1) * size; t++) s += q[i][t] * k[j][t];
        return s / Math.sqrt(size);
      });
      const keys = scores.map((_, j) => j).filter((j) => tokens[j]);
      const max = Math.max(...keys.map((j) => scores[j]));
      const total = keys.reduce((a, j) => a + Math.exp(scores[j] - max), 0);
      for (const j of keys) {
        const weight = Math.exp(scores[j] - max) / total;
        for (let t = h * size; t < (h + 1) * size; t++) context[i][t] += weight * v[j][t];
      }
    }
  }
  const attended = linear(context, p, 'attentionOutput');
  const h1 = layerNorm(x.map((row, i) => row.map((value, t) => value + attended[i][t])), p, 'attentionNorm', layerNormEps);
  const g = linear(h1, p, 'intermediate').map((row) => row.map((z) => 0.5 * z * (1 + erf(z / Math.SQRT2))));
  const f = linear(g, p, 'output');
  return layerNorm(h1.map((row, i) => row.map((value, t) => value + f[i][t])), p, 'outputNorm', layerNormEps);
}

export interface ReferenceBatch {
  /** [batch, seq, hidden] row-major. */
  hidden: ArrayLike<number>;
  mask: ArrayLike<number>;
  batch: number;
  seq: number;
}

/** The stack's output per text: [batch][seq][hidden]. */
export function referenceForward(layers: readonly ReferenceLayer[], input: ReferenceBatch, shape: LayerShape): number[][][] {
  const { batch, seq } = input;
  const { hidden } = shape;
  return Array.from({ length: batch }, (_, b) => {
    let x = Array.from({ length: seq }, (_, t) => Array.from({ length: hidden }, (_, d) => input.hidden[(b * seq + t) * hidden + d]));
    const tokens = Array.from({ length: seq }, (_, t) => input.mask[b * seq + t] !== 0);
    for (const p of layers) x = referenceLayer(x, tokens, p, shape);
    return x;
  });
}

/** Pooled (mean over tokens or token 0), L2-normalised, InfoNCE of n questions against n answers. */
export function referenceLoss(
  layers: readonly ReferenceLayer[], input: ReferenceBatch, shape: LayerShape,
  pooling: 'mean' | 'cls', n: number, temperature: number,
): number {
  const out = referenceForward(layers, input, shape);
  const u = out.map((rows, b) => {
    const kept = pooling === 'cls' ? [rows[0]] : rows.filter((_, t) => input.mask[b * input.seq + t] !== 0);
    const mean = rows[0].map((_, d) => kept.reduce((a, row) => a + row[d], 0) / kept.length);
    const norm = Math.sqrt(mean.reduce((a, v) => a + v * v, 0));
    return mean.map((v) => v / norm);
  });
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: n }, (_, j) => u[i].reduce((a, v, d) => a + v * u[n + j][d], 0) / temperature);
    const max = Math.max(...s);
    loss += max + Math.log(s.reduce((a, v) => a + Math.exp(v - max), 0)) - s[i];
  }
  return loss / n;
}
