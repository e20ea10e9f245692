/**
 * What a transformers.js model folder must hold, and which weights it has, from its file paths
 * ('/'-separated, relative to the folder): one rule for folders the dev server serves
 * (src/dev-server/model-server.ts) and folders picked in the browser (workers/encoder/model-cache.ts).
 * Imports nothing: the dev server's config loads it.
 */

/** Weight formats transformers.js picks files by: onnx/model.onnx, model_fp16.onnx, model_quantized.onnx, model_q4.onnx. */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4';
export const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4'];
export const DTYPE_FILES: Record<Dtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
};

const ONNX_FILE = /^onnx\/[^/]+\.onnx$/;

/** The files (or `onnx/*.onnx`) a folder lacks to be loadable as an encoder; empty when it has them all. */
function missingModelFiles(paths: Iterable<string>): string[] {
  const present = new Set(paths);
  const missing = ['config.json', 'tokenizer.json'].filter((file) => !present.has(file));
  if (![...present].some((path) => ONNX_FILE.test(path))) missing.push('onnx/*.onnx');
  return missing;
}

/** Why a folder cannot be used, in words; null when it can. */
export function unusableFolderReason(paths: Iterable<string>): string | null {
  const missing = missingModelFiles(paths);
  if (missing.length === 0) return null;
  return `missing ${missing.join(', ')}: a transformers.js model folder needs config.json, tokenizer.json and ` +
    'onnx/model.onnx (an export with Optimum writes them)';
}

/** The weights a folder has, in DTYPES order. */
export function availableDtypes(paths: Iterable<string>): Dtype[] {
  const present = new Set(paths);
  return DTYPES.filter((dtype) => present.has(DTYPE_FILES[dtype]));
}

/**
 * The weights to use from a folder that has `available`: the chosen ones when it has them, else
 * fp32 (every export has it) or the first it has; the chosen ones when nothing is known.
 */
export function dtypeFor(chosen: Dtype, available: readonly Dtype[] | null): Dtype {
  if (!available || available.length === 0 || available.includes(chosen)) return chosen;
  return available.includes('fp32') ? 'fp32' : available[0];
}

/** The dev server's `/models/index.json`: the model folders, and the other folders with why they are no models. */
export interface ModelFolderIndex {
  models: { name: string; files: { path: string; size: number }[]; dtypes: Dtype[] }[];
  unusable: { name: string; reason: string }[];
}
