/**
 * A headless Chromium page with WebGPU (chromium.ts), for the training tests and benchmark: without
 * a GPU it runs WebGPU on SwiftShader (a CPU implementation: slow, but the real code path). The
 * page is served from 127.0.0.1 (WebGPU needs a secure context) and runs `entry`, a module bundled
 * with esbuild (installed with tsx) from source text that may import the project's own files.
 * Options serve folders beside it (onnxruntime-web's .wasm and .mjs files, say) and make the page
 * cross-origin isolated (SharedArrayBuffer, so multi-threaded WASM).
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, ROOT } from './chromium';

export interface WebGpuPage {
  page: Page;
  /** The adapter's description, e.g. `google swiftshader`; null when the page has no WebGPU. */
  adapter: string | null;
  close(): Promise<void>;
}

export interface WebGpuPageOptions {
  /** URL prefix (e.g. '/ort/') → folder whose files are served under it. */
  folders?: Record<string, string>;
  /** Send COOP same-origin + COEP require-corp with every response. */
  crossOriginIsolated?: boolean;
  /** Extra package.json export conditions for the bundle (e.g. 'onnxruntime-web-use-extern-wasm'). */
  conditions?: string[];
}

const CONTENT_TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Opens the page with `entry` (ES module source, resolved from the repository root) loaded. */
export async function openWebGpuPage(entry: string, root = ROOT, options: WebGpuPageOptions = {}): Promise<WebGpuPage> {
  const bundle = await build({
    ...(options.conditions && { conditions: options.conditions }),
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'webgpu-entry.ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;
  const server = http.createServer(async (request, response) => {
    if (options.crossOriginIsolated) {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    const url = request.url ?? '/';
    const folder = Object.entries(options.folders ?? {}).find(([prefix]) => url.startsWith(prefix));
    if (folder) {
      const file = path.join(folder[1], path.basename(url.slice(folder[0].length).split('?')[0]));
      try {
        const body = await readFile(file);
        response.setHeader('content-type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream');
        response.end(body);
      } catch {
        response.statusCode = 404;
        response.end(`no ${file}`);
      }
    } else if (url === '/entry.js') {
      response.setHeader('content-type', 'text/javascript');
      response.end(script);
    } else {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><meta charset="utf-8"><script src="/entry.js"></script>');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  let browser: Browser | undefined;
  try {
    browser = await launchChromium({ webgpu: true });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string } } | null> } }).gpu;
      const a = gpu ? await gpu.requestAdapter() : null;
      return a ? `${a.info?.vendor ?? ''} ${a.info?.architecture ?? ''}`.trim() || 'unknown' : null;
    });
    const opened = browser;
    return {
      page,
      adapter,
      async close() {
        await opened.close();
        server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    server.close();
    throw error;
  }
}
