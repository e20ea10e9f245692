/**
 * Serves a local data folder to the app from the dev and preview servers, so that datasets such as
 * `../shared/data/xquad-r/` are read in place and never copied into the repository.
 *
 *   GET /data/index.json              -> DataFolderIndex: subfolders holding *.json / *.jsonl files,
 *                                        or language folders in the MIRACL layout (`ar/topics.tsv`)
 *   GET /data/<folder>/<file>         -> that file
 *   GET /data/<folder>/<lang>/<file>  -> a MIRACL file (topics.tsv, qrels.tsv, docs-*.jsonl[.gz]), as stored
 *
 * The folder is `XLING_DATA_DIR` when set (relative to the project root), else `../shared/data`
 * when it exists; without one, the index lists no folders.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Connect, Plugin } from 'vite';
import { isMiraclFileName } from '../core/dataset/miracl-names.js';
import type { DataFolderIndex } from '../core/dataset/types.js';
import { SAFE_SEGMENT, requestSegments, resolveFolder, safeSegments, sendFile, sendIndex, sendNotFound } from './serve-folder.js';


const DATA_FILE = /\.jsonl?$/;

/** A folder's own *.json / *.jsonl, or a language folder's MIRACL file. */
function isServedFile(segments: readonly string[]): boolean {
  if (segments.length === 1) return DATA_FILE.test(segments[0]);
  return segments.length === 2 && isMiraclFileName(segments[1]);
}

const CONTENT_TYPES: [RegExp, string][] = [[/\.jsonl$/, 'application/x-ndjson'], [/\.json$/, 'application/json'], [/\.tsv$/, 'text/tab-separated-values'], [/\.gz$/, 'application/gzip']];

export function resolveDataDir(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  return resolveFolder(root, 'XLING_DATA_DIR', '../shared/data', env);
}

export async function readDataFolderIndex(dataDir: string | null): Promise<DataFolderIndex> {
  if (!dataDir || !existsSync(dataDir)) return { folders: [] };
  const folders: DataFolderIndex['folders'] = [];
  for (const entry of await readdir(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !SAFE_SEGMENT.test(entry.name)) continue;
    const folder = path.join(dataDir, entry.name);
    const files: { name: string; size: number }[] = [];
    for (const name of (await readdir(folder)).sort()) {
      if (!SAFE_SEGMENT.test(name)) continue;
      const info = await stat(path.join(folder, name));
      if (info.isFile() && isServedFile([name])) files.push({ name, size: info.size });
      if (!info.isDirectory()) continue;
      for (const inner of (await readdir(path.join(folder, name))).sort()) {
        const innerInfo = await stat(path.join(folder, name, inner));
        if (innerInfo.isFile() && SAFE_SEGMENT.test(inner) && isServedFile([name, inner])) files.push({ name: `${name}/${inner}`, size: innerInfo.size });
      }
    }
    if (files.length) folders.push({ name: entry.name, files });
  }
  folders.sort((a, b) => a.name.localeCompare(b.name));
  return { folders };
}

function dataMiddleware(getDataDir: () => string | null): Connect.NextHandleFunction {
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    // Mounted at /data, so req.url is the rest of the path.
    const segments = requestSegments(req);
    const dataDir = getDataDir();
    if (segments?.length === 1 && segments[0] === 'index.json') {
      sendIndex(res, next, readDataFolderIndex(dataDir));
      return;
    }
    if (!dataDir || !segments || segments.length < 2 || !safeSegments(segments) || !isServedFile(segments.slice(1))) {
      sendNotFound(res);
      return;
    }
    const file = segments[segments.length - 1];
    // No Content-Encoding for .gz: the worker unzips it, as it does a picked file.
    const contentType = CONTENT_TYPES.find(([pattern]) => pattern.test(file))?.[1] ?? 'application/octet-stream';
    sendFile(req, res, path.join(dataDir, ...segments), contentType);
  };
}

/** The Vite plugin: the same routes on `vite` (dev) and `vite preview`. */
export function dataFolderPlugin(): Plugin {
  let dataDir: string | null = null;
  return {
    name: 'xling-data-folder',
    configResolved(config) {
      dataDir = resolveDataDir(config.root);
    },
    configureServer(server) {
      server.config.logger.info(`  data folder: ${dataDir ?? 'none (set XLING_DATA_DIR)'} -> /data/`);
      server.middlewares.use('/data', dataMiddleware(() => dataDir));
    },
    configurePreviewServer(server) {
      server.middlewares.use('/data', dataMiddleware(() => dataDir));
    },
  };
}
