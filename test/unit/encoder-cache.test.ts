/**
 * The embedding cache: hits skip the encoder, misses are encoded once (duplicates too), the key
 * carries the role's prefix, a failure mid-way keeps the chunks already stored.
 */
import { describe, expect, test } from 'vitest';
import { CACHE_CHUNK, embeddingKey, encodeWithCache, type VectorStore } from '../../src/core/encoders/cached';
import type { SentenceEncoder, TextRole } from '../../src/core/encoders/types';

/** dim 2: [text length, 1 for queries / 2 for passages], and a log of what it was asked. */
function countingEncoder(failAfter = Infinity) {
  const calls: { texts: string[]; role: TextRole }[] = [];
  let encoded = 0;
  const encoder: SentenceEncoder = {
    id: 'counting',
    dim: 2,
    async encode(texts, role) {
      if (encoded + texts.length > failAfter) throw new Error('device lost');
      encoded += texts.length;
      calls.push({ texts, role });
      return Float32Array.from(texts.flatMap((t) => [t.length, role === 'query' ? 1 : 2]));
    },
  };
  return { encoder, calls };
}

function mapStore(): VectorStore & { map: Map<string, Float32Array> } {
  const map = new Map<string, Float32Array>();
  return {
    map,
    getMany: async (keys) => keys.map((k) => map.get(k)),
    setMany: async (entries) => {
      for (const [k, v] of entries) map.set(k, v);
    },
  };
}

const PREFIXES = { queryPrefix: 'query: ', passagePrefix: 'passage: ' };

describe('encodeWithCache', () => {
  test('encodes misses once, in order, and serves the second call from the store', async () => {
    const { encoder, calls } = countingEncoder();
    const store = mapStore();
    const texts = ['a', 'bbb', 'a', 'cc'];
    const first = await encodeWithCache(encoder, store, 'm', PREFIXES, texts, 'query');
    expect(Array.from(first)).toEqual([1, 1, 3, 1, 1, 1, 2, 1]);
    expect(calls).toEqual([{ texts: ['a', 'bbb', 'cc'], role: 'query' }]);
    expect([...store.map.keys()]).toEqual(['a', 'bbb', 'cc'].map((t) => embeddingKey('m', 'query: ', t)));

    const progress: number[][] = [];
    const second = await encodeWithCache(encoder, store, 'm', PREFIXES, ['cc', 'a'], 'query', {
      onProgress: ({ done, total, cached }) => progress.push([done, total, cached]),
    });
    expect(Array.from(second)).toEqual([2, 1, 1, 1]);
    expect(calls).toHaveLength(1);
    expect(progress).toEqual([[2, 2, 2], [2, 2, 2]]);
  });

  test('passages and other configurations are separate entries', async () => {
    const { encoder, calls } = countingEncoder();
    const store = mapStore();
    await encodeWithCache(encoder, store, 'm', PREFIXES, ['a'], 'query');
    const passage = await encodeWithCache(encoder, store, 'm', PREFIXES, ['a'], 'passage');
    expect(Array.from(passage)).toEqual([1, 2]);
    await encodeWithCache(encoder, store, 'm-q8', PREFIXES, ['a'], 'query');
    expect(calls.map((c) => c.role)).toEqual(['query', 'passage', 'query']);
    expect(store.map.size).toBe(3);
  });

  test('a failure keeps the chunks stored before it: the retry encodes only the rest', async () => {
    const texts = Array.from({ length: CACHE_CHUNK * 2 + 5 }, (_, i) => `text ${i}`);
    const store = mapStore();
    const failing = countingEncoder(CACHE_CHUNK + 10);
    await expect(encodeWithCache(failing.encoder, store, 'm', PREFIXES, texts, 'passage')).rejects.toThrow('device lost');
    expect(store.map.size).toBe(CACHE_CHUNK);

    const retry = countingEncoder();
    const out = await encodeWithCache(retry.encoder, store, 'm', PREFIXES, texts, 'passage');
    expect(retry.calls.flatMap((c) => c.texts)).toEqual(texts.slice(CACHE_CHUNK));
    expect(out[2 * (texts.length - 1)]).toBe(texts[texts.length - 1].length);
  });
});
