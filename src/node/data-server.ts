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
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Connect, Plugin } from 'vite';

/** The shape of `/data/index.json`; the app imports this type. */
export interface DataFolderIndex {
  folders: { name: string; files: { name: string; size: number }[] }[];
}

const DATA_FILE = /\.jsonl?$/;
/** One path segment of plain characters: no separators, no `..`, nothing to escape the folder. */
const SAFE_SEGMENT = /^[\w][\w.-]*$/;

export function resolveDataDir(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.XLING_DATA_DIR) return path.resolve(root, env.XLING_DATA_DIR);
  const shared = path.resolve(root, '../shared/data');
  return existsSync(shared) ? shared : null;
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
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const dataDir = getDataDir();
    if (segments.length === 1 && segments[0] === 'index.json') {
      readDataFolderIndex(dataDir).then(
        (index) => {
          res.setHeader('Content-Type', 'application/json');
          res.setHeader('Cache-Control', 'no-store');
          res.end(JSON.stringify(index));
        },
        (error: unknown) => next(error),
      );
      return;
    }
    const [folder, file] = segments;
    if (!dataDir || segments.length !== 2 || !SAFE_SEGMENT.test(folder) || !SAFE_SEGMENT.test(file) || !DATA_FILE.test(file)) {
      res.statusCode = 404;
      res.end('Not found');
      return;
    }
    const filePath = path.join(dataDir, folder, file);
    stat(filePath).then(
      (info) => {
        if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
        res.setHeader('Content-Type', file.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json');
        res.setHeader('Content-Length', String(info.size));
        res.setHeader('Cache-Control', 'no-cache');
        createReadStream(filePath).pipe(res);
      },
      () => {
        res.statusCode = 404;
        res.end('Not found');
      },
    );
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
