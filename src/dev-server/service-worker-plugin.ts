/**
 * Writes the app's service worker (workers/service-worker/sw.ts) into the build as `sw.js`, beside
 * index.html, with the build's file list (src/core/precache.ts) compiled in: a new build is a new
 * sw.js, which the browser installs as an update with a cache of its own. Build only: the dev
 * server sends the isolation headers itself and needs no cache.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'vite';
import { planPrecache, type BuildFile } from '../core/precache.js';

export function serviceWorkerPlugin(): Plugin {
  let outDir = '';
  let source = '';
  return {
    name: 'xling-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
      source = path.join(config.root, 'workers/service-worker/sw.ts');
    },
    // After every file (workers and public/ included) is written: the list is what the host serves.
    async closeBundle() {
      const precache = planPrecache(await buildFiles(outDir), (text) => createHash('sha256').update(text).digest('hex'));
      const compiled = await build({
        entryPoints: [source],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        minify: true,
        define: { __XLING_PRECACHE__: JSON.stringify(precache) },
      });
      await writeFile(path.join(outDir, 'sw.js'), compiled.outputFiles[0].contents);
    },
  };
}

async function buildFiles(outDir: string): Promise<BuildFile[]> {
  const entries = await readdir(outDir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const full = path.join(entry.parentPath, entry.name);
        const bytes = await readFile(full);
        return { path: path.relative(outDir, full).split(path.sep).join('/'), size: bytes.length, digest: createHash('sha256').update(bytes).digest('hex') };
      }),
  );
}
