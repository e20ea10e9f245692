/**
 * One encoder layer as the layer tuner sees it (design.md, "Tuning the encoder (top layers)"): the
 * BERT-family post-LayerNorm block that MiniLM, e5, LaBSE, XLM-R and `make-test-model` all use.
 *
 *   a   = softmax(q kᵀ / sqrt(headSize) + maskBias) v          per head, q = x Wq + bq, ...
 *   h   = LayerNorm(x + a Wo + bo; attentionNorm, eps)
 *   out = LayerNorm(h + gelu_erf(h Wi + bi) Wf + bf; outputNorm, eps)
 *
 * Weights are stored the way ONNX exports keep them for `MatMul`: `weight` is [in, out] row-major, so
 * y = x · weight + bias (PyTorch's nn.Linear keeps the transpose, [out, in]).
 */

export interface LayerShape {
  hidden: number;
  heads: number;
  intermediate: number;
  /** The config's layer_norm_eps (1e-12 for BERT/MiniLM/LaBSE/e5, 1e-5 for XLM-R). */
  layerNormEps: number;
}

export interface Linear {
  /** [in, out], row-major. */
  weight: Float32Array;
  /** [out]. */
  bias: Float32Array;
}

export interface Norm {
  gamma: Float32Array;
  beta: Float32Array;
}

export interface LayerWeights {
  query: Linear;
  key: Linear;
  value: Linear;
  attentionOutput: Linear;
  attentionNorm: Norm;
  intermediate: Linear;
  output: Linear;
  outputNorm: Norm;
}

/** The parameter groups in a fixed order (gradients, optimiser state and exports walk them in it). */
export const LINEAR_NAMES = ['query', 'key', 'value', 'attentionOutput', 'intermediate', 'output'] as const;
export const NORM_NAMES = ['attentionNorm', 'outputNorm'] as const;

export function layerParameterCount({ hidden, intermediate }: LayerShape): number {
  const linears = 4 * (hidden * hidden + hidden) + (hidden * intermediate + intermediate) + (intermediate * hidden + hidden);
  return linears + 2 * 2 * hidden;
}

/** What a training run tunes: a projection head on the frozen encoder's vectors, or the encoder's top `layers` layers. */
export type TuneChoice = { kind: 'head' } | { kind: 'layers'; layers: number };

/** The bytes the hidden-state cache of `tokens` tokens takes (float32, `hidden` wide). */
export function hiddenCacheBytes(tokens: number, hidden: number): number {
  return tokens * hidden * 4;
}
