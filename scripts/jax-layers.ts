/**
 * Candidate (a) of the layer-tuning engine decision (docs/training.md), for bench:tune's same-run
 * row: K post-LN encoder layers (layer.ts), mean pooling, L2 normalisation and InfoNCE over n pairs
 * (the questions, then their answers) written in `@jax-js/jax`, forward + backward by `valueAndGrad`
 * under `jit`. Not part of the product (the onnxruntime engine won); the benchmark runs it in Node
 * (jax-js's `wasm` backend) and in a bare Chromium page, and checks its loss against the CPU engine's.
 *
 * jax-js arrays are consumed by every operation that takes them: a second use takes `.ref`, and each
 * step passes the parameters and inputs by `.ref` so that they outlive it.
 */
import type * as JaxModule from '@jax-js/jax';
import type { LayerInput } from '../src/core/tuning/engine';
import { LINEAR_NAMES, NORM_NAMES, type LayerShape, type LayerWeights } from '../src/core/tuning/layer';

type Jax = typeof JaxModule;
type JaxArray = JaxModule.Array;
type Params = Record<string, Record<string, JaxArray>>;

/** The additive bias of a padded key, as the exported models and ort-graphs.ts use. */
const MASKED_KEY_BIAS = -1e9;

export interface JaxLayerStep {
  /** One forward + backward step of the layers; resolves with the loss once every gradient is read out. */
  step(): Promise<number>;
  dispose(): void;
}

export function createJaxLayerStep(jax: Jax, shape: LayerShape, layers: readonly LayerWeights[], input: LayerInput, pairs: number, temperature: number): JaxLayerStep {
  const { numpy: np, nn, scipySpecial, jit, valueAndGrad, tree } = jax;
  const { hidden, heads, intermediate, layerNormEps: eps } = shape;
  const { batch, seq } = input;
  const d = hidden / heads;

  const linear = (x: JaxArray, p: Record<string, JaxArray>) => np.matmul(x, p.weight).add(p.bias);
  const layerNorm = (x: JaxArray, p: Record<string, JaxArray>) => {
    const centred = x.ref.sub(np.mean(x, -1, { keepdims: true }));
    const variance = np.mean(np.square(centred.ref), -1, { keepdims: true });
    return centred.mul(np.reciprocal(np.sqrt(variance.add(eps)))).mul(p.gamma).add(p.beta);
  };
  /** [B·T, H] -> per head, with the axes in `perm` of [B, T, heads, d]. */
  const perHead = (t: JaxArray, perm: number[]) => t.reshape([batch, seq, heads, d]).transpose(perm);

  const layer = (x: JaxArray, p: Params, maskBias: JaxArray) => {
    const q = perHead(linear(x.ref, p.query), [0, 2, 1, 3]);
    const kT = perHead(linear(x.ref, p.key), [0, 2, 3, 1]);
    const v = perHead(linear(x.ref, p.value), [0, 2, 1, 3]);
    const scores = np.matmul(q, kT).mul(1 / Math.sqrt(d)).add(maskBias);
    const weights = np.exp(scores.ref.sub(np.max(scores, -1, { keepdims: true })));
    const probs = weights.ref.div(np.sum(weights, -1, { keepdims: true }));
    const context = np.matmul(probs, v).transpose([0, 2, 1, 3]).reshape([batch * seq, hidden]);
    const h1 = layerNorm(x.add(linear(context, p.attentionOutput)), p.attentionNorm);
    const z = linear(h1.ref, p.intermediate);
    const gelu = z.ref.mul(0.5).mul(scipySpecial.erf(z.mul(Math.SQRT1_2)).add(1));
    return layerNorm(h1.add(linear(gelu, p.output)), p.outputNorm);
  };

  const loss = (params: Params[], x: JaxArray, maskBias: JaxArray, maskRows: JaxArray) => {
    let out = x;
    params.forEach((p, i) => {
      out = layer(out, p, i < params.length - 1 ? maskBias.ref : maskBias);
    });
    // Summed over the real tokens: the L2 normalisation makes it the mean's direction (tuning/loss.ts).
    const pooled = np.sum(out.reshape([batch, seq, hidden]).mul(maskRows), 1);
    const u = pooled.ref.div(np.sqrt(np.sum(np.square(pooled), -1, { keepdims: true })));
    const questions = u.ref.slice([0, pairs]);
    const answers = u.slice([pairs, 2 * pairs]);
    const similarity = np.matmul(questions.ref, np.transpose(answers.ref)).mul(1 / temperature);
    return np.mean(nn.logsumexp(similarity, -1).sub(np.sum(questions.mul(answers), -1).mul(1 / temperature)));
  };

  /** A copy (jax-js takes arrays over a plain ArrayBuffer, not a shared one). */
  const put = (values: ArrayLike<number>, shape: number[]) => np.array(Float32Array.from(values), { shape });
  const params: Params[] = layers.map((weights) => {
    const p: Params = {};
    for (const name of LINEAR_NAMES) {
      const out = name === 'intermediate' ? intermediate : hidden;
      p[name] = { weight: put(weights[name].weight, [weights[name].weight.length / out, out]), bias: put(weights[name].bias, [out]) };
    }
    for (const name of NORM_NAMES) p[name] = { gamma: put(weights[name].gamma, [hidden]), beta: put(weights[name].beta, [hidden]) };
    return p;
  });
  const x = put(input.hidden, [batch * seq, hidden]);
  const maskBias = put(Array.from(input.mask, (m) => (m ? 0 : MASKED_KEY_BIAS)), [batch, 1, 1, seq]);
  const maskRows = put(input.mask, [batch, seq, 1]);
  const stepFn = jit(valueAndGrad(loss));

  return {
    async step() {
      const [value, grads] = stepFn(tree.ref(params), x.ref, maskBias.ref, maskRows.ref) as [JaxArray, Params[]];
      // Every gradient read out, as the other engines hand theirs back as Float32Arrays.
      await Promise.all(tree.leaves(grads).map((g) => (g as JaxArray).data()));
      return (await value.data())[0];
    },
    dispose() {
      tree.dispose(params);
      for (const a of [x, maskBias, maskRows]) tree.dispose(a);
      stepFn.dispose?.();
    },
  };
}
