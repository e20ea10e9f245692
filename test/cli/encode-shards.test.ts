/**
 * `xling encode --shard I/N` writes the export format for one range of the texts; `npy:` reads the
 * folder of those shard folders: an evaluation on them equals the lexical encoder's own, number for
 * number; a shard folder given twice is refused by name.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const SUBSET = ['--dataset', xquad, '--languages', 'en,de,zh', '--articles', '3'];

async function xling(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', ...args],
    { cwd: root, maxBuffer: 1 << 26, env: { ...process.env, ...env } });
}

const measured = (report: Record<string, unknown>) => {
  const { timings: _timings, settings: _settings, ...rest } = report;
  return rest;
};

test('three encode shards (a Slurm array) read back as one npy: folder give the lexical encoder\'s report', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'xling-encode-'));
  const vectors = join(dir, 'vectors');
  await mkdir(vectors);
  await Promise.all([0, 1, 2].map((i) =>
    xling(['encode', ...SUBSET, '--encoder', 'lexical', '--shard', 'auto/3', '--out', join(vectors, `shard-${i}`)], { SLURM_ARRAY_TASK_ID: String(i) })));
  const rows = (await readFile(join(vectors, 'shard-1', 'candidates.jsonl'), 'utf8')).trim().split('\n');
  expect(rows.length).toBeGreaterThan(20); // a third of the candidates, not all of them
  await Promise.all([
    xling(['eval', ...SUBSET, '--encoder', 'lexical', '--out', join(dir, 'lexical.json'), '--per-query']),
    xling(['eval', ...SUBSET, '--encoder', `npy:${vectors}`, '--out', join(dir, 'npy.json'), '--per-query']),
  ]);
  const [lexical, npy] = await Promise.all(['lexical.json', 'npy.json'].map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
  expect(npy.settings.encoder).toBe('npy:vectors');
  expect(measured(npy)).toEqual(measured(lexical));

  await cp(join(vectors, 'shard-0'), join(vectors, 'shard-0-again'), { recursive: true });
  const failure = await xling(['eval', ...SUBSET, '--encoder', `npy:${vectors}`, '--out', join(dir, 'never.json')]).then(() => undefined, (e: { stderr: string }) => e.stderr);
  expect(failure).toContain(`${join(vectors, 'shard-0-again')}: row {"id":`);
  expect(failure).toContain(`is also in ${join(vectors, 'shard-0')}: give each shard folder once`);
}, 600_000);
