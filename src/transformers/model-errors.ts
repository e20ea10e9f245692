/**
 * Turns what transformers.js and onnxruntime throw while fetching or running a model into messages
 * that say what is wrong and what to do, the same on the command line and in the browser.
 */
import { DTYPE_FILES, type Dtype } from '../core/encoders/model-folder';

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

/**
 * A model file that was read but is unusable (not JSON, not an ONNX model, not an encoder's): a
 * copy of it kept in a cache must go, or fixing the folder would not help. The name travels
 * between workers (rpc.ts keeps names).
 */
export class ModelFileError extends ModelLoadError {
  override name = 'ModelFileError';
}

export const isModelFileError = (error: unknown): boolean => error instanceof Error && error.name === 'ModelFileError';

/** What AutoTokenizer reads, in transformers.js's order. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];

const ONNX_FAILURE = /protobuf|Failed to load model|Can't create a session|Load model from|invalid model|ERROR_CODE|Unknown model file|out of bounds|model path is a directory/i;

/**
 * The error of a file that was read and is damaged, named, with what to do; null for failures to
 * reach or find a file (explainModelError's part). `files`: what the failing step reads; `lastRead`:
 * the file transformers.js read last (it parses each right after reading it).
 */
export function damagedFileError(error: unknown, model: string, files: string[], lastRead: string | null): ModelFileError | null {
  if (!(error instanceof Error) || error instanceof ModelLoadError || error.name === 'AbortError') return null;
  const read = lastRead !== null ? files.find((file) => lastRead!.endsWith(file)) : undefined;
  const file = files.length === 1 ? files[0] : (read ?? files.join(' or '));
  if (error instanceof SyntaxError) {
    return new ModelFileError(`${model}: ${file} is not valid JSON (${error.message}). The file is damaged or cut short: ` +
      'copy it again from where the model came from (or export the model again).');
  }
  if (files[0].endsWith('.onnx') && ONNX_FAILURE.test(error.message)) {
    return new ModelFileError(`${model}: ${file} is not a readable ONNX model (${error.message}). It is damaged or cut short ` +
      '(an interrupted download or copy): copy it again, or choose weights the folder has whole.');
  }
  // transformers.js reads tokenizer_config.json's tokenizer_class without checking the file is there.
  if (files === TOKENIZER_FILES && /tokenizer_class/.test(error.message)) {
    return new ModelFileError(`${model}: tokenizer_config.json is missing or names no tokenizer_class (${error.message}). ` +
      'Copy the tokenizer_config.json of the export into the folder.');
  }
  if (files === TOKENIZER_FILES && !/locate|not found|fetch|network/i.test(error.message)) {
    return new ModelFileError(`${model}: ${TOKENIZER_FILES.join(' and ')} do not make a tokenizer transformers.js can use (${error.message}). ` +
      'The folder needs the tokenizer.json of a fast tokenizer, as an export with Optimum writes it.');
  }
  return null;
}

export function explainModelError(error: unknown, { model, host, dtype }: ModelErrorContext): Error {
  if (error instanceof ModelLoadError || (error instanceof Error && error.name === 'AbortError')) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = host ? ` at ${host}` : '';

  // "Could not locate file" from the hub, "not found locally at" from a local folder (served, picked).
  const missing = /(?:Could not locate file: |not found locally at )"([^"]+)"/.exec(message);
  if (missing || (error instanceof Error && error.name === 'ModelFileNotFoundError')) {
    const url = missing?.[1] ?? '';
    const weights = DTYPE_FILES[dtype];
    if (url.endsWith(weights)) {
      return new ModelLoadError(`${model} has no ${dtype} weights (${weights} is missing${where}). ` +
        (dtype === 'fp32' ? 'Choose weights it has: some exports hold only onnx/model_fp16.onnx, model_quantized.onnx (q8) or model_q4.onnx.'
          : 'Choose weights it has: fp32 (onnx/model.onnx) is the one every export has.'));
    }
    const file = /\/((?:config|tokenizer|tokenizer_config)\.json)$/.exec(url)?.[1];
    if (file && host) {
      return new ModelLoadError(`No model '${model}'${where} (${file} not found). Check the id: it must be a ` +
        `repository with a transformers.js export (config.json, tokenizer.json, onnx/model.onnx), such as Xenova/multilingual-e5-small.`);
    }
    if (file) {
      return new ModelLoadError(`${model} has no ${file}: a transformers.js model folder needs config.json, tokenizer.json ` +
        'and onnx/model.onnx (an export with Optimum writes them); add the file, or pick the whole exported folder.');
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
  return error instanceof Error ? error : new Error(message);
}
