/**
 * What the folder-serving Vite plugins share (data-server.ts for datasets, model-server.ts for
 * transformers.js model folders): resolving the folder from an environment variable, splitting a
 * request path into safe segments, answering with a JSON index or a file, and the 404.
 */
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Connect } from 'vite';

/** One path segment of plain characters: no separators, no `..`, nothing to escape the folder. */
export const SAFE_SEGMENT = /^[\w][\w.-]*$/;

/**
 * The folder named by `env[envVar]` (relative to `root`) when set, else `fallback` (relative to
 * `root`) when it exists, else null.
 */
export function resolveFolder(
  root: string,
  envVar: string,
  fallback: string,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const fromEnv = env[envVar];
  if (fromEnv) return path.resolve(root, fromEnv);
  const folder = path.resolve(root, fallback);
  return existsSync(folder) ? folder : null;
}

/**
 * The decoded path segments of a request mounted under a prefix (so `req.url` is the rest of the
 * path), or null when the path is not valid percent-encoding.
 */
export function requestSegments(req: IncomingMessage): string[] | null {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    return url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** True when every segment is a plain name (see SAFE_SEGMENT). */
export function safeSegments(segments: readonly string[]): boolean {
  return segments.every((segment) => SAFE_SEGMENT.test(segment));
}

export function sendNotFound(res: ServerResponse): void {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('Not found');
}

/** An index, built per request and never cached; a failure goes to Vite's error handler. */
export function sendIndex(res: ServerResponse, next: Connect.NextFunction, index: Promise<unknown>): void {
  index.then(
    (value) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      res.end(JSON.stringify(value));
    },
    (error: unknown) => next(error),
  );
}

/**
 * A regular file with its Content-Type and Content-Length, revalidated on every use (no-cache); a
 * HEAD request gets the headers only. Anything that is not a readable file is a 404.
 */
export function sendFile(req: IncomingMessage, res: ServerResponse, filePath: string, contentType: string): void {
  stat(filePath).then(
    (info) => {
      if (!info.isFile()) {
        sendNotFound(res);
        return;
      }
      res.setHeader('Content-Type', contentType);
      res.setHeader('Content-Length', String(info.size));
      res.setHeader('Cache-Control', 'no-cache');
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(filePath);
      // The headers are out by the time a read fails: all that is left is to cut the response short.
      stream.on('error', (error) => res.destroy(error));
      stream.pipe(res);
    },
    () => sendNotFound(res),
  );
}
