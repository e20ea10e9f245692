/**
 * Downloads dataset files with byte progress, optionally through a Cache API cache so that the
 * second visit needs no network.
 */
import type { DatasetFile } from '../../src/core/dataset/types';

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
  const declared = lengths.every(Number.isFinite) ? lengths.reduce((a, b) => a + b, 0) : null;
  let done = 0;
  const countBytes = (bytes: number) => {
    done += bytes;
    onProgress?.({ done, total: declared !== null && done <= declared ? declared : null });
  };

  return Promise.all(
    responses.map(async ({ response, fromCache }, i) => {
      const { text, bytes } = await readText(response, countBytes);
      if (cache && !fromCache) {
        const headers = { 'Content-Type': 'application/json', 'Content-Length': String(bytes) };
        await cache.put(files[i].url, new Response(text, { headers }));
      }
      return { name: files[i].name, text };
    }),
  );
}

async function readText(response: Response, onBytes: (bytes: number) => void): Promise<{ text: string; bytes: number }> {
  if (!response.body) return { text: '', bytes: 0 };
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(decoder.decode(value, { stream: true }));
    bytes += value.byteLength;
    onBytes(value.byteLength);
  }
  parts.push(decoder.decode());
  return { text: parts.join(''), bytes };
}
