/** A model hub for tests: hub layout (`/<owner>/<name>/resolve/main/<path>`) on a local node:http server. */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Serves `folder` as the hub repo `modelId` (with byte ranges, as the hub does); 404 for anything else. */
export async function serveHub(folder: string, requests: string[], modelId: string): Promise<Server> {
  const prefix = `/${modelId}/resolve/main/`;
  const server = createServer(async (req, res) => {
    // Browsers fetch it cross-origin (CORS), from a cross-origin isolated page.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', '*');
    res.setHeader('access-control-expose-headers', 'content-length, content-range');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    const body = file && !file.split('/').includes('..') ? await readFile(join(folder, file)).catch(() => null) : null;
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '15' }).end('Entry not found');
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : body.length - 1, body.length - 1);
      const part = body.subarray(start, end + 1);
      res.writeHead(206, { 'content-length': String(part.length), 'content-range': `bytes ${start}-${end}/${body.length}` }).end(part);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

export const closeServer = (server: Server) => new Promise<void>((done) => server.close(() => done()));
export const endpointOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

