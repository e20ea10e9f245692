/** Which build files the service worker caches at install, which after the page starts, and the cache's version. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planPrecache, SHELL_FILE_LIMIT_BYTES, type BuildFile } from '../../src/core/precache';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const files: BuildFile[] = [
  { path: 'index.html', size: 661, digest: 'a1' },
  { path: 'sw.js', size: 3000, digest: 'b2' },
  { path: 'assets/ort-wasm-simd-threaded-X.wasm', size: 14_264_830, digest: 'c3' },
  { path: 'assets/index-Y.js', size: 391_940, digest: 'd4' },
  { path: 'assets/index-Y.js.map', size: 2_000_000, digest: 'e5' },
  { path: 'assets/plotly.min-Z.js', size: SHELL_FILE_LIMIT_BYTES, digest: 'f6' },
  { path: 'assets/font.woff2', size: SHELL_FILE_LIMIT_BYTES - 1, digest: 'g7' },
];

describe('planPrecache', () => {
  it('caches files under 1 MiB at install and the larger ones later, never sw.js or source maps', () => {
    const plan = planPrecache(files, sha256);
    expect(plan.shell).toEqual(['assets/font.woff2', 'assets/index-Y.js', 'index.html']);
    expect(plan.rest).toEqual(['assets/ort-wasm-simd-threaded-X.wasm', 'assets/plotly.min-Z.js']);
  });

  it("versions the cache by every cached file's path and digest, whatever order they were listed in", () => {
    const version = (list: BuildFile[]) => planPrecache(list, sha256).version;
    expect(version([...files].reverse())).toBe(version(files));
    expect(version(files.map((file) => (file.path === 'index.html' ? { ...file, digest: 'a2' } : file)))).not.toBe(version(files));
    expect(version(files.map((file) => (file.path === 'index.html' ? { ...file, path: 'start.html' } : file)))).not.toBe(version(files));
    // The service worker itself changes with every version: counting it would be circular.
    expect(version(files.map((file) => (file.path === 'sw.js' ? { ...file, digest: 'zz' } : file)))).toBe(version(files));
  });
});
