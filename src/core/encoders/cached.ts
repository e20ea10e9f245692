/**
 * An embedding cache in front of any sentence encoder: vectors are kept per (encoder configuration,
 * prefix, text), so re-evaluating or training on the same data never encodes a text twice, and an
 * interrupted encoding resumes where it stopped. The store is injected (IndexedDB in the browser,
 * a Map in tests).
 */
import { prefixFor, type TransformerSettings } from './transformer';
import type { EncodeOptions, SentenceEncoder, TextRole } from './types';

export interface VectorStore {
  getMany(keys: string[]): Promise<(Float32Array | undefined)[]>;
  setMany(entries: [string, Float32Array][]): Promise<void>;
}

export interface CachedEncodeProgress {
  done: number;
  total: number;
  /** Of `done`, how many came from the cache. */
  cached: number;
}

/** Texts encoded (and stored) per chunk: what an interruption can lose. */
export const CACHE_CHUNK = 256;

/**
 * `configKey` must name everything but the text and prefix that changes a vector (model, weights
 * format, pooling); the prefix of the role is added here because it is part of what was encoded.
 */
export function embeddingKey(configKey: string, prefix: string, text: string): string {
  return `${configKey}\u241f${prefix}\u241f${text}`;
}

export async function encodeWithCache(
  encoder: SentenceEncoder,
  store: VectorStore,
  configKey: string,
  settings: Pick<TransformerSettings, 'queryPrefix' | 'passagePrefix'>,
  texts: readonly string[],
  role: TextRole,
  options: Omit<EncodeOptions, 'onProgress'> & { onProgress?: (progress: CachedEncodeProgress) => void } = {},
): Promise<Float32Array> {
  const { dim } = encoder;
  const prefix = prefixFor(settings, role);
  const keys = texts.map((text) => embeddingKey(configKey, prefix, text));
  const out = new Float32Array(texts.length * dim);
  const found = await store.getMany(keys);
  const missing: number[] = [];
  found.forEach((vector, i) => {
    if (vector && vector.length === dim) out.set(vector, i * dim);
    else missing.push(i);
  });
  const cached = texts.length - missing.length;
  options.onProgress?.({ done: cached, total: texts.length, cached });

  // Equal texts are encoded once.
  const firstOf = new Map<string, number[]>();
  for (const i of missing) {
    const rows = firstOf.get(keys[i]);
    if (rows) rows.push(i);
    else firstOf.set(keys[i], [i]);
  }
  const unique = [...firstOf.values()];
  let done = cached;
  for (let start = 0; start < unique.length; start += CACHE_CHUNK) {
    options.signal?.throwIfAborted();
    const chunk = unique.slice(start, start + CACHE_CHUNK);
    const before = done;
    const vectors = await encoder.encode(chunk.map((rows) => texts[rows[0]]), role, {
      signal: options.signal,
      onProgress: (chunkDone) => {
        const rowsDone = chunk.slice(0, chunkDone).reduce((sum, rows) => sum + rows.length, 0);
        options.onProgress?.({ done: before + rowsDone, total: texts.length, cached });
      },
    });
    const entries: [string, Float32Array][] = [];
    chunk.forEach((rows, j) => {
      const vector = vectors.slice(j * dim, (j + 1) * dim);
      for (const row of rows) out.set(vector, row * dim);
      entries.push([keys[rows[0]], vector]);
      done += rows.length;
    });
    await store.setMany(entries);
  }
  options.onProgress?.({ done: texts.length, total: texts.length, cached });
  return out;
}
