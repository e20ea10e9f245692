/// <reference lib="webworker" />
/**
 * Entry of the runtime sub-worker (handlers in runtime.ts). ORT's .wasm and .mjs come from the
 * app's own origin (Vite `?url` assets), never a CDN; WASM runs multi-threaded when the page is
 * cross-origin isolated; models are kept in the Cache API cache the encoder worker lists.
 */
import { env } from '@huggingface/transformers';
import ortGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { serve } from '../rpc';
import { workerThreads } from '../threads';
import { createRuntime } from './runtime';
import { MODEL_CACHE_NAME, type RuntimeEvent, type RuntimeProtocol } from './runtime-protocol';

const onnx = env.backends.onnx;
if (onnx.wasm) {
  onnx.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href, mjs: new URL(ortGlueUrl, self.location.href).href };
  onnx.wasm.numThreads = workerThreads();
}
env.useBrowserCache = true;
env.cacheKey = MODEL_CACHE_NAME;

const transferEmbeddings = (event: RuntimeEvent) => (event.type === 'encoded' ? [event.embeddings.buffer] : []);
serve<RuntimeProtocol>(self as unknown as DedicatedWorkerGlobalScope, createRuntime, { transfer: transferEmbeddings });
