/// <reference lib="webworker" />
/**
 * The app's service worker, for static hosts that send no cross-origin isolation headers and for
 * classrooms whose network drops:
 * - every same-origin document and worker script it serves gets COOP `same-origin` and COEP
 *   `require-corp`, so the page becomes cross-origin isolated (SharedArrayBuffer: multi-threaded
 *   scoring) after one reload (the page does that reload, src/app/isolation.ts);
 * - the build's files are cached (a cache per build, from the file list the build writes into this
 *   file), so a reload without network starts the app.
 * Cross-origin requests (the dataset catalog, model hubs) are left to the browser: the app reads
 * them with CORS and keeps them in caches of its own.
 */
import type { Precache } from '../../src/core/precache';
import { APP_CACHE_PREFIX, type CacheRestRequest, type OfflineStatus } from './protocol';

declare const self: ServiceWorkerGlobalScope;
declare const __XLING_PRECACHE__: Precache;

const PRECACHE = __XLING_PRECACHE__;
const CACHE = `${APP_CACHE_PREFIX}${PRECACHE.version}`;
const absolute = (path: string) => new URL(path, self.location.href).href;
const APP_FOLDER = absolute('./');
const INDEX = absolute('index.html');
const BUILD_FILES = new Set([...PRECACHE.shell, ...PRECACHE.rest].map(absolute));

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

self.addEventListener('install', (event) => {
  // `reload`: the new build's files from the host, never an older copy from the HTTP cache.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.shell.map((path) => new Request(absolute(path), { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith(APP_CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if ((event.data as CacheRestRequest | undefined)?.type !== 'cache-rest') return;
  event.waitUntil(
    cacheRest().then((status) => {
      event.source?.postMessage(status);
    }),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  url.search = '';
  url.hash = '';
  // The app's page, as its folder or as index.html; other pages a host keeps below it are not ours.
  if (request.mode === 'navigate') {
    if (url.href === APP_FOLDER || url.href === INDEX) event.respondWith(fromCacheOrNetwork(INDEX, request).then(withIsolation));
    return;
  }
  // Other same-origin requests (the dev server's /data/ and /models/, staged model files) pass through.
  if (BUILD_FILES.has(url.href)) event.respondWith(fromCacheOrNetwork(url.href, request).then(withIsolation));
});

/** Build files never change under one name (the cache is per build), so the cache answers first. */
async function fromCacheOrNetwork(key: string, request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic' && !response.redirected) await cache.put(key, response.clone());
  return response;
}

/** The response with the isolation headers; redirects and opaque responses cannot be rewritten. */
function withIsolation(response: Response): Response {
  if (response.type === 'opaqueredirect' || response.type === 'opaque' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Caches the build files not cached yet; says how many are cached and the first failure. */
async function cacheRest(): Promise<OfflineStatus> {
  const cache = await caches.open(CACHE);
  const all = [...PRECACHE.shell, ...PRECACHE.rest];
  let failure: string | null = null;
  for (const path of all) {
    if (await cache.match(absolute(path))) continue;
    try {
      const response = await fetch(absolute(path), { cache: 'reload' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await cache.put(absolute(path), response);
    } catch (error) {
      failure ??= `${path}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const cached = (await Promise.all(all.map((path) => cache.match(absolute(path))))).filter(Boolean).length;
  return { type: 'offline-status', cached, total: all.length, failure };
}
