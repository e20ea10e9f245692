/**
 * Serves local transformers.js model folders to the app from the dev and preview servers, so that the
 * browser loads encoders such as `models/multilingual-e5-small/` in place, with no model hub.
 *
 *   GET /models/index.json           -> ModelFolderIndex: subfolders laid out as transformers.js models,
 *                                       and the other subfolders with what they lack
 *   GET /models/<name>/<path...>     -> that file (e.g. /models/tiny/onnx/model.onnx); HEAD too
 *
 * Anything else under /models is a 404 with a short text: transformers.js probes optional files
 * (tokenizer_config.json, ...) and must not be handed the app's index.html.
 *
 * The folder is `XLING_MODELS_DIR` when set (relative to the project root), else `models/` in the
 * project root when it exists; without one, the index lists no models. Responses are same-origin,
 * so the app's cross-origin isolation (COEP require-corp) lets them through.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Connect, Plugin } from 'vite';
import { availableDtypes, unusableFolderReason, type ModelFolderIndex } from '../core/encoders/model-folder.js';
import { SAFE_SEGMENT, requestSegments, resolveFolder, safeSegments, sendFile, sendIndex, sendNotFound } from './serve-folder.js';

/** Symlinked folders are followed (Hugging Face cache snapshots are links); this bounds a loop. */
const MAX_DEPTH = 8;

export function resolveModelsDir(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  return resolveFolder(root, 'XLING_MODELS_DIR', 'models', env);
}

/** Every servable file under `folder`, sorted by path ('/'-separated), symlinks followed. */
async function listFiles(folder: string, prefix = '', depth = 0): Promise<{ path: string; size: number }[]> {
  const files: { path: string; size: number }[] = [];
  if (depth > MAX_DEPTH) return files;
  for (const name of (await readdir(folder)).sort()) {
    if (!SAFE_SEGMENT.test(name)) continue;
    const full = path.join(folder, name);
    const info = await stat(full).catch(() => null); // a dangling link is skipped
    if (info?.isFile()) files.push({ path: prefix + name, size: info.size });
    else if (info?.isDirectory()) files.push(...(await listFiles(full, `${prefix}${name}/`, depth + 1)));
  }
  return files;
}

export async function readModelFolderIndex(modelsDir: string | null): Promise<ModelFolderIndex> {
  if (!modelsDir || !existsSync(modelsDir)) return { models: [], unusable: [] };
  const models: ModelFolderIndex['models'] = [];
  const unusable: ModelFolderIndex['unusable'] = [];
  for (const name of await readdir(modelsDir)) {
    if (!SAFE_SEGMENT.test(name)) continue;
    const folder = path.join(modelsDir, name);
    const info = await stat(folder).catch(() => null);
    if (!info?.isDirectory()) continue;
    const files = await listFiles(folder);
    const paths = files.map((file) => file.path);
    const reason = unusableFolderReason(paths);
    if (reason) unusable.push({ name, reason });
    else models.push({ name, files, dtypes: availableDtypes(paths) });
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { models: models.sort(byName), unusable: unusable.sort(byName) };
}

function modelMiddleware(getModelsDir: () => string | null): Connect.NextHandleFunction {
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('Allow', 'GET, HEAD');
      res.end('Method not allowed');
      return;
    }
    // Mounted at /models, so req.url is the rest of the path.
    const segments = requestSegments(req);
    const modelsDir = getModelsDir();
    if (segments?.length === 1 && segments[0] === 'index.json') {
      sendIndex(res, next, readModelFolderIndex(modelsDir));
      return;
    }
    if (!modelsDir || !segments || segments.length < 2 || !safeSegments(segments)) {
      sendNotFound(res);
      return;
    }
    const file = segments[segments.length - 1];
    sendFile(req, res, path.join(modelsDir, ...segments), file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  };
}

/** The Vite plugin: the same routes on `vite` (dev) and `vite preview`. */
export function modelFolderPlugin(): Plugin {
  let root = process.cwd();
  // Resolved per request: a `models/` folder made while the server runs is picked up.
  const getModelsDir = () => resolveModelsDir(root);
  return {
    name: 'xling-model-folder',
    configResolved(config) {
      root = config.root;
    },
    configureServer(server) {
      server.config.logger.info(`  model folder: ${getModelsDir() ?? 'none (set XLING_MODELS_DIR or make models/)'} -> /models/`);
      server.middlewares.use('/models', modelMiddleware(getModelsDir));
    },
    configurePreviewServer(server) {
      server.middlewares.use('/models', modelMiddleware(getModelsDir));
    },
  };
}
