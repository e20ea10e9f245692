/**
 * How many threads a worker may use: the machine's cores, at most 8, and 1 where the page is not
 * cross-origin isolated (no SharedArrayBuffer, so no WASM threads and no shared scoring buffers).
 */
export function workerThreads(): number {
  return self.crossOriginIsolated ? Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8)) : 1;
}
