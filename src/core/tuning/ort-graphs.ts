/**
 * One post-LN encoder layer (layer.ts) as two generated ONNX graphs that any onnxruntime runs as
 * ordinary inference: the forward pass, which also returns what the backward pass needs, and the
 * hand-derived backward pass. onnxruntime-web has no training API, but it runs any graph; every
 * weight is a graph input (never an initializer), so one session serves every step's weights, and
 * the batch and sequence sizes are symbolic, so one session serves every batch.
 *
 * Only standard opset-17 ops that onnxruntime-node's CPU EP and onnxruntime-web's WASM and WebGPU EPs
 * all run: MatMul, Gemm, Add, Sub, Mul, Div, Sqrt, Erf, Exp, Softmax, ReduceMean, ReduceSum,
 * Transpose, Reshape, Unsqueeze. LayerNorm is written out (not the LayerNormalization op) so the
 * forward hands its normalised rows and 1/σ to the backward.
 *
 * Backward, per row of H features (N = batch·seq rows, dY the gradient arriving at a node's output):
 *   LayerNorm  y = x̂·γ + β, x̂ = (x − μ)·r, r = 1/√(var + eps) with the biased variance:
 *              dγ = Σ_rows dY⊙x̂, dβ = Σ_rows dY, dx = r·(g − mean(g) − x̂·mean(g⊙x̂)), g = dY⊙γ
 *   GELU (erf) gelu'(z) = ½(1 + erf(z/√2)) + z·e^(−z²/2)/√(2π)
 *   Linear     y = x·W + b: dW = xᵀ·dY, db = Σ_rows dY, dx = dY·Wᵀ
 *   Attention  per head, S = q·kᵀ·s + maskBias, P = softmax(S), c = P·v:
 *              dP = dc·vᵀ, dv = Pᵀ·dc, dS = P⊙(dP − rowsum(dP⊙P)), dq = dS·k·s, dk = dSᵀ·q·s
 *              (a padded key has P = 0 in every row, so its dS, dk and dv are 0)
 */
import onnxProto from 'onnx-proto';
import type { LayerShape } from './layer';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

/** The additive bias of a padded key: exp(−1e9 − max) is exactly 0 in float32 (as make-test-model's graphs). */
export const MASKED_KEY_BIAS = -1e9;

/** The forward graph's weight inputs, in LayerWeights order (the backward graph takes the same names). */
export const WEIGHT_INPUTS = [
  'wq', 'bq', 'wk', 'bk', 'wv', 'bv', 'wo', 'bo', 'g1', 'be1', 'wi', 'bi', 'wf', 'bf', 'g2', 'be2',
] as const;
export type WeightInput = (typeof WEIGHT_INPUTS)[number];

export function checkLayerShape({ hidden, heads }: LayerShape): void {
  if (!Number.isInteger(hidden / heads)) throw new RangeError(`hidden size ${hidden} is not a multiple of the ${heads} heads.`);
}

/** Each weight input's dimensions (weights [in, out], as LayerWeights keeps them). */
export function weightShapes({ hidden: H, intermediate: I }: LayerShape): Record<WeightInput, number[]> {
  return {
    wq: [H, H], bq: [H], wk: [H, H], bk: [H], wv: [H, H], bv: [H], wo: [H, H], bo: [H],
    g1: [H], be1: [H], wi: [H, I], bi: [I], wf: [I, H], bf: [H], g2: [H], be2: [H],
  };
}

/**
 * What the forward graph returns besides `out` ([B, T, H]) and the backward graph takes back:
 * q, k, v per head [B, nh, T, hs]; p, the attention weights [B, nh, T, T]; ctx, the heads
 * concatenated [B, T, H]; n1, r1 and h1 the first LayerNorm's normalised rows, 1/σ [B, T, 1] and
 * output; z and gelu [B, T, I]; n2, r2 the second LayerNorm's.
 */
export const SAVED_ACTIVATIONS = ['q', 'k', 'v', 'p', 'ctx', 'n1', 'r1', 'h1', 'z', 'gelu', 'n2', 'r2'] as const;
export type SavedActivation = (typeof SAVED_ACTIVATIONS)[number];

/** The backward graph's outputs: dx ([B, T, H]) and one gradient per weight input, named `d` + input. */
export const GRADIENT_OUTPUTS = WEIGHT_INPUTS.map((name) => `d${name}` as const);

/**
 * The forward graph: inputs x [B, T, H], maskBias [B, T] (0 for a token, MASKED_KEY_BIAS for padding)
 * and the weights; outputs `out` and the SAVED_ACTIVATIONS.
 */
export function forwardGraphBytes(shape: LayerShape): Uint8Array {
  const g = new GraphBuilder(shape);
  const { hidden: H, heads } = shape;
  const hs = H / heads;
  const splitHeads = (name: string, perm: number[]) =>
    g.node('Transpose', [g.node('Reshape', [name, g.ints('headsShape', [0, 0, heads, hs])])], { perm });
  const linear = (x: string, w: string, b: string) => g.node('Add', [g.node('MatMul', [x, w]), b]);

  const q = splitHeads(linear('x', 'wq', 'bq'), [0, 2, 1, 3]);
  const k = splitHeads(linear('x', 'wk', 'bk'), [0, 2, 1, 3]);
  const v = splitHeads(linear('x', 'wv', 'bv'), [0, 2, 1, 3]);
  const scores = g.node('Mul', [g.node('MatMul', [q, g.node('Transpose', [k], { perm: [0, 1, 3, 2] })]), g.float('scale', 1 / Math.sqrt(hs))]);
  const bias = g.node('Unsqueeze', ['maskBias', g.ints('biasAxes', [1, 2])]);
  const p = g.node('Softmax', [g.node('Add', [scores, bias])], { axis: -1 });
  const ctx = g.node('Reshape', [g.node('Transpose', [g.node('MatMul', [p, v])], { perm: [0, 2, 1, 3] }), g.ints('mergeShape', [0, 0, H])]);
  const norm1 = g.layerNorm(g.node('Add', ['x', linear(ctx, 'wo', 'bo')]), 'g1', 'be1');
  const z = linear(norm1.y, 'wi', 'bi');
  const gelu = g.node('Mul', [g.node('Mul', [z, g.float('half', 0.5)]),
    g.node('Add', [g.float('one', 1), g.node('Erf', [g.node('Mul', [z, g.float('invSqrt2', Math.SQRT1_2)])])])]);
  const norm2 = g.layerNorm(g.node('Add', [norm1.y, linear(gelu, 'wf', 'bf')]), 'g2', 'be2');

  const saved: Record<SavedActivation, string> = {
    q, k, v, p, ctx, n1: norm1.normalised, r1: norm1.invStd, h1: norm1.y, z, gelu, n2: norm2.normalised, r2: norm2.invStd,
  };
  g.rename(norm2.y, 'out');
  for (const name of SAVED_ACTIVATIONS) g.rename(saved[name], name);
  return g.model('layer_forward', ['x', 'maskBias', ...WEIGHT_INPUTS], ['out', ...SAVED_ACTIVATIONS]);
}

/**
 * The backward graph: inputs dOut [B, T, H], x, the SAVED_ACTIVATIONS and the weights; outputs dx
 * [B, T, H] and the GRADIENT_OUTPUTS, each shaped as its weight.
 */
export function backwardGraphBytes(shape: LayerShape): Uint8Array {
  const g = new GraphBuilder(shape);
  const { hidden: H, heads, intermediate: I } = shape;
  const hs = H / heads;
  const asRows = new Map<string, string>();
  /** [B, T, width] as [B·T, width], one Reshape per tensor. */
  const rows = (name: string, width: number) => {
    if (!asRows.has(name)) asRows.set(name, g.node('Reshape', [name, g.ints(`rows${width}`, [-1, width])]));
    return asRows.get(name)!;
  };
  /** dW = xᵀ·dY and db = Σ_rows dY over all batch·seq rows; returns dx = dY·Wᵀ. */
  const linearBackward = (x: string, dy: string, w: string, b: string, inWidth: number, outWidth: number) => {
    const dy2 = rows(dy, outWidth);
    g.rename(g.node('Gemm', [rows(x, inWidth), dy2], { transA: 1 }), `d${w}`);
    g.rename(g.node('ReduceSum', [dy2, g.ints('axis0', [0])], { keepdims: 0 }), `d${b}`);
    return g.node('MatMul', [dy, g.node('Transpose', [w])]);
  };
  const layerNormBackward = (dy: string, normalised: string, invStd: string, gamma: string, beta: string) => {
    const dy2 = rows(dy, H);
    g.rename(g.node('ReduceSum', [g.node('Mul', [dy2, rows(normalised, H)]), g.ints('axis0', [0])], { keepdims: 0 }), `d${gamma}`);
    g.rename(g.node('ReduceSum', [dy2, g.ints('axis0', [0])], { keepdims: 0 }), `d${beta}`);
    const dn = g.node('Mul', [dy, gamma]);
    const rowMean = (t: string) => g.node('ReduceMean', [t], { axes: [-1], keepdims: 1 });
    const centred = g.node('Sub', [g.node('Sub', [dn, rowMean(dn)]), g.node('Mul', [normalised, rowMean(g.node('Mul', [dn, normalised]))])]);
    return g.node('Mul', [centred, invStd]);
  };
  const toHeads = (t: string) =>
    g.node('Transpose', [g.node('Reshape', [t, g.ints('headsShape', [0, 0, heads, hs])])], { perm: [0, 2, 1, 3] });
  const fromHeads = (t: string) =>
    g.node('Reshape', [g.node('Transpose', [t], { perm: [0, 2, 1, 3] }), g.ints('mergeShape', [0, 0, H])]);
  const swapLast = (t: string) => g.node('Transpose', [t], { perm: [0, 1, 3, 2] });

  // out = LayerNorm(h1 + gelu·Wf + bf)
  const dr2 = layerNormBackward('dOut', 'n2', 'r2', 'g2', 'be2');
  const dgelu = linearBackward('gelu', dr2, 'wf', 'bf', I, H);
  const pdf = g.node('Mul', [g.node('Exp', [g.node('Mul', [g.node('Mul', ['z', 'z']), g.float('minusHalf', -0.5)])]), g.float('invSqrt2Pi', 1 / Math.sqrt(2 * Math.PI))]);
  const cdf = g.node('Mul', [g.float('half', 0.5), g.node('Add', [g.float('one', 1), g.node('Erf', [g.node('Mul', ['z', g.float('invSqrt2', Math.SQRT1_2)])])])]);
  const dz = g.node('Mul', [dgelu, g.node('Add', [cdf, g.node('Mul', ['z', pdf])])]);
  const dh1 = g.node('Add', [dr2, linearBackward('h1', dz, 'wi', 'bi', H, I)]);
  // h1 = LayerNorm(x + ctx·Wo + bo)
  const dr1 = layerNormBackward(dh1, 'n1', 'r1', 'g1', 'be1');
  const dc = toHeads(linearBackward('ctx', dr1, 'wo', 'bo', H, H));
  const dv = g.node('MatMul', [swapLast('p'), dc]);
  const dp = g.node('MatMul', [dc, swapLast('v')]);
  const ds = g.node('Mul', [g.node('Mul', ['p', g.node('Sub', [dp, g.node('ReduceSum', [g.node('Mul', [dp, 'p']), g.ints('lastAxis', [-1])], { keepdims: 1 })])]), g.float('scale', 1 / Math.sqrt(hs))]);
  const dq = g.node('MatMul', [ds, 'k']);
  const dk = g.node('MatMul', [swapLast(ds), 'q']);
  const dx = [
    dr1,
    linearBackward('x', fromHeads(dq), 'wq', 'bq', H, H),
    linearBackward('x', fromHeads(dk), 'wk', 'bk', H, H),
    linearBackward('x', fromHeads(dv), 'wv', 'bv', H, H),
  ].reduce((sum, term) => g.node('Add', [sum, term]));
  g.rename(dx, 'dx');
  return g.model('layer_backward', ['dOut', 'x', ...SAVED_ACTIVATIONS, ...WEIGHT_INPUTS], ['dx', ...GRADIENT_OUTPUTS]);
}

/** Nodes with generated output names, shared constants as initializers, then one ModelProto. */
class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly constants = new Map<string, TensorProto>();
  private count = 0;

  constructor(private readonly shape: LayerShape) {
    checkLayerShape(shape);
  }

  node(opType: string, input: string[], attributes: Record<string, number | number[]> = {}): string {
    const output = `${opType.toLowerCase()}_${this.count++}`;
    const attribute = Object.entries(attributes).map(([name, value]) =>
      Array.isArray(value)
        ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value }
        : { name, type: onnx.AttributeProto.AttributeType.INT, i: value });
    this.nodes.push({ opType, input, output: [output], attribute });
    return output;
  }

  /** An Identity node giving `from` a graph output's name. */
  rename(from: string, to: string): void {
    this.nodes.push({ opType: 'Identity', input: [from], output: [to] });
  }

  float(name: string, value: number): string {
    if (!this.constants.has(name)) {
      this.constants.set(name, { name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [], floatData: [value] });
    }
    return name;
  }

  ints(name: string, values: number[]): string {
    if (!this.constants.has(name)) {
      this.constants.set(name, { name, dataType: onnx.TensorProto.DataType.INT64, dims: [values.length], int64Data: values });
    }
    return name;
  }

  /** y = x̂·γ + β over the last axis, with x̂ = (x − μ)·r and r = 1/√(biased var + eps). */
  layerNorm(x: string, gamma: string, beta: string): { y: string; normalised: string; invStd: string } {
    const centred = this.node('Sub', [x, this.node('ReduceMean', [x], { axes: [-1], keepdims: 1 })]);
    const variance = this.node('ReduceMean', [this.node('Mul', [centred, centred])], { axes: [-1], keepdims: 1 });
    const invStd = this.node('Div', [this.float('one', 1), this.node('Sqrt', [this.node('Add', [variance, this.float('eps', this.shape.layerNormEps)])])]);
    const normalised = this.node('Mul', [centred, invStd]);
    return { y: this.node('Add', [this.node('Mul', [normalised, gamma]), beta]), normalised, invStd };
  }

  model(name: string, inputs: readonly string[], outputs: readonly string[]): Uint8Array {
    const float = onnx.TensorProto.DataType.FLOAT;
    const H = this.shape.hidden;
    const dims: Record<string, (string | number)[]> = {
      x: ['batch', 'seq', H], maskBias: ['batch', 'seq'], dOut: ['batch', 'seq', H], ...weightShapes(this.shape),
    };
    const valueInfo = (tensor: string, shape?: (string | number)[]) => onnx.ValueInfoProto.create({
      name: tensor,
      type: { tensorType: { elemType: float, ...(shape && { shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } }) } },
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'xling-lab',
      graph: {
        name,
        node: this.nodes,
        initializer: [...this.constants.values()],
        input: inputs.map((tensor) => valueInfo(tensor, dims[tensor] ?? undefined)),
        output: outputs.map((tensor) => valueInfo(tensor)),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
