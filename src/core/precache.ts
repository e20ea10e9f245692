/**
 * Which files of a build the service worker caches, and when (workers/service-worker/sw.ts): the
 * files the page needs to start at install, the large ones (WASM, plotly) once the page runs, so
 * that the first visit's reload into cross-origin isolation does not wait for 40 MB.
 */

/** Paths relative to sw.js, i.e. to the app's own folder on the host. */
export interface Precache {
  /** A hash of every file's path and bytes: a new build, a new cache. */
  version: string;
  /** Cached when the service worker installs: the page cannot start without them. */
  shell: string[];
  /** Cached when the page asks, after it started: the large files only some cells use. */
  rest: string[];
}

export interface BuildFile {
  /** Relative to the build's folder, with `/` separators. */
  path: string;
  size: number;
  /** Any digest of the file's bytes. */
  digest: string;
}

/** Files at least this large wait until the page has started. */
export const SHELL_FILE_LIMIT_BYTES = 1 << 20;

/** Never cached: the service worker itself (the browser updates it) and source maps. */
const NOT_CACHED = /(^|\/)sw\.js$|\.map$/;

export function planPrecache(files: readonly BuildFile[], hash: (text: string) => string): Precache {
  const cached = files.filter((file) => !NOT_CACHED.test(file.path)).sort((a, b) => a.path.localeCompare(b.path));
  return {
    version: hash(cached.map((file) => `${file.path} ${file.digest}`).join('\n')).slice(0, 16),
    shell: cached.filter((file) => file.size < SHELL_FILE_LIMIT_BYTES).map((file) => file.path),
    rest: cached.filter((file) => file.size >= SHELL_FILE_LIMIT_BYTES).map((file) => file.path),
  };
}
