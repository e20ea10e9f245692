/**
 * "Embeddings from files" in the browser: the four files of the CLI's export format, picked or
 * dropped, read and checked here (each .npy header before its data), kept in IndexedDB by content
 * (so a reload keeps them, like every other embedding), and matched to the loaded dataset by key
 * (src/core/encoders/precomputed.ts).
 */
import { createStore, del, get, getMany, keys, set } from 'idb-keyval';
import { baseName } from '../../src/core/dataset/issues';
import type { Dataset } from '../../src/core/dataset/types';
import {
  checkVectorFile,
  EMBEDDING_FILES,
  EmbeddingFilesError,
  matchEmbeddings,
  readEmbeddingTable,
  type EmbeddingTable,
} from '../../src/core/encoders/precomputed';
import type { EmbeddingFit, StoredEmbeddings } from './protocol';

/** What the list shows, apart from the vectors, so that listing never reads hundreds of megabytes. */
const sets = createStore('xling-lab-embedding-sets', 'sets');
const tables = createStore('xling-lab-embedding-vectors', 'tables');

/** The last table read: a second run on the same set needs no IndexedDB read. */
let lastTable: { key: string; table: EmbeddingTable } | null = null;

/** Reads and checks the four files of a pick (other files are ignored), and stores them; returns the set's description. */
export async function storeEmbeddingFiles(name: string, files: { name: string; blob: Blob }[]): Promise<StoredEmbeddings> {
  const byName = new Map(files.map((file) => [baseName(file.name), file.blob]));
  const wanted = Object.values(EMBEDDING_FILES);
  const absent = wanted.filter((file) => !byName.has(file));
  if (absent.length > 0) {
    throw new EmbeddingFilesError(absent.map((file) => ({
      file,
      place: '',
      message: `not among the picked files (${files.map((f) => baseName(f.name)).join(', ') || 'none'}): pick the folder, or the four files ${wanted.join(', ')} as xling eval --export writes them`,
    })));
  }
  const blob = (file: string) => byName.get(file)!;
  const vectors = async (file: string) => {
    const whole = blob(file);
    await checkVectorFile(file, whole.size, async (bytes) => new Uint8Array(await whole.slice(0, bytes).arrayBuffer()));
    return new Uint8Array(await whole.arrayBuffer());
  };
  const [queryVectors, candidateVectors] = await Promise.all([vectors(EMBEDDING_FILES.queryVectors), vectors(EMBEDDING_FILES.candidateVectors)]);
  const [queryRows, candidateRows] = await Promise.all([blob(EMBEDDING_FILES.queryRows).text(), blob(EMBEDDING_FILES.candidateRows).text()]);
  const key = await contentKey([queryVectors, candidateVectors, new TextEncoder().encode(queryRows), new TextEncoder().encode(candidateRows)]);
  const table = readEmbeddingTable(name, { queryVectors, candidateVectors, queryRows, candidateRows });
  const stored: StoredEmbeddings = { key, name, dim: table.dim, queries: table.queries.keys.length, candidates: table.candidates.keys.length };
  await set(key, table, tables);
  await set(key, stored, sets);
  lastTable = { key, table };
  return stored;
}

export async function listEmbeddingSets(): Promise<StoredEmbeddings[]> {
  const found = await getMany<StoredEmbeddings>(await keys<string>(sets), sets);
  return found.filter((entry): entry is StoredEmbeddings => entry !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

export async function removeEmbeddingSet(key: string): Promise<void> {
  await Promise.all([del(key, sets), del(key, tables)]);
  if (lastTable?.key === key) lastTable = null;
}

export async function embeddingTable(stored: StoredEmbeddings): Promise<EmbeddingTable> {
  if (lastTable?.key === stored.key) return lastTable.table;
  const table = await get<EmbeddingTable>(stored.key, tables);
  if (!table) throw new Error(`The embeddings ${stored.name} are no longer stored in this browser: pick their folder again in the Encoder cell.`);
  lastTable = { key: stored.key, table };
  return table;
}

/** How the stored set `key` fits the dataset. */
export async function embeddingFit(key: string, dataset: Dataset): Promise<EmbeddingFit> {
  const stored = await get<StoredEmbeddings>(key, sets);
  if (!stored) throw new Error('These embeddings are no longer stored in this browser: pick their folder again.');
  const { missing, missingCount, notes } = matchEmbeddings(await embeddingTable(stored), dataset);
  return { key, dataset: dataset.name, missing, missingCount, notes };
}

async function contentKey(parts: Uint8Array<ArrayBuffer>[]): Promise<string> {
  const digests = await Promise.all(parts.map((part) => crypto.subtle.digest('SHA-256', part)));
  const joined = new Uint8Array(digests.length * 32);
  digests.forEach((digest, i) => joined.set(new Uint8Array(digest), i * 32));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
