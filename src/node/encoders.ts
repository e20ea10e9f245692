/**
 * Command-line encoder names and the flags that tune transformer encoders, shared by every subcommand:
 * `lexical` (built-in), `onnx:<folder>` (a local transformers.js model folder), `hf:<hub id>`
 * (downloaded from the hub or HF_ENDPOINT into a file cache, src/node/hub-encoder.ts) and
 * `npy:<folder>` (vectors computed elsewhere, in the export format, src/node/embedding-files.ts).
 */
import type { Dataset } from '../core/dataset/types';
import { createLexicalEncoder } from '../core/encoders/lexical';
import { precomputedEncoder } from '../core/encoders/precomputed';
import type { Pooling } from '../core/encoders/transformer';
import type { SentenceEncoder } from '../core/encoders/types';
import { DTYPES, type Dtype } from '../core/encoders/model-folder';
import type { TransformerEncoder } from '../transformers/transformers-encoder';
import { createHubEncoder } from './hub-encoder';
import { readEmbeddingFolder } from './embedding-files';
import { createOnnxEncoder } from './onnx-encoder';

const AVAILABLE = 'lexical (the built-in hashed character n-gram encoder), ' +
  'onnx:<folder> (a local transformers.js model folder; npm run make-test-model -- <folder> writes a tiny one), ' +
  'hf:<hub id> (a transformers.js export on the Hugging Face hub or the mirror in HF_ENDPOINT, e.g. hf:Xenova/multilingual-e5-small), ' +
  'npy:<folder> (vectors computed elsewhere: queries.npy, candidates.npy, queries.jsonl, candidates.jsonl as --export writes them)';

/** Settings of a transformer encoder given on the command line; unset ones keep the model's defaults. */
export interface EncoderFlags {
  queryPrefix?: string;
  passagePrefix?: string;
  pooling?: Pooling;
  dtype?: Dtype;
}

/** parseArgs options of the encoder flags, for both commands. */
export const ENCODER_FLAG_OPTIONS = {
  'query-prefix': { type: 'string' },
  'passage-prefix': { type: 'string' },
  pooling: { type: 'string' },
  dtype: { type: 'string' },
} as const;

export const ENCODER_USAGE = `  --encoder <name>        lexical (built-in), onnx:<folder> (a local transformers.js model folder) or
                          hf:<hub id> (downloaded from HF_ENDPOINT or https://huggingface.co/ into
                          XLING_MODEL_CACHE or ~/.cache/xling-lab/models) or npy:<folder> (vectors
                          computed elsewhere, in the --export format; docs/formats.md) [lexical]
  --query-prefix <s>      text put before every query, e.g. 'query: ' [catalog model's, else none]
  --passage-prefix <s>    text put before every candidate, e.g. 'passage: ' [catalog model's, else none]
  --pooling mean|cls      token states to one vector [catalog model's, else mean]
  --dtype fp32|fp16|q8|q4 weight file to load (onnx/model.onnx, model_fp16, model_quantized, model_q4) [fp32]
                          (these four flags apply to onnx: and hf: encoders only)`;

/** Checks the encoder flags; errors are RangeErrors, which both commands report with their usage. */
export function parseEncoderFlags(encoder: string, values: {
  'query-prefix'?: string;
  'passage-prefix'?: string;
  pooling?: string;
  dtype?: string;
}): EncoderFlags {
  const given = Object.keys(ENCODER_FLAG_OPTIONS).filter((flag) => values[flag as keyof typeof values] !== undefined).map((flag) => `--${flag}`);
  if (given.length && !isTransformerName(encoder)) {
    throw new RangeError(`${given.join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to transformer encoders ` +
      `(onnx:<folder>, hf:<hub id>), not to '${encoder}': leave ${given.length > 1 ? 'them' : 'it'} out or pick such an encoder.`);
  }
  const { pooling, dtype } = values;
  if (pooling !== undefined && pooling !== 'mean' && pooling !== 'cls') {
    throw new RangeError(`--pooling must be 'mean' or 'cls', got '${pooling}'.`);
  }
  if (dtype !== undefined && !(DTYPES as readonly string[]).includes(dtype)) {
    throw new RangeError(`--dtype must be one of ${DTYPES.join(', ')}, got '${dtype}'.`);
  }
  return {
    queryPrefix: values['query-prefix'],
    passagePrefix: values['passage-prefix'],
    pooling: pooling as Pooling | undefined,
    dtype: dtype as Dtype | undefined,
  };
}

function isTransformerName(name: string): boolean {
  return (name.startsWith('onnx:') && name.length > 'onnx:'.length) || (name.startsWith('hf:') && name.length > 'hf:'.length);
}

/**
 * Turns a command-line encoder name (and its flags) into an encoder: the one resolution every
 * subcommand uses. `datasets` are the datasets the encoder will encode (an `npy:` folder's rows are
 * matched to them by key now, so a missing row stops the command before any work).
 */
export async function resolveEncoder(name: string, flags: EncoderFlags = {}, datasets: Dataset[] = []): Promise<SentenceEncoder> {
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const settings = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) as EncoderFlags;
  if (name === 'lexical') {
    if (Object.keys(settings).length) throw new RangeError(`the lexical encoder takes no transformer settings (${Object.keys(settings).join(', ')}).`);
    return createLexicalEncoder();
  }
  if (name.startsWith('onnx:') && name.length > 'onnx:'.length) {
    return createOnnxEncoder(name.slice('onnx:'.length), { ...settings, log });
  }
  if (name.startsWith('hf:') && name.length > 'hf:'.length) {
    return createHubEncoder(name.slice('hf:'.length), { ...settings, log, progress: log });
  }
  if (name.startsWith('npy:') && name.length > 'npy:'.length) {
    if (datasets.length === 0) throw new Error(`${name}: the vectors are matched to the datasets a command encodes; pass them to resolveEncoder.`);
    const started = performance.now();
    const table = await readEmbeddingFolder(name.slice('npy:'.length));
    const { encoder, notes } = precomputedEncoder(table, datasets);
    log(`${name}: ${table.queries.keys.length} query and ${table.candidates.keys.length} candidate vectors of ${table.dim} dimensions ` +
      `read in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    for (const note of notes) log(`${name}: ${note}`);
    return encoder;
  }
  throw new Error(`Unknown encoder '${name}'. Available here: ${AVAILABLE}.`);
}

/** The encoder settings a report records: the ones in effect (flags over model defaults); null for lexical. */
export function encoderSettings(encoder: SentenceEncoder, flags: EncoderFlags): {
  pooling: Pooling | null;
  query_prefix: string | null;
  passage_prefix: string | null;
  dtype: Dtype | null;
} {
  if (!('settings' in encoder)) return { pooling: null, query_prefix: null, passage_prefix: null, dtype: null };
  const { settings } = encoder as TransformerEncoder;
  return { pooling: settings.pooling, query_prefix: settings.queryPrefix, passage_prefix: settings.passagePrefix, dtype: flags.dtype ?? 'fp32' };
}
