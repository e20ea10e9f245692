/**
 * The user's own dataset files, kept in IndexedDB so that a reload finds them again. Keys are the
 * SHA-256 of the content: picking the same file twice stores it once.
 */
import { createStore, delMany, getMany, keys, setMany } from 'idb-keyval';
import { DatasetError, type DatasetFile } from '../../src/core/dataset/types';
import type { StoredFile } from './protocol';

const store = createStore('xling-lab-files', 'files');

/**
 * Stores the files of a new pick and drops the previous pick's files, so that the store holds one
 * dataset at most (the app remembers only the last pick).
 */
export async function storePickedFiles(files: DatasetFile[]): Promise<StoredFile[]> {
  const stored = await Promise.all(
    files.map(async ({ name, text }) => {
      const bytes = new TextEncoder().encode(text);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      const key = `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
      return { name, key, size: bytes.length };
    }),
  );
  // As Blobs: Chromium writes them to disk beside the database, where a string of 100 MB fails to
  // store ("The transaction has finished").
  await setMany(stored.map((file, i) => [file.key, new Blob([files[i].text], { type: 'text/plain' })]), store);
  const kept = new Set(stored.map((file) => file.key));
  await delMany((await keys<string>(store)).filter((key) => !kept.has(key)), store);
  return stored;
}

export async function readStoredFiles(files: StoredFile[]): Promise<DatasetFile[]> {
  // Strings: files stored before they were kept as Blobs.
  const kept = await getMany<Blob | string>(files.map((file) => file.key), store);
  const texts = await Promise.all(kept.map((value) => (value instanceof Blob ? value.text() : value)));
  const missing = files.filter((_, i) => texts[i] === undefined);
  if (missing.length > 0) {
    throw new DatasetError(
      missing.map((file) => ({ file: file.name, place: '', message: 'no longer stored in this browser: pick the file again' })),
    );
  }
  return files.map((file, i) => ({ name: file.name, text: texts[i]! }));
}
