import { createLexicalEncoder } from '../core/encoders/lexical';
import type { SentenceEncoder } from '../core/encoders/types';
import { createOnnxEncoder } from './onnx-encoder';

const AVAILABLE = 'lexical (the built-in hashed character n-gram encoder), ' +
  'onnx:<folder> (a local transformers.js model folder; npm run make-test-model -- <folder> writes a tiny one)';

/** Turns a command-line encoder name into an encoder. */
export async function resolveEncoder(name: string): Promise<SentenceEncoder> {
  if (name === 'lexical') return createLexicalEncoder();
  if (name.startsWith('onnx:') && name.length > 'onnx:'.length) {
    return createOnnxEncoder(name.slice('onnx:'.length), { log: (message) => process.stderr.write(`${message}\n`) });
  }
  if (name.startsWith('hf:')) {
    throw new Error(`Encoder '${name}': no model hub is reachable from here. ` +
      `Download the model elsewhere in transformers.js layout and use onnx:<folder>. Available here: ${AVAILABLE}.`);
  }
  throw new Error(`Unknown encoder '${name}'. Available here: ${AVAILABLE}.`);
}
