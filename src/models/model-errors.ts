/**
 * Turns what transformers.js and onnxruntime throw while fetching or running a model into messages
 * that say what is wrong and what to do, the same on the command line and in the browser.
 */
import { DTYPE_FILES, type Dtype } from '../core/encoders/transformer';

export interface ModelErrorContext {
  /** How the user named the model: `Xenova/multilingual-e5-small`, a folder, ... */
  model: string;
  /** Where files come from, for hub models (https://huggingface.co/ or a mirror). */
  host?: string;
  dtype: Dtype;
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export function explainModelError(error: unknown, { model, host, dtype }: ModelErrorContext): Error {
  if (error instanceof ModelLoadError || (error instanceof Error && error.name === 'AbortError')) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = host ? ` at ${host}` : '';

  const missing = /Could not locate file: "([^"]+)"/.exec(message);
  if (missing || (error instanceof Error && error.name === 'ModelFileNotFoundError')) {
    const url = missing?.[1] ?? '';
    const weights = DTYPE_FILES[dtype];
    if (url.endsWith(weights)) {
      return new ModelLoadError(`${model} has no ${dtype} weights (${weights} is missing${where}). ` +
        `Try another weight format: fp32 (onnx/model.onnx) is the one every export has.`);
    }
    if (/\/(config|tokenizer)\.json$/.test(url)) {
      return new ModelLoadError(`No model '${model}'${where} (${url.split('/').pop()} not found). Check the id: it must be a ` +
        `repository with a transformers.js export (config.json, tokenizer.json, onnx/model.onnx), such as Xenova/multilingual-e5-small.`);
    }
    return new ModelLoadError(`${model}: a file it needs was not found${where}: ${url || message}.`);
  }
  if (error instanceof TypeError && /fetch|network|load failed/i.test(message)) {
    return new ModelLoadError(`Could not reach ${host ?? 'the model files'} to download ${model} (${message}). ` +
      'You may be offline or the host may block the request. Models downloaded before load from the browser cache; ' +
      'otherwise pick a local model folder, point the hub address at a mirror, or use the lexical encoder.');
  }
  if (/out of memory|allocation failed|Failed to allocate|Out of bounds memory|Array buffer allocation|std::bad_alloc/i.test(message)) {
    return new ModelLoadError(`Ran out of memory with ${model} (${dtype}): ${message}. ` +
      'Choose a smaller weight format (q8 or q4), a smaller model, or a smaller batch size.');
  }
  if (/Unexpected token|JSON/i.test(message) && /config|tokenizer/i.test(message)) {
    return new ModelLoadError(`${model}: its config.json or tokenizer.json is not valid JSON (${message}).`);
  }
  return error instanceof Error ? error : new Error(message);
}
