/**
 * Debian's Chromium driven by playwright-core (design.md: never a browser downloaded by a test
 * tool), for the browser tests and the benchmarks alike: one launcher with one set of flags, and
 * the notebook served by Vite's dev server in-process.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { createServer } from 'vite';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** `webgpu`: WebGPU on, on SwiftShader where there is no GPU (slow, but the real code path). */
export async function launchChromium({ webgpu = false } = {}): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (sudo apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(webgpu ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : []),
    ],
  });
}

/** The notebook on a dev server of its own and a Chromium to open it in. */
export interface AppInChromium {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * `modelsDir`: the folder the dev server serves at /models/ (XLING_MODELS_DIR, read per request)
 * until `close`. `dataDir`: the folder it serves at /data/ instead of ../shared/data (XLING_DATA_DIR,
 * read as the server starts).
 */
export async function startAppInChromium({ webgpu = false, modelsDir, dataDir }: { webgpu?: boolean; modelsDir?: string; dataDir?: string } = {}): Promise<AppInChromium> {
  if (modelsDir) process.env.XLING_MODELS_DIR = modelsDir;
  const savedDataDir = process.env.XLING_DATA_DIR;
  if (dataDir) process.env.XLING_DATA_DIR = dataDir;
  const server = await createServer({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.config.ts'),
    server: { port: 0, host: '127.0.0.1' },
    logLevel: 'warn',
  }).finally(() => {
    if (dataDir) restoreEnv('XLING_DATA_DIR', savedDataDir);
  });
  await server.listen();
  const { port } = server.httpServer!.address() as AddressInfo;
  const browser = await launchChromium({ webgpu }).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    browser,
    async close() {
      await browser.close();
      await server.close();
      if (modelsDir) delete process.env.XLING_MODELS_DIR;
    },
  };
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
