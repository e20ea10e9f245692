/** The embedding cache's IndexedDB store: one Float32Array per (model configuration, prefix, text) key. */
import { createStore, delMany, getMany, keys, setMany } from 'idb-keyval';
import type { VectorStore } from '../../src/core/encoders/cached';

const store = createStore('xling-lab-embeddings', 'vectors');

export const embeddingStore: VectorStore = {
  getMany: (keyList) => getMany<Float32Array>(keyList, store),
  setMany: (entries) => setMany(entries, store),
};

export async function countEmbeddings(): Promise<number> {
  return (await keys(store)).length;
}

/** Deletes the embeddings whose key starts with `prefix` (a model's), or all of them. */
export async function clearEmbeddings(prefix: string | null): Promise<void> {
  const all = await keys<string>(store);
  await delMany(prefix === null ? all : all.filter((key) => key.startsWith(prefix)), store);
}
