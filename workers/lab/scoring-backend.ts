/**
 * The scoring backends. `auto` (the default) scores sparse vectors (the lexical encoder's) with the
 * exact sparse kernel on a pool of scoring workers, and dense ones (transformer embeddings, trained
 * heads' projections) with onnxruntime-web's multi-threaded WASM Gemm; `onnxruntime` and `js` force
 * one backend. Why: docs/benchmarks.md, "Scoring backends". ORT's .wasm and .mjs files come from the
 * app's own origin (Vite `?url` assets), never from a CDN. WebGPU is not used for scoring: on a
 * software adapter it is far slower, and a real GPU's gain was not measured here. (The WebGPU build
 * loaded here serves layer tuning only.)
 */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortWebGpuGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWebGpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { ortMatmul } from '../../src/core/linalg/ort-matmul';
import { sparseRowsWhereSparse, sparseWhereSparse } from '../../src/core/linalg/sparse-matmul';
import type { ScoreMatmulFactory } from '../../src/core/linalg/types';
import { workerThreads } from '../threads';
import type { ScoringChoice } from './protocol';
import { pooledSparseDense, pooledSparseMatmul, sparseThreads } from './sparse-pool';

export interface ScoringBackend {
  matmul: ScoreMatmulFactory;
  /**
   * What scored since the backend was made, shown with each run, e.g. "sparse exact, 2 threads" or
   * "sparse exact, 2 threads (raw vectors); onnxruntime-web wasm, 2 threads (projected)".
   */
  name(): string;
}

const JS_NAME = 'js (float64 accumulation)';

let ortBackend: Promise<{ name: string; matmul: ScoreMatmulFactory }> | undefined;

/**
 * A fresh backend per run, so that its name says what that run used. onnxruntime-web starts when a
 * dense product first needs it, not before: sparse vectors never wait for its module, .wasm and
 * threads (most of a second in the first evaluation's path).
 */
export async function scoringBackend(choice: ScoringChoice): Promise<ScoringBackend> {
  if (choice === 'js') return { matmul: jsMatmul, name: () => JS_NAME };
  const dense = () =>
    (ortBackend ??= startOrt().catch((error: unknown) => ({
      name: `${JS_NAME}; onnxruntime-web failed to start: ${error instanceof Error ? error.message : error}`,
      matmul: jsMatmul,
    })));
  if (choice === 'onnxruntime') {
    const started = await dense();
    return { matmul: started.matmul, name: () => started.name };
  }
  const used = new Set<string>();
  const threads = sparseThreads();
  const sparseName = `sparse exact, ${threads} thread${threads === 1 ? '' : 's'}`;
  const denseWhenNeeded: ScoreMatmulFactory = async (candidates, candidateCount, dim) => {
    const started = await dense();
    used.add(started.name);
    return started.matmul(candidates, candidateCount, dim);
  };
  const productName = `sparse rows x dense, ${threads} thread${threads === 1 ? '' : 's'}`;
  // A head on lexical vectors: the pool's sparse x dense kernel (docs/benchmarks.md, "Held-out checks").
  const denseOrSparseRows = sparseRowsWhereSparse(pooledSparseDense, denseWhenNeeded, () => used.add(productName));
  const matmul = sparseWhereSparse(pooledSparseMatmul, denseOrSparseRows, (sparse) => {
    if (sparse) used.add(sparseName);
  });
  return { matmul, name: () => [...used].join('; ') || sparseName };
}

let ortModule: Promise<typeof import('onnxruntime-web/wasm')> | undefined;
let ortWebGpuModule: Promise<typeof import('onnxruntime-web/webgpu')> | undefined;

/** Points an onnxruntime-web build at its .wasm and .mjs on the app's origin, multi-threaded where the page is isolated. */
function configured<Ort extends { env: { wasm: { wasmPaths?: unknown; numThreads?: number } } }>(ort: Ort, wasmUrl: string, glueUrl: string): Ort {
  ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, self.location.href).href, mjs: new URL(glueUrl, self.location.href).href };
  ort.env.wasm.numThreads = workerThreads();
  return ort;
}

/** The lab worker's onnxruntime-web (WASM, multi-threaded where the page is isolated), its files from the app's origin. */
export function labOrt(): Promise<typeof import('onnxruntime-web/wasm')> {
  ortModule ??= import('onnxruntime-web/wasm').then((ort) => configured(ort, ortWasmUrl, ortGlueUrl));
  return ortModule;
}

/**
 * onnxruntime-web's WebGPU build (its WebGPU EP, on the asyncify .wasm the encoder's transformers.js
 * loads too, so the app ships no extra file), for layer tuning on WebGPU; loaded only when chosen.
 */
export function labOrtWebGpu(): Promise<typeof import('onnxruntime-web/webgpu')> {
  ortWebGpuModule ??= import('onnxruntime-web/webgpu').then((ort) => configured(ort, ortWebGpuWasmUrl, ortWebGpuGlueUrl));
  return ortWebGpuModule;
}

async function startOrt(): Promise<{ name: string; matmul: ScoreMatmulFactory }> {
  const ort = await labOrt();
  const threads = workerThreads();
  const matmul = ortMatmul(ort, { executionProviders: ['wasm'] });
  // A 1 x 1 product proves the runtime loads before a long evaluation depends on it.
  const probe = await matmul(new Float32Array([1]), 1, 1);
  await probe.scores(new Float32Array([1]), 1);
  await probe.dispose();
  return { name: `onnxruntime-web wasm, ${threads} thread${threads === 1 ? '' : 's'}`, matmul };
}
