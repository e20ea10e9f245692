/// <reference lib="webworker" />
/**
 * Entry of the runtime sub-worker (handlers in runtime.ts). ORT's .wasm and .mjs come from the
 * app's own origin (Vite `?url` assets), never a CDN; WASM runs multi-threaded when the page is
 * cross-origin isolated; models are kept in the Cache API cache the encoder worker lists.
 *
 * Which onnxruntime-web build it loads is in its name (host.ts starts one per device): the
 * asyncify build for WebGPU, the plain WASM build otherwise, which runs the WASM EP about 10%
 * faster (docs/benchmarks.md, q8 weights). transformers.js's ORT glue drives either build: the
 * WebGPU hooks it calls are optional on the module.
 */
import { env } from '@huggingface/transformers';
import webGpuGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import webGpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import wasmGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import wasmWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { serve } from '../rpc';
import { workerThreads } from '../threads';
import { createRuntime } from './runtime';
import { MODEL_CACHE_NAME, runtimeBuildOf, type RuntimeEvent, type RuntimeProtocol } from './runtime-protocol';

const build = runtimeBuildOf(self.name);
const onnx = env.backends.onnx;
if (onnx.wasm) {
  const [wasm, mjs] = build === 'webgpu' ? [webGpuWasmUrl, webGpuGlueUrl] : [wasmWasmUrl, wasmGlueUrl];
  onnx.wasm.wasmPaths = { wasm: new URL(wasm, self.location.href).href, mjs: new URL(mjs, self.location.href).href };
  onnx.wasm.numThreads = workerThreads();
}
env.useBrowserCache = true;
env.cacheKey = MODEL_CACHE_NAME;

const transferEmbeddings = (event: RuntimeEvent) => (event.type === 'encoded' ? [event.embeddings.buffer] : []);
serve<RuntimeProtocol>(self as unknown as DedicatedWorkerGlobalScope, (post) => createRuntime(post, build), { transfer: transferEmbeddings });
