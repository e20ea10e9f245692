/**
 * Downloads dataset files with byte progress, optionally through a Cache API cache so that the
 * second visit needs no network. Gzipped files are unzipped and bytes that are not UTF-8 fail with
 * the located message picked files get (dataset-bytes.ts); the cache keeps the bytes as served.
 */
import type { DatasetFile } from '../../src/core/dataset/types';
import { decodeBrowserDatasetFiles } from './dataset-bytes';
import { browserFilesProblem } from '../../src/core/job-size';

export interface DownloadProgress {
  /** Bytes read so far, over all files. */
  done: number;
  /** Sum of the Content-Length headers; null while unknown or once the bodies outgrow it (compressed transfer). */
  total: number | null;
}

export async function fetchTextFiles(
  files: { name: string; url: string }[],
  options: { cacheName?: string; signal?: AbortSignal; onProgress?: (progress: DownloadProgress) => void },
): Promise<DatasetFile[]> {
  const { cacheName, signal, onProgress } = options;
  const cache = cacheName ? await caches.open(cacheName) : undefined;
  const responses = await Promise.all(
    files.map(async ({ name, url }) => {
      const cached = await cache?.match(url);
      if (cached) return { response: cached, fromCache: true };
      const response = await fetch(url, { signal }).catch((error: unknown) => {
        if (signal?.aborted) throw error;
        throw new Error(`${name}: could not download ${url} (${error instanceof Error ? error.message : error})`);
      });
      if (!response.ok) throw new Error(`${name}: ${url} answered HTTP ${response.status} ${response.statusText}`);
      return { response, fromCache: false };
    }),
  );

  const lengths = responses.map(({ response }) => Number(response.headers.get('Content-Length') ?? NaN));
  // Declared sizes are checked before any body is read; bodies without one are checked as they come.
  const sizeProblem = browserFilesProblem(files.map(({ name }, i) => ({ name, size: lengths[i] })).filter(({ size }) => Number.isFinite(size)));
  if (sizeProblem) throw new Error(sizeProblem);
  const declared = lengths.every(Number.isFinite) ? lengths.reduce((a, b) => a + b, 0) : null;
  let done = 0;
  const countBytes = (bytes: number) => {
    done += bytes;
    onProgress?.({ done, total: declared !== null && done <= declared ? declared : null });
  };

  const bodies = await Promise.all(responses.map(({ response }, i) => readBytes(response, files[i].name, countBytes)));
  // Checked before anything is cached, so a bad file is fetched afresh once it is fixed.
  const decoded = await decodeBrowserDatasetFiles(files.map(({ name }, i) => ({ name, bytes: bodies[i] })));
  if (cache) {
    await Promise.all(responses.map(({ fromCache }, i) => {
      if (fromCache) return undefined;
      const headers = { 'Content-Type': 'application/json', 'Content-Length': String(bodies[i].byteLength) };
      return cache.put(files[i].url, new Response(bodies[i], { headers }));
    }));
  }
  return decoded;
}

async function readBytes(response: Response, name: string, onBytes: (bytes: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
    onBytes(value.byteLength);
    const sizeProblem = browserFilesProblem([{ name, size: length }]);
    if (sizeProblem) {
      await reader.cancel();
      throw new Error(sizeProblem);
    }
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
