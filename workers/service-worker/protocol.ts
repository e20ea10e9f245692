/**
 * The page and the service worker (sw.ts): the build's file list, written into sw.js at build time
 * (src/dev-server/service-worker-plugin.ts, src/core/precache.ts), and the two messages they exchange.
 */

/** The page asks for the rest of the build to be cached. */
export interface CacheRestRequest {
  type: 'cache-rest';
}

/** How much of the build the service worker holds, after a `cache-rest`. */
export interface OfflineStatus {
  type: 'offline-status';
  cached: number;
  total: number;
  /** The first file that could not be fetched and why; null when every file is cached. */
  failure: string | null;
}

/** Prefix of the app's cache names (one per build); the datasets' and models' caches are others. */
export const APP_CACHE_PREFIX = 'xling-lab-app-';
