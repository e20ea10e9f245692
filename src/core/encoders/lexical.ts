/**
 * The built-in lexical encoder: hashed character n-grams, sublinear term frequency, signed feature
 * hashing into a dense vector, L2-normalised. No download, deterministic across runtimes (only
 * integer hashing and Math.log), and dense so that it shares the scoring and training paths of
 * neural encoders (design.md).
 *
 * Why these choices:
 * - Character n-grams inside word boundaries (`" word "`) catch morphology and work for scripts
 *   without spaces (zh, th) where word tokens would not.
 * - Sublinear tf (1 + ln tf) keeps long repetitive passages from dominating.
 * - Signed hashing (a hash bit picks +1 or -1) makes collisions cancel in expectation instead of
 *   inflating every dot product.
 * It is a real baseline: strong within a language, weak across languages except where scripts and
 * names are shared.
 */
import { nextTurn } from '../scheduling';
import type { EncodeOptions, SentenceEncoder, TextRole } from './types';

export interface LexicalOptions {
  /** Embedding dimension (hash buckets). */
  dim: number;
  /** Shortest and longest character n-gram, in code points. */
  minN: number;
  maxN: number;
}

export const DEFAULT_LEXICAL_OPTIONS: Readonly<LexicalOptions> = { dim: 2048, minN: 2, maxN: 4 };

/** Texts encoded between progress reports, abort checks and turns of the event loop. */
const PROGRESS_EVERY = 512;

export function createLexicalEncoder(options: Partial<LexicalOptions> = {}): SentenceEncoder {
  const settings = validateLexicalOptions({ ...DEFAULT_LEXICAL_OPTIONS, ...options });
  return {
    id: 'lexical',
    dim: settings.dim,
    // Queries and passages are treated alike: a lexical encoder has no use for role prefixes.
    async encode(texts: string[], _role: TextRole, { onProgress, signal }: EncodeOptions = {}) {
      const out = new Float32Array(texts.length * settings.dim);
      for (let i = 0; i < texts.length; i += PROGRESS_EVERY) {
        if (i > 0) await nextTurn();
        signal?.throwIfAborted();
        onProgress?.(i, texts.length);
        encodeLexicalRows(texts.slice(i, i + PROGRESS_EVERY), settings, out.subarray(i * settings.dim));
      }
      onProgress?.(texts.length, texts.length);
      return out;
    },
  };
}

/**
 * Encodes `texts` into the first rows of `out` (row-major, `options.dim` wide, zeros on entry): the
 * encoder's work without its turns and progress, so that threads can each encode a share of the
 * texts into one shared matrix (workers/lab/lexical-pool.ts) with the same vectors bit for bit.
 */
export function encodeLexicalRows(texts: readonly string[], options: LexicalOptions, out: Float32Array): void {
  const counts = new Map<number, number>();
  for (let i = 0; i < texts.length; i++) encodeInto(texts[i], options, counts, out.subarray(i * options.dim, (i + 1) * options.dim));
}

/** Threads that each encode a chunk of texts into a shared matrix (`encodeLexicalRows` on a scoring worker). */
export interface LexicalThreads {
  readonly count: number;
  /** Encodes `texts` with `options` into rows `row ..` of `out` (SharedArrayBuffer-backed, zeros there) on thread `thread`. */
  encode(thread: number, job: { options: LexicalOptions; texts: string[]; row: number; out: Float32Array }): Promise<void>;
}

/**
 * The lexical encoder on several threads: chunks of PROGRESS_EVERY texts go to whichever thread is
 * free, each encoded by `encodeLexicalRows` into one shared matrix, so the vectors are the
 * single-threaded encoder's bit for bit. Progress and Cancel are heard between chunks.
 */
export function threadedLexicalEncoder(options: Partial<LexicalOptions>, threads: () => LexicalThreads): SentenceEncoder {
  const { dim, minN, maxN } = { ...DEFAULT_LEXICAL_OPTIONS, ...options };
  const settings = validateLexicalOptions({ dim, minN, maxN });
  return {
    id: 'lexical',
    dim: settings.dim,
    async encode(texts: string[], _role: TextRole, { onProgress, signal }: EncodeOptions = {}) {
      const out = new Float32Array(new SharedArrayBuffer(texts.length * settings.dim * 4));
      const pool = threads();
      let next = 0;
      let done = 0;
      onProgress?.(0, texts.length);
      await Promise.all(
        Array.from({ length: pool.count }, async (_, thread) => {
          while (next < texts.length) {
            signal?.throwIfAborted();
            const row = next;
            next += PROGRESS_EVERY;
            const chunk = texts.slice(row, row + PROGRESS_EVERY);
            await pool.encode(thread, { options: settings, texts: chunk, row, out });
            done += chunk.length;
            onProgress?.(done, texts.length);
          }
        }),
      );
      // A plain copy for the caller: shared memory cannot be stored in IndexedDB or transferred.
      return new Float32Array(out);
    },
  };
}

export function validateLexicalOptions(options: LexicalOptions): LexicalOptions {
  const { dim, minN, maxN } = options;
  if (!Number.isInteger(dim) || dim < 16 || dim > 8192) {
    throw new RangeError(`Lexical encoder: dim must be an integer from 16 to 8192, got ${dim}.`);
  }
  if (!Number.isInteger(minN) || !Number.isInteger(maxN) || minN < 1 || maxN < minN || maxN > 8) {
    throw new RangeError(`Lexical encoder: n-gram range must satisfy 1 <= minN <= maxN <= 8, got ${minN}-${maxN}.`);
  }
  return options;
}

/** Lower-cased NFKC words joined by single spaces and padded; '' when the text has no word at all. */
export function normaliseForNgrams(text: string): string {
  const words = text.normalize('NFKC').toLowerCase().split(/[\s\p{P}\p{S}]+/u).filter(Boolean);
  return words.length ? ` ${words.join(' ')} ` : '';
}

function encodeInto(text: string, options: LexicalOptions, counts: Map<number, number>, row: Float32Array): void {
  const codePoints = Array.from(normaliseForNgrams(text), (c) => c.codePointAt(0)!);
  counts.clear();
  for (let start = 0; start < codePoints.length; start++) {
    // FNV-1a extended one code point at a time: every n-gram starting here shares the prefix hash.
    let hash = 0x811c9dc5;
    for (let n = 1; n <= options.maxN && start + n <= codePoints.length; n++) {
      hash = Math.imul(hash ^ codePoints[start + n - 1], 0x01000193);
      if (n >= options.minN) {
        const key = mix32(hash ^ n);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  for (const [key, tf] of counts) {
    row[key % options.dim] += (key & 0x80000000 ? -1 : 1) * (1 + Math.log(tf));
  }
  let norm = 0;
  for (let j = 0; j < row.length; j++) norm += row[j] * row[j];
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < row.length; j++) row[j] *= scale;
  }
}

/** MurmurHash3's finaliser: spreads FNV's weak low bits over the whole word. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
