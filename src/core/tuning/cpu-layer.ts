/**
 * The top K encoder layers on the CPU, forward and backward, in plain TypeScript (layer.ts has the
 * maths; engine.ts the contract). Storage is float32 like the model file; sums that are cheap to keep
 * in float64 are (LayerNorm statistics, softmax sums, attention inner products, bias gradients).
 * Every matrix product is the scoring kernel's A·Bᵀ (training/kernels.ts matmulNT: 4 x 4 register
 * blocks of float64 dot products over contiguous rows), the other operand transposed first where
 * needed: about 1.5x the i-k-j axpy loops of matmulNN / matmulTN here, and a transpose costs one pass
 * over a matrix against the product's `inner` passes (docs/training.md, "Tuning layers: the engine").
 * Activations and scratch buffers are kept from step to step and grow only when a batch does.
 *
 * Padded keys get attention weight exactly 0, which is what the model's -1e9 mask bias gives in float32
 * (exp underflows to 0). Padded rows enter as zeros, whatever the cache holds there (NaN would
 * otherwise reach the weight gradients through Xᵀ·dY), and are then computed like any other; their
 * outputs are not the model's, and the loss gives them no gradient.
 *
 * Backward, per layer, with r1 = x + attention(x), h1 = LN(r1), r2 = h1 + f(h1), out = LN(r2):
 *   LN:        dr = rstd · (dŷ − mean(dŷ) − x̂ · mean(dŷ · x̂)),  dŷ = dy · γ;  dγ = Σ dy · x̂, dβ = Σ dy
 *   linear:    dW = Xᵀ·dY, db = Σ_rows dY, dX = dY·Wᵀ
 *   GELU:      dz = dg · (Φ(z) + z·φ(z))
 *   softmax:   dS_ij = P_ij (dP_ij − Σ_j' P_ij' dP_ij'),  dP_ij = dctx_i · v_j
 */
import { transpose } from '../linalg/js-matmul';
import { matmulNT } from '../training/kernels';
import type { LayerInput, LayerStackEngine, OutputGradient } from './engine';
import { gelu, geluDerivative } from './gelu';
import { LINEAR_NAMES, NORM_NAMES, type LayerShape, type LayerWeights, type Linear, type Norm } from './layer';

/** Zero-filled weights of one layer's shape (gradients, optimiser moments). */
export function zeroLayerWeights({ hidden, intermediate }: LayerShape): LayerWeights {
  const linear = (inDim: number, outDim: number): Linear => ({ weight: new Float32Array(inDim * outDim), bias: new Float32Array(outDim) });
  const norm = (): Norm => ({ gamma: new Float32Array(hidden), beta: new Float32Array(hidden) });
  return {
    query: linear(hidden, hidden),
    key: linear(hidden, hidden),
    value: linear(hidden, hidden),
    attentionOutput: linear(hidden, hidden),
    attentionNorm: norm(),
    intermediate: linear(hidden, intermediate),
    output: linear(intermediate, hidden),
    outputNorm: norm(),
  };
}

export function createCpuLayerEngine(shape: LayerShape): LayerStackEngine {
  const { hidden, heads } = shape;
  if (!(Number.isInteger(heads) && heads > 0 && hidden % heads === 0)) {
    throw new RangeError(`hidden size ${hidden} is not a multiple of the ${heads} attention heads: check the model's config.json.`);
  }
  const activations: LayerActivations[] = [];
  const scratch = new BackwardScratch();
  const transposed = new Transposed();
  /** The input with padded rows zeroed (the first layer's x). */
  let paddedZero: Float32Array = new Float32Array(0);

  function run(layers: readonly LayerWeights[], input: LayerInput): Float32Array {
    checkInput(shape, layers, input);
    let x: Float32Array = withPaddingZeroed(input, shape.hidden, paddedZero);
    paddedZero = x;
    layers.forEach((weights, k) => {
      activations[k] ??= new LayerActivations();
      const act = activations[k];
      act.ensure(shape, input.batch, input.seq);
      layerForward(shape, weights, x, input, act, transposed);
      x = act.out;
    });
    return x;
  }

  return {
    backend: 'cpu',
    shape,
    async forward(layers, input) {
      return run(layers, input).slice(0, input.batch * input.seq * hidden);
    },
    async forwardBackward(layers, input, lossOf: (output: Float32Array) => OutputGradient) {
      const rows = input.batch * input.seq;
      const output = run(layers, input).subarray(0, rows * hidden);
      const { loss, gradient } = lossOf(output);
      if (gradient.length !== rows * hidden) {
        throw new RangeError(`the loss returned a gradient of ${gradient.length} values; the output has ${rows} x ${hidden} = ${rows * hidden}.`);
      }
      scratch.ensure(shape, input.batch, input.seq);
      let dy = scratch.dy.subarray(0, rows * hidden);
      let dx = scratch.dx.subarray(0, rows * hidden);
      dy.set(gradient);
      const grads = layers.map(() => zeroLayerWeights(shape));
      for (let k = layers.length - 1; k >= 0; k--) {
        const x = k === 0 ? paddedZero : activations[k - 1].out;
        layerBackward(shape, layers[k], x, input, activations[k], dy, grads[k], k > 0 ? dx : null, scratch);
        [dy, dx] = [dx, dy];
      }
      return { loss, grads };
    },
    async dispose() {
      activations.length = 0;
    },
  };
}

/** `input.hidden` with its padded rows set to 0, in `buffer` (grown when too small). */
function withPaddingZeroed({ hidden, mask, batch, seq }: LayerInput, dim: number, buffer: Float32Array): Float32Array {
  const out = (buffer.length >= batch * seq * dim ? buffer : new Float32Array(batch * seq * dim)).subarray(0, batch * seq * dim);
  out.set(hidden);
  for (let r = 0; r < batch * seq; r++) if (mask[r] === 0) out.fill(0, r * dim, (r + 1) * dim);
  return out;
}

/** What one layer's forward keeps for its backward ([rows = batch · seq] rows each). */
class LayerActivations {
  q = new Float32Array(0);
  k = new Float32Array(0);
  v = new Float32Array(0);
  /** [batch, heads, seq, seq] attention weights. */
  probs = new Float32Array(0);
  context = new Float32Array(0);
  xhat1 = new Float32Array(0);
  rstd1 = new Float64Array(0);
  h1 = new Float32Array(0);
  /** Intermediate pre-activation, then its GELU. */
  z = new Float32Array(0);
  g = new Float32Array(0);
  xhat2 = new Float32Array(0);
  rstd2 = new Float64Array(0);
  out = new Float32Array(0);
  /** r1 and r2, the residual sums entering each LayerNorm. */
  residual = new Float32Array(0);

  ensure({ hidden, heads, intermediate }: LayerShape, batch: number, seq: number): void {
    const rows = batch * seq;
    if (this.q.length < rows * hidden) {
      for (const name of ['q', 'k', 'v', 'context', 'xhat1', 'h1', 'xhat2', 'out', 'residual'] as const) this[name] = new Float32Array(rows * hidden);
      this.rstd1 = new Float64Array(rows);
      this.rstd2 = new Float64Array(rows);
    }
    if (this.z.length < rows * intermediate) {
      this.z = new Float32Array(rows * intermediate);
      this.g = new Float32Array(rows * intermediate);
    }
    if (this.probs.length < batch * heads * seq * seq) this.probs = new Float32Array(batch * heads * seq * seq);
  }
}

/** Gradient buffers shared by all layers' backward passes. */
class BackwardScratch {
  dy = new Float32Array(0);
  dx = new Float32Array(0);
  dh1 = new Float32Array(0);
  dContext = new Float32Array(0);
  dq = new Float32Array(0);
  dk = new Float32Array(0);
  dv = new Float32Array(0);
  product = new Float32Array(0);
  dg = new Float32Array(0);
  dp = new Float64Array(0);
  biasSums = new Float64Array(0);
  transposed = new Transposed();

  ensure({ hidden, intermediate }: LayerShape, batch: number, seq: number): void {
    const rows = batch * seq;
    if (this.dy.length < rows * hidden) {
      for (const name of ['dy', 'dx', 'dh1', 'dContext', 'dq', 'dk', 'dv', 'product'] as const) this[name] = new Float32Array(rows * hidden);
    }
    if (this.dg.length < rows * intermediate) this.dg = new Float32Array(rows * intermediate);
    if (this.dp.length < seq) this.dp = new Float64Array(seq);
    if (this.biasSums.length < Math.max(hidden, intermediate)) this.biasSums = new Float64Array(Math.max(hidden, intermediate));
  }
}

function layerForward(shape: LayerShape, w: LayerWeights, x: Float32Array, input: LayerInput, act: LayerActivations, t: Transposed): void {
  const { hidden, intermediate, layerNormEps } = shape;
  const rows = input.batch * input.seq;
  linearForward(x, rows, hidden, w.query, hidden, act.q, t);
  linearForward(x, rows, hidden, w.key, hidden, act.k, t);
  linearForward(x, rows, hidden, w.value, hidden, act.v, t);
  attentionForward(shape, input, act);
  // r1 = x + context·Wo + bo;  h1 = LN(r1)
  linearForward(act.context, rows, hidden, w.attentionOutput, hidden, act.residual, t);
  for (let t = 0; t < rows * hidden; t++) act.residual[t] += x[t];
  layerNormForward(act.residual, rows, hidden, w.attentionNorm, layerNormEps, act.xhat1, act.rstd1, act.h1);
  // r2 = h1 + gelu(h1·Wi + bi)·Wf + bf;  out = LN(r2)
  linearForward(act.h1, rows, hidden, w.intermediate, intermediate, act.z, t);
  for (let t = 0; t < rows * intermediate; t++) act.g[t] = gelu(act.z[t]);
  linearForward(act.g, rows, intermediate, w.output, hidden, act.residual, t);
  for (let t = 0; t < rows * hidden; t++) act.residual[t] += act.h1[t];
  layerNormForward(act.residual, rows, hidden, w.outputNorm, layerNormEps, act.xhat2, act.rstd2, act.out);
}

/**
 * Backward through one layer: `dy` (d loss / d out, overwritten) in, the weight gradients added into
 * `grads`, and d loss / d x into `dx` unless it is null (the bottom tuned layer: nothing below learns).
 */
function layerBackward(
  shape: LayerShape, w: LayerWeights, x: Float32Array, input: LayerInput, act: LayerActivations,
  dy: Float32Array, grads: LayerWeights, dx: Float32Array | null, s: BackwardScratch,
): void {
  const { hidden, intermediate } = shape;
  const rows = input.batch * input.seq;
  const dr2 = dy;
  layerNormBackward(dy, rows, hidden, w.outputNorm, act.xhat2, act.rstd2, grads.outputNorm, dr2);
  // Feed-forward: dg = dr2·Wfᵀ, dz = dg · gelu'(z), dh1 = dr2 + dz·Wiᵀ.
  const dg = s.dg.subarray(0, rows * intermediate);
  linearBackward(act.g, rows, intermediate, w.output, hidden, dr2, grads.output, dg, s.biasSums, s.transposed);
  for (let t = 0; t < rows * intermediate; t++) dg[t] *= geluDerivative(act.z[t]);
  const dh1 = s.dh1.subarray(0, rows * hidden);
  linearBackward(act.h1, rows, hidden, w.intermediate, intermediate, dg, grads.intermediate, dh1, s.biasSums, s.transposed);
  for (let t = 0; t < rows * hidden; t++) dh1[t] += dr2[t];
  const dr1 = dh1;
  layerNormBackward(dh1, rows, hidden, w.attentionNorm, act.xhat1, act.rstd1, grads.attentionNorm, dr1);
  // Attention: dcontext = dr1·Woᵀ, then through the softmax to dq, dk, dv.
  const dContext = s.dContext.subarray(0, rows * hidden);
  linearBackward(act.context, rows, hidden, w.attentionOutput, hidden, dr1, grads.attentionOutput, dContext, s.biasSums, s.transposed);
  const dq = s.dq.subarray(0, rows * hidden);
  const dk = s.dk.subarray(0, rows * hidden);
  const dv = s.dv.subarray(0, rows * hidden);
  attentionBackward(shape, input, act, dContext, dq, dk, dv, s.dp);
  // dx = dr1 (the residual) + dq·Wqᵀ + dk·Wkᵀ + dv·Wvᵀ.
  const product = dx === null ? null : s.product.subarray(0, rows * hidden);
  if (dx !== null) dx.set(dr1);
  for (const [name, d] of [['query', dq], ['key', dk], ['value', dv]] as const) {
    linearBackward(x, rows, hidden, w[name], hidden, d, grads[name], product, s.biasSums, s.transposed);
    if (dx !== null && product !== null) for (let t = 0; t < rows * hidden; t++) dx[t] += product[t];
  }
}

/** Transposed copies of a product's operands, reused from product to product. */
class Transposed {
  left = new Float32Array(0);
  right = new Float32Array(0);

  of(side: 'left' | 'right', m: Float32Array, rows: number, cols: number): Float32Array {
    if (this[side].length < rows * cols) this[side] = new Float32Array(rows * cols);
    return transpose(m, rows, cols, this[side].subarray(0, rows * cols));
  }
}

/** y = x·W + b for x [rows, inDim], W [inDim, outDim]. */
function linearForward(x: Float32Array, rows: number, inDim: number, linear: Linear, outDim: number, y: Float32Array, t: Transposed): void {
  matmulNT(x, rows, inDim, t.of('right', linear.weight, inDim, outDim), outDim, y);
  const b = linear.bias;
  for (let r = 0; r < rows; r++) {
    const o = r * outDim;
    for (let j = 0; j < outDim; j++) y[o + j] += b[j];
  }
}

/** grads += (xᵀ·dy, Σ_rows dy); dx = dy·Wᵀ unless null. */
function linearBackward(
  x: Float32Array, rows: number, inDim: number, linear: Linear, outDim: number,
  dy: Float32Array, grads: Linear, dx: Float32Array | null, sums: Float64Array, t: Transposed,
): void {
  // Each layer's gradients start at zero and every linear is visited once, so writing is adding.
  // dW [inDim, outDim] = xᵀ·dy = (xᵀ)·(dyᵀ)ᵀ.
  matmulNT(t.of('left', x, rows, inDim), inDim, rows, t.of('right', dy, rows, outDim), outDim, grads.weight);
  sums.fill(0, 0, outDim);
  for (let r = 0; r < rows; r++) {
    const o = r * outDim;
    for (let j = 0; j < outDim; j++) sums[j] += dy[o + j];
  }
  for (let j = 0; j < outDim; j++) grads.bias[j] = sums[j];
  if (dx !== null) matmulNT(dy, rows, outDim, linear.weight, inDim, dx);
}

/** y = x̂·γ + β with x̂ = (r − mean) · rstd, rstd = 1/sqrt(biased variance + eps), per row. */
function layerNormForward(
  r: Float32Array, rows: number, dim: number, norm: Norm, eps: number,
  xhat: Float32Array, rstd: Float64Array, y: Float32Array,
): void {
  const { gamma, beta } = norm;
  for (let i = 0; i < rows; i++) {
    const o = i * dim;
    let sum = 0;
    for (let t = 0; t < dim; t++) sum += r[o + t];
    const mean = sum / dim;
    let squares = 0;
    for (let t = 0; t < dim; t++) squares += (r[o + t] - mean) ** 2;
    const inv = 1 / Math.sqrt(squares / dim + eps);
    rstd[i] = inv;
    for (let t = 0; t < dim; t++) {
      const normalised = (r[o + t] - mean) * inv;
      xhat[o + t] = normalised;
      y[o + t] = normalised * gamma[t] + beta[t];
    }
  }
}

/** dr from dy (may be the same array), and γ, β gradients written (each norm is visited once). */
function layerNormBackward(
  dy: Float32Array, rows: number, dim: number, norm: Norm, xhat: Float32Array, rstd: Float64Array,
  grads: Norm, dr: Float32Array,
): void {
  const { gamma } = norm;
  const dGamma = new Float64Array(dim);
  const dBeta = new Float64Array(dim);
  for (let i = 0; i < rows; i++) {
    const o = i * dim;
    let meanD = 0;
    let meanDX = 0;
    for (let t = 0; t < dim; t++) {
      const d = dy[o + t] * gamma[t];
      meanD += d;
      meanDX += d * xhat[o + t];
    }
    meanD /= dim;
    meanDX /= dim;
    const inv = rstd[i];
    for (let t = 0; t < dim; t++) {
      const g = dy[o + t];
      dGamma[t] += g * xhat[o + t];
      dBeta[t] += g;
      dr[o + t] = inv * (g * gamma[t] - meanD - xhat[o + t] * meanDX);
    }
  }
  grads.gamma.set(dGamma);
  grads.beta.set(dBeta);
}

function attentionForward({ hidden, heads }: LayerShape, { batch, seq, mask }: LayerInput, act: LayerActivations): void {
  const headSize = hidden / heads;
  const scale = 1 / Math.sqrt(headSize);
  const { q, k, v, probs, context } = act;
  const scores = new Float64Array(seq);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < seq; i++) {
        const qi = (b * seq + i) * hidden + h * headSize;
        let max = -Infinity;
        for (let j = 0; j < seq; j++) {
          if (mask[b * seq + j] === 0) continue;
          const kj = (b * seq + j) * hidden + h * headSize;
          let dot = 0;
          for (let t = 0; t < headSize; t++) dot += q[qi + t] * k[kj + t];
          scores[j] = dot * scale;
          if (scores[j] > max) max = scores[j];
        }
        let sum = 0;
        for (let j = 0; j < seq; j++) {
          if (mask[b * seq + j] === 0) continue;
          scores[j] = Math.exp(scores[j] - max);
          sum += scores[j];
        }
        const p0 = ((b * heads + h) * seq + i) * seq;
        for (let j = 0; j < seq; j++) probs[p0 + j] = mask[b * seq + j] === 0 ? 0 : scores[j] / sum;
        context.fill(0, qi, qi + headSize);
        for (let j = 0; j < seq; j++) {
          const p = probs[p0 + j];
          if (p === 0) continue;
          const vj = (b * seq + j) * hidden + h * headSize;
          for (let t = 0; t < headSize; t++) context[qi + t] += p * v[vj + t];
        }
      }
    }
  }
}

function attentionBackward(
  { hidden, heads }: LayerShape, { batch, seq, mask }: LayerInput, act: LayerActivations,
  dContext: Float32Array, dq: Float32Array, dk: Float32Array, dv: Float32Array, dp: Float64Array,
): void {
  const headSize = hidden / heads;
  const scale = 1 / Math.sqrt(headSize);
  const { q, k, v, probs } = act;
  const rows = batch * seq;
  dq.fill(0, 0, rows * hidden);
  dk.fill(0, 0, rows * hidden);
  dv.fill(0, 0, rows * hidden);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < seq; i++) {
        const qi = (b * seq + i) * hidden + h * headSize;
        const p0 = ((b * heads + h) * seq + i) * seq;
        let weighted = 0;
        for (let j = 0; j < seq; j++) {
          if (mask[b * seq + j] === 0) continue;
          const vj = (b * seq + j) * hidden + h * headSize;
          let dot = 0;
          for (let t = 0; t < headSize; t++) dot += dContext[qi + t] * v[vj + t];
          dp[j] = dot;
          weighted += probs[p0 + j] * dot;
        }
        for (let j = 0; j < seq; j++) {
          if (mask[b * seq + j] === 0) continue;
          const p = probs[p0 + j];
          const kj = (b * seq + j) * hidden + h * headSize;
          const dScore = p * (dp[j] - weighted) * scale;
          for (let t = 0; t < headSize; t++) {
            dq[qi + t] += dScore * k[kj + t];
            dk[kj + t] += dScore * q[qi + t];
            dv[kj + t] += p * dContext[qi + t];
          }
        }
      }
    }
  }
}

function checkInput(shape: LayerShape, layers: readonly LayerWeights[], input: LayerInput): void {
  const { hidden, intermediate } = shape;
  const { batch, seq } = input;
  if (layers.length === 0) throw new RangeError('no layers to run: pass at least one LayerWeights.');
  if (input.hidden.length !== batch * seq * hidden) {
    throw new RangeError(`the hidden states hold ${input.hidden.length} values; batch ${batch} x seq ${seq} x hidden ${hidden} needs ${batch * seq * hidden}.`);
  }
  if (input.mask.length !== batch * seq) throw new RangeError(`the mask holds ${input.mask.length} values; batch ${batch} x seq ${seq} needs ${batch * seq}.`);
  const sizes: Record<(typeof LINEAR_NAMES)[number], [number, number]> = {
    query: [hidden, hidden], key: [hidden, hidden], value: [hidden, hidden], attentionOutput: [hidden, hidden],
    intermediate: [hidden, intermediate], output: [intermediate, hidden],
  };
  layers.forEach((layer, k) => {
    for (const name of LINEAR_NAMES) {
      const [inDim, outDim] = sizes[name];
      if (layer[name].weight.length !== inDim * outDim || layer[name].bias.length !== outDim) {
        throw new RangeError(`layer ${k} ${name}: weight ${layer[name].weight.length} and bias ${layer[name].bias.length} values, expected [${inDim}, ${outDim}] and [${outDim}] for this LayerShape.`);
      }
    }
    for (const name of NORM_NAMES) {
      if (layer[name].gamma.length !== hidden || layer[name].beta.length !== hidden) {
        throw new RangeError(`layer ${k} ${name}: gamma ${layer[name].gamma.length} and beta ${layer[name].beta.length} values, expected ${hidden} each.`);
      }
    }
  });
}
