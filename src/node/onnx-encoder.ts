/**
 * A sentence encoder from a local transformers.js model folder (`config.json`, `tokenizer.json`,
 * `onnx/model.onnx` with output `last_hidden_state`), run with transformers.js on onnxruntime-node:
 * the library and folder layout the browser uses, so both sides load models the same way.
 * Embedding = mean of the last hidden states over the attention mask, L2-normalised (design.md).
 */
import { access } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { DTYPE_FILES, type Dtype } from '../core/encoders/model-folder';
import { loadTransformerEncoder, type LoadTransformerOptions, type TransformerEncoder } from '../transformers/transformers-encoder';

export type OnnxEncoderOptions = Omit<LoadTransformerOptions, 'dtype' | 'device' | 'name' | 'onFileProgress'> & {
  /** Which weight file of onnx/ to load (DTYPE_FILES); fp32 (onnx/model.onnx) by default. */
  dtype?: Dtype;
};

/** The files a folder needs to be an encoder; checked first so that a wrong folder gets a plain message. */
const requiredFiles = (dtype: Dtype) => ['config.json', 'tokenizer.json', join(...DTYPE_FILES[dtype].split('/'))];

export async function createOnnxEncoder(folder: string, options: OnnxEncoderOptions = {}): Promise<TransformerEncoder> {
  const path = resolve(folder);
  const dtype = options.dtype ?? 'fp32';
  await checkEncoderFolder(path, dtype);
  // transformers.js resolves local models as `localModelPath/<id>`, and its env is global: set both
  // right before loading, with the hub off (a local folder must never be silently replaced by a download).
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(path);
  return loadTransformerEncoder(basename(path), { ...options, dtype, device: 'cpu', name: `onnx:${folder}` });
}

async function checkEncoderFolder(path: string, dtype: Dtype): Promise<void> {
  const missing: string[] = [];
  for (const file of requiredFiles(dtype)) {
    await access(join(path, file)).catch(() => missing.push(file));
  }
  const weights = join(...DTYPE_FILES[dtype].split('/'));
  if (missing.length === 1 && missing[0] === weights) {
    const present: Dtype[] = [];
    for (const other of Object.keys(DTYPE_FILES) as Dtype[]) {
      await access(join(path, ...DTYPE_FILES[other].split('/'))).then(() => present.push(other), () => undefined);
    }
    // fp32 is the default: a folder with no weights at all is not an encoder folder (below).
    if (dtype !== 'fp32' || present.length > 0) {
      throw new Error(`${path} has no ${DTYPE_FILES[dtype]}, the weights for --dtype ${dtype}; ` +
        (present.length ? `try --dtype ${present.join(' or --dtype ')}.` : 'it has no weights in onnx/ at all.'));
    }
  }
  if (missing.length) {
    throw new Error(`${path} is not an ONNX encoder folder: missing ${missing.join(', ')} ` +
      `(expected transformers.js layout: config.json, tokenizer.json, onnx/model.onnx; npm run make-test-model -- <folder> writes one).`);
  }
}
