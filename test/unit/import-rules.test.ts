/**
 * The import rules of docs/ARCHITECTURE.md, read off the import statements of every source file (the
 * TypeScript compiler's own pre-parser: static imports, `export ... from`, `import()` and
 * `import type` alike):
 * - src/core is the pure core: it imports only src/core and runtime-neutral packages (no DOM, no
 *   Node, nothing from the app, the workers, the command line or the Node adapters);
 * - a worker protocol imports only src/core, workers/rpc.ts and its own worker's folder (the encoder
 *   worker's runtime sub-worker shares it), never another worker's files;
 * - the app, the command line (with its Node adapters), the dev server and the workers stay apart
 *   (see each test), and none imports tests or scripts; benchmarks use test code only for oracles;
 * - no import cycle anywhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const root = resolve(__dirname, '../..');

/** Packages the core may use: they run unchanged in a browser, a worker and Node. */
const RUNTIME_NEUTRAL_PACKAGES = ['onnx-proto', 'onnxruntime-common', 'umap-js'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** A relative specifier as a repository path (`src/core/x.ts`); packages and `node:` ids as written. */
function resolveSpecifier(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = resolve(root, dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')];
  const found = candidates.find((path) => existsSync(path) && statSync(path).isFile()) ?? base;
  return relative(root, found);
}

/** Every file of src/, workers/, scripts/ and test/ with what it imports, resolved. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ['src', 'workers', 'scripts', 'test'].flatMap(sourceFiles)) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    graph.set(file, info.importedFiles.map(({ fileName }) => resolveSpecifier(file, fileName)));
  }
  return graph;
}

/** Import cycles (strongly connected components of more than one file), by Tarjan's algorithm. */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

describe('import rules', () => {
  const graph = importGraph();
  const importsOf = (prefix: string) =>
    [...graph].filter(([file]) => file.startsWith(prefix)).flatMap(([file, targets]) => targets.map((target) => `${file} -> ${target}`));

  test('the graph is read: the core files and their imports are found', () => {
    expect(graph.get('src/core/training/head.ts')).toEqual(['src/core/linalg/js-matmul.ts', 'src/core/linalg/random.ts', 'src/core/linalg/types.ts', 'src/core/training/kernels.ts']);
    expect(graph.get('workers/rpc.ts')?.length).toBeGreaterThan(0);
  });

  test('src/core imports only src/core and runtime-neutral packages', () => {
    const outside = importsOf('src/core/').filter((edge) => {
      const target = edge.split(' -> ')[1];
      return !target.startsWith('src/core/') && !RUNTIME_NEUTRAL_PACKAGES.includes(target);
    });
    expect(outside).toEqual([]);
  });

  /** Edges from files under `from` into any of `into` (repository paths; packages never match). */
  const edgesInto = (from: string, into: string[]) =>
    importsOf(from).filter((edge) => into.some((prefix) => edge.split(' -> ')[1].startsWith(prefix)));

  test("a worker protocol imports only the core, workers/rpc.ts and its own worker's folder, never another worker", () => {
    const protocols = [...graph.keys()].filter((file) => /^workers\/.+\/(runtime-)?protocol\.ts$/.test(file));
    expect(protocols.length).toBeGreaterThanOrEqual(4);
    const others = protocols.flatMap((file) =>
      graph
        .get(file)!
        .filter((target) => target.startsWith('workers/') && target !== 'workers/rpc.ts' && dirname(target) !== dirname(file))
        .map((target) => `${file} -> ${target}`),
    );
    expect(others).toEqual([]);
  });

  test('the app imports no command line, Node adapter, dev server, test or script', () => {
    expect(edgesInto('src/app/', ['src/cli/', 'src/node/', 'src/dev-server/', 'test/', 'scripts/'])).toEqual([]);
  });

  test('the command line and its Node adapters import no app, dev server, test or script', () => {
    expect(edgesInto('src/cli/', ['src/app/', 'src/dev-server/', 'test/', 'scripts/'])).toEqual([]);
    expect(edgesInto('src/node/', ['src/app/', 'src/cli/', 'src/dev-server/', 'test/', 'scripts/'])).toEqual([]);
  });

  test('the dev server imports only itself and the core; workers no app, command line or test', () => {
    expect(edgesInto('src/dev-server/', ['src/app/', 'src/cli/', 'src/node/', 'src/transformers/', 'workers/', 'test/', 'scripts/'])).toEqual([]);
    expect(edgesInto('workers/', ['src/app/', 'src/cli/', 'src/node/', 'src/dev-server/', 'test/', 'scripts/'])).toEqual([]);
  });

  test('benchmarks take test code only from the oracles, never the browser tests or their harness', () => {
    expect(edgesInto('scripts/', ['test/']).filter((edge) => !edge.includes(' -> test/support/oracles/'))).toEqual([]);
  });

  test('no import cycle anywhere', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});
