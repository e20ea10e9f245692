/**
 * Which files of a model folder an exported layer-tuned model keeps (design.md: the original config
 * and tokenizer, `onnx/model.onnx` with the tuned layers' weights replaced, nothing else changed).
 * Every other weight file would still hold the untuned weights, so a loader picking it (transformers.js
 * asked for q8, sentence-transformers reading model.safetensors) would silently run the original
 * model: they are left out. The rule is shared by the command line's folder and the notebook's download.
 */

/** The tuned weights' place in the exported folder. */
export const TUNED_MODEL_FILE = 'onnx/model.onnx';

/** Weights of other formats and precisions (PyTorch, TensorFlow, Flax, Rust, other ONNX files). */
const STALE_WEIGHTS = /(^onnx\/)|\.(safetensors|bin|h5|msgpack|ot|pt|pth|ckpt|onnx|onnx_data)$|(^|\/)model\.safetensors\.index\.json$|(^|\/)pytorch_model\.bin\.index\.json$/;

/** Whether the exported folder copies `path` (relative, '/'-separated) from the original unchanged. */
export function copiedToTunedExport(path: string): boolean {
  return !STALE_WEIGHTS.test(path);
}
