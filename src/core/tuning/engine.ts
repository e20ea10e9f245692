/**
 * The contract every layer-tuning engine implements (issue 17; docs/training.md, "Tuning layers: the
 * engine"): the CPU engine (cpu-layer.ts) and the onnxruntime engines run the same K post-LN layers
 * (layer.ts) forward, and forward + backward given the loss's gradient with respect to their output.
 */
import type { LayerShape, LayerWeights } from './layer';

/** A batch of texts entering the first tuned layer, padded to `seq` tokens. */
export interface LayerInput {
  /** [batch, seq, hidden] row-major; rows past a text's length are padding (any value). */
  hidden: Float32Array;
  /** [batch, seq]: 1 for a token, 0 for padding (every text has at least one token). */
  mask: Uint8Array;
  batch: number;
  seq: number;
}

/** What the loss says about the stack's output: its value and d loss / d output ([batch, seq, hidden]). */
export interface OutputGradient { loss: number; gradient: Float32Array }

export interface LayerStackEngine {
  /** e.g. 'cpu', 'ort-node', 'ort-wasm', 'ort-webgpu'. */
  readonly backend: string;
  readonly shape: LayerShape;
  /** The K layers' output hidden states [batch, seq, hidden], layers[0] applied first. */
  forward(layers: readonly LayerWeights[], input: LayerInput): Promise<Float32Array>;
  /** Forward, the loss from `lossOf(output)`, then backward: every layer's weight gradients (LayerWeights-shaped). */
  forwardBackward(layers: readonly LayerWeights[], input: LayerInput,
    lossOf: (output: Float32Array) => OutputGradient): Promise<{ loss: number; grads: LayerWeights[] }>;
  dispose(): Promise<void>;
}
