/**
 * A LayerStackEngine on any onnxruntime (onnxruntime-node's CPU EP; onnxruntime-web's WASM or WebGPU
 * EP), passed in by the caller as for ortMatmul: the K layers run as the generated forward and
 * backward graphs of ort-graphs.ts, one session each, created on first use and reused for every
 * step, batch size and sequence length.
 */
import type * as OrtCommon from 'onnxruntime-common';
import type { OrtLike, OrtMatmulOptions } from '../linalg/ort-matmul';
import type { LayerInput, LayerStackEngine, OutputGradient } from './engine';
import type { LayerShape, LayerWeights } from './layer';
import {
  backwardGraphBytes, checkLayerShape, forwardGraphBytes, GRADIENT_OUTPUTS, MASKED_KEY_BIAS, SAVED_ACTIVATIONS, WEIGHT_INPUTS, weightShapes, type SavedActivation, type WeightInput,
} from './ort-graphs';

type Tensor = OrtCommon.Tensor;
type Session = OrtCommon.InferenceSession;

export interface OrtLayerEngineOptions extends OrtMatmulOptions {
  /** The engine's `backend` name, e.g. 'ort-node', 'ort-wasm', 'ort-webgpu'. */
  backend: string;
}

/** Where each graph weight input lives in LayerWeights. */
const WEIGHT_FIELDS: Record<WeightInput, (w: LayerWeights) => Float32Array> = {
  wq: (w) => w.query.weight, bq: (w) => w.query.bias,
  wk: (w) => w.key.weight, bk: (w) => w.key.bias,
  wv: (w) => w.value.weight, bv: (w) => w.value.bias,
  wo: (w) => w.attentionOutput.weight, bo: (w) => w.attentionOutput.bias,
  g1: (w) => w.attentionNorm.gamma, be1: (w) => w.attentionNorm.beta,
  wi: (w) => w.intermediate.weight, bi: (w) => w.intermediate.bias,
  wf: (w) => w.output.weight, bf: (w) => w.output.bias,
  g2: (w) => w.outputNorm.gamma, be2: (w) => w.outputNorm.beta,
};

export function createOrtLayerEngine(ort: OrtLike, shape: LayerShape, options: OrtLayerEngineOptions): LayerStackEngine {
  checkLayerShape(shape);
  const { hidden: H, intermediate: I } = shape;
  const weightDims = weightShapes(shape);
  // No memory patterns: every batch has its own padded length, and onnxruntime keeps a planned
  // allocation per input shape. Off, the classroom-size CLI run peaked at 9.6 GB instead of 11.7 GB
  // at the same speed (docs/benchmarks.md, "Tuning layers").
  const sessionOptions: OrtCommon.InferenceSession.SessionOptions = { enableMemPattern: false };
  if (options.executionProviders) sessionOptions.executionProviders = options.executionProviders;
  if (options.threads !== undefined) sessionOptions.intraOpNumThreads = options.threads;
  let forwardSession: Promise<Session> | undefined;
  let backwardSession: Promise<Session> | undefined;
  const forwardRunner = () => (forwardSession ??= ort.InferenceSession.create(forwardGraphBytes(shape), sessionOptions));
  const backwardRunner = () => (backwardSession ??= ort.InferenceSession.create(backwardGraphBytes(shape), sessionOptions));

  const weightFeeds = (layer: LayerWeights): Record<WeightInput, Tensor> => {
    const feeds = {} as Record<WeightInput, Tensor>;
    for (const name of WEIGHT_INPUTS) {
      const data = WEIGHT_FIELDS[name](layer);
      const size = weightDims[name].reduce((a, b) => a * b, 1);
      if (data.length !== size) {
        throw new RangeError(`layer weight ${name} holds ${data.length} values; a layer of hidden ${H}, intermediate ${I} needs ${size} (${weightDims[name].join(' × ')}).`);
      }
      feeds[name] = new ort.Tensor('float32', data, weightDims[name]);
    }
    return feeds;
  };

  const inputFeeds = ({ hidden, mask, batch, seq }: LayerInput) => {
    if (hidden.length !== batch * seq * H || mask.length !== batch * seq) {
      throw new RangeError(`the layer input holds ${hidden.length} values and ${mask.length} mask entries; batch ${batch} × seq ${seq} × hidden ${H} needs ${batch * seq * H} and ${batch * seq}.`);
    }
    const bias = new Float32Array(batch * seq);
    for (let i = 0; i < bias.length; i++) bias[i] = mask[i] === 0 ? MASKED_KEY_BIAS : 0;
    return { x: new ort.Tensor('float32', hidden, [batch, seq, H]), maskBias: new ort.Tensor('float32', bias, [batch, seq]) };
  };

  /** Runs the layers bottom-up; with `keep`, returns every layer's feeds and saved activations too. */
  const runForward = async (layers: readonly LayerWeights[], input: LayerInput, keep: boolean) => {
    if (layers.length === 0) throw new RangeError('the layer stack is empty: tune at least one layer.');
    const session = await forwardRunner();
    const { x, maskBias } = inputFeeds(input);
    const fetches = keep ? ['out', ...SAVED_ACTIVATIONS] : ['out'];
    const kept: { x: Tensor; weights: Record<WeightInput, Tensor>; saved: Partial<Record<SavedActivation, Tensor>> }[] = [];
    let current: Tensor = x;
    for (const layer of layers) {
      const weights = weightFeeds(layer);
      const results = await session.run({ x: current, maskBias, ...weights }, fetches);
      if (keep) kept.push({ x: current, weights, saved: Object.fromEntries(SAVED_ACTIVATIONS.map((name) => [name, results[name]])) });
      current = results.out;
    }
    return { output: current, kept };
  };

  return {
    backend: options.backend,
    shape,
    async forward(layers, input) {
      const { output } = await runForward(layers, input, false);
      return output.data as Float32Array;
    },
    async forwardBackward(layers, input, lossOf: (output: Float32Array) => OutputGradient) {
      const { output, kept } = await runForward(layers, input, true);
      const { loss, gradient } = lossOf(output.data as Float32Array);
      if (gradient.length !== output.size) {
        throw new RangeError(`the loss gradient holds ${gradient.length} values; the layer output holds ${output.size} (batch × seq × hidden).`);
      }
      const session = await backwardRunner();
      const grads: LayerWeights[] = new Array(layers.length);
      let dOut: Tensor = new ort.Tensor('float32', gradient, output.dims);
      for (let index = layers.length - 1; index >= 0; index--) {
        const { x, weights, saved } = kept[index];
        // The bottom layer's dx is nobody's: leaving it out of the fetches skips its three matmuls.
        const fetches = index > 0 ? ['dx', ...GRADIENT_OUTPUTS] : [...GRADIENT_OUTPUTS];
        const results = await session.run({ dOut, x, ...saved, ...weights }, fetches);
        grads[index] = layerGradients((name) => results[`d${name}`].data as Float32Array);
        if (index > 0) dOut = results.dx;
      }
      return { loss, grads };
    },
    async dispose() {
      const sessions = await Promise.all([forwardSession, backwardSession]);
      await Promise.all(sessions.map((session) => session?.release()));
      forwardSession = backwardSession = undefined;
    },
  };
}

function layerGradients(gradient: (name: WeightInput) => Float32Array): LayerWeights {
  const linear = (w: WeightInput, b: WeightInput) => ({ weight: gradient(w), bias: gradient(b) });
  return {
    query: linear('wq', 'bq'),
    key: linear('wk', 'bk'),
    value: linear('wv', 'bv'),
    attentionOutput: linear('wo', 'bo'),
    attentionNorm: { gamma: gradient('g1'), beta: gradient('be1') },
    intermediate: linear('wi', 'bi'),
    output: linear('wf', 'bf'),
    outputNorm: { gamma: gradient('g2'), beta: gradient('be2') },
  };
}
