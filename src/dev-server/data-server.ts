/**
 * Serves a local data folder to the app from the dev and preview servers, so that datasets such as
 * `../shared/data/xquad-r/` are read in place and never copied into the repository.
 *
 *   GET /data/index.json         -> DataFolderIndex: subfolders holding *.json / *.jsonl files
 *   GET /data/<folder>/<file>    -> that file
 *
 * The folder is `XLING_DATA_DIR` when set (relative to the project root), else `../shared/data`
 * when it exists; without one, the index lists no folders.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Connect, Plugin } from 'vite';
import type { DataFolderIndex } from '../core/dataset/types.js';
import { SAFE_SEGMENT, requestSegments, resolveFolder, safeSegments, sendFile, sendIndex, sendNotFound } from './serve-folder.js';


const DATA_FILE = /\.jsonl?$/;

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
      if (!DATA_FILE.test(name) || !SAFE_SEGMENT.test(name)) continue;
      const info = await stat(path.join(folder, name));
      if (info.isFile()) files.push({ name, size: info.size });
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
    if (!dataDir || segments?.length !== 2 || !safeSegments(segments) || !DATA_FILE.test(segments[1])) {
      sendNotFound(res);
      return;
    }
    const [folder, file] = segments;
    sendFile(req, res, path.join(dataDir, folder, file), file.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json');
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
