/**
 * The scoring backends: onnxruntime-web's multi-threaded WASM Gemm (started once per worker; the
 * pure-JS kernel stands in when it fails to start), or the JS kernel by choice. ORT's .wasm and .mjs
 * files come from the app's own origin (Vite `?url` assets), never from a CDN.
 */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { ortMatmul } from '../../src/core/linalg/ort-matmul';
import type { ScoreMatmulFactory } from '../../src/core/linalg/types';
import type { ScoringChoice } from './protocol';

export interface ScoringBackend {
  /** Shown with each run, e.g. "onnxruntime-web wasm, 4 threads" or "js (onnxruntime-web failed: ...)". */
  name: string;
  matmul: ScoreMatmulFactory;
}

let ortBackend: Promise<ScoringBackend> | undefined;

export function scoringBackend(choice: ScoringChoice): Promise<ScoringBackend> {
  if (choice === 'js') return Promise.resolve({ name: 'js (float64 accumulation)', matmul: jsMatmul });
  ortBackend ??= startOrt().catch((error: unknown) => ({
    name: `js (onnxruntime-web failed to start: ${error instanceof Error ? error.message : error})`,
    matmul: jsMatmul,
  }));
  return ortBackend;
}

async function startOrt(): Promise<ScoringBackend> {
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href, mjs: new URL(ortGlueUrl, self.location.href).href };
  // Threads need SharedArrayBuffer, which only a cross-origin isolated page has.
  const threads = self.crossOriginIsolated ? Math.max(1, Math.min(navigator.hardwareConcurrency, 8)) : 1;
  ort.env.wasm.numThreads = threads;
  const matmul = ortMatmul(ort, { executionProviders: ['wasm'] });
  // A 1 x 1 product proves the runtime loads before a long evaluation depends on it.
  const probe = await matmul(new Float32Array([1]), 1, 1);
  await probe.scores(new Float32Array([1]), 1);
  await probe.dispose();
  return { name: `onnxruntime-web wasm, ${threads} thread${threads === 1 ? '' : 's'}`, matmul };
}
