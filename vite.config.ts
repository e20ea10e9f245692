/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { dataFolderPlugin } from './src/dev-server/data-server.js';
import { modelFolderPlugin } from './src/dev-server/model-server.js';
import { serviceWorkerPlugin } from './src/dev-server/service-worker-plugin.js';

/**
 * Cross-origin isolation (SharedArrayBuffer) lets onnxruntime-web run multi-threaded WASM.
 * `require-corp` rather than `credentialless`: every browser that isolates supports it, and the app
 * only fetches cross-origin with CORS. A static host that sends neither gets them from the app's
 * service worker (workers/service-worker/sw.ts).
 */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative URLs throughout the build: it runs from any folder of any static host (docs/hosting.md).
  base: './',
  plugins: [react(), dataFolderPlugin(), modelFolderPlugin(), serviceWorkerPlugin()],
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  optimizeDeps: {
    // Listed up front: deps first met in the worker or a lazy import would otherwise make the dev
    // server re-optimise and reload the page mid-session.
    include: ['react', 'react-dom/client', 'idb-keyval', 'plotly.js-dist-min', 'onnx-proto', 'umap-js', '@huggingface/transformers'],
    // Pre-bundling would move onnxruntime-web away from the .wasm/.mjs files it locates by URL.
    exclude: ['onnxruntime-web'],
  },
  // ES workers: the lab worker imports onnxruntime-web lazily (code splitting).
  worker: { format: 'es' },
  // plotly.js (4.6 MB) is its own chunk, loaded only when the first chart draws.
  build: { chunkSizeWarningLimit: 5000 },
  test: {
    // Unit and CLI tests run in Node; browser tests drive Debian's Chromium through playwright-core.
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Browser waits under load: CI shares two cores with other work, a 1 s poll is not enough.
    expect: { poll: { timeout: 60_000 } },
    // Two cores: browser and CLI tests are heavy, keep files sequential to avoid starving each other.
    fileParallelism: false,
  },
});
