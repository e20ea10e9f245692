/**
 * `xling eval --shard I/N` + `xling merge` on full XQuAD-R, as array jobs run them: every shard a
 * separate process, all of a plan at the same time, the index from the scheduler's variable (Slurm
 * substituted by the shell as design.md writes it, Kubernetes through `auto/N`). The merged report
 * must be the unsharded `xling eval` report number for number, per-query values included, for the
 * lexical encoder and for an `npy:` folder; and merge must refuse broken shard sets by file name.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { randomUnitVectors, seededRandom } from '../../src/core/linalg/random';
import { buildRetrievalTask } from '../../src/core/metrics/ranking';
import { writeEmbeddingFolder } from '../../src/node/embedding-files';
import { readDatasetFolder } from '../../src/node/read-dataset';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const tsx = resolve(root, 'node_modules/tsx/dist/cli.mjs');

async function xling(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [tsx, 'src/cli/xling.ts', ...args], { cwd: root, maxBuffer: 1 << 26, env: { ...process.env, ...env } });
}

/** As a Slurm array task runs it: the shell substitutes the variable into --shard. */
async function slurmTask(args: string[], index: number, shards: number) {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  return run('/bin/sh', ['-c', `"${process.execPath}" "${tsx}" src/cli/xling.ts ${quoted} --shard "\${SLURM_ARRAY_TASK_ID}/${shards}"`],
    { cwd: root, maxBuffer: 1 << 26, env: { ...process.env, SLURM_ARRAY_JOB_ID: '4242', SLURM_ARRAY_TASK_ID: String(index) } });
}

/** The eval report's numbers and settings (not its timings, which are about the run). */
function numbers(report: Record<string, unknown>): Record<string, unknown> {
  const { timings: _timings, ...rest } = report;
  return rest;
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

/** The message of a command that must fail. */
async function failure(args: string[]): Promise<string> {
  const error = await xling(args).then(() => undefined, (e: { stderr: string }) => e);
  expect(error, `xling ${args.join(' ')} should fail`).toBeDefined();
  return (error as { stderr: string }).stderr;
}

describe('xling eval --shard I/N and xling merge on full XQuAD-R', () => {
  let dir: string;
  let npyFolder: string;
  const shardFiles: Record<string, Record<number, string[]>> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-shards-'));
    // Vectors from elsewhere: 64 dense dimensions, each query near its own-language answer (so ranks
    // spread from 1 to thousands), seeded.
    const dataset = await readDatasetFolder(xquad);
    const task = buildRetrievalTask(dataset);
    const dim = 64;
    const random = seededRandom(18);
    const candidates = randomUnitVectors(dataset.candidates.length, dim, random);
    const noise = randomUnitVectors(dataset.queries.length, dim, random);
    const queries = new Float32Array(dataset.queries.length * dim);
    for (let q = 0; q < dataset.queries.length; q++) {
      const own = Array.from(task.relevant.subarray(task.relevantStart[q], task.relevantStart[q + 1])).find((c) => task.candidateLang[c] === task.queryLang[q]) as number;
      for (let t = 0; t < dim; t++) queries[q * dim + t] = candidates[own * dim + t] + 1.5 * noise[q * dim + t];
    }
    npyFolder = join(dir, 'vectors');
    await writeEmbeddingFolder(npyFolder, dataset, { queries, candidates, dim });
  });

  const encoders = [['lexical', () => 'lexical'], ['npy', () => `npy:${npyFolder}`]] as const;

  test.each(encoders)('%s: merge of 1, 3 and 7 shards run at once equals the unsharded report, per_query included', async (label, encoder) => {
    const base = ['eval', '--dataset', xquad, '--encoder', encoder()];
    const unsharded = join(dir, `${label}-unsharded.json`);
    const plans = [1, 3, 7];
    shardFiles[label] = {};
    const tasks: Promise<unknown>[] = [xling([...base, '--out', unsharded, '--per-query'])];
    for (const shards of plans) {
      shardFiles[label][shards] = [];
      for (let i = 0; i < shards; i++) {
        const out = join(dir, `${label}-${shards}-${i}.json`);
        shardFiles[label][shards].push(out);
        // N = 3 as a Slurm array (shell substitution), N = 7 as a Kubernetes Indexed Job (auto/N), N = 1 by hand.
        tasks.push(shards === 3 ? slurmTask([...base, '--out', out], i, shards)
          : shards === 7 ? xling([...base, '--out', out, '--shard', 'auto/7'], { JOB_COMPLETION_INDEX: String(i) })
            : xling([...base, '--out', out, '--shard', '0/1']));
      }
    }
    const results = await Promise.all(tasks) as { stderr: string }[];
    // Every shard printed its own progress, and its range.
    expect(results[results.length - 1].stderr).toMatch(/^shard 6\/7: candidates 11154 to 13014 of 13014/m);
    expect(results[results.length - 1].stderr).toMatch(/^shard 6\/7 score: 1860 of 1860 candidates done$/m);

    const expected = numbers(await readJson(unsharded));
    expect((expected.per_query as unknown[]).length).toBe(13090);
    for (const shards of plans) {
      const out = join(dir, `${label}-merged-${shards}.json`);
      // Given in any order.
      const { stderr } = await xling(['merge', ...[...shardFiles[label][shards]].reverse(), '--out', out, '--per-query']);
      expect(stderr).toContain(`merged ${shards} shards: 13090 queries, 13014 candidates`);
      expect(numbers(await readJson(out)), `${label}, ${shards} shards`).toEqual(expected);
    }
  }, 1_200_000);

  test('merge names the file of a wrong plan, a missing, repeated or foreign shard, a truncated or empty counts file', async () => {
    const lexical = shardFiles.lexical;
    const npy = shardFiles.npy;
    expect(lexical && npy, 'the merge tests above ran').toBeTruthy();
    const out = join(dir, 'never.json');
    const merge = (...files: string[]) => failure(['merge', ...files, '--out', out]);

    // A shard of the 7-plan among the 3-plan's.
    expect(await merge(lexical[3][0], lexical[7][1], lexical[3][2]))
      .toContain(`${lexical[7][1]} is shard 1 of 7, but ${lexical[3][0]} is of 3: the files come from different plans`);
    expect(await merge(lexical[3][0], lexical[3][2])).toContain(`shard 1 of 3 is missing (given: ${lexical[3][0]}, ${lexical[3][2]})`);
    const again = join(dir, 'copy-of-shard-0.json');
    await copyFile(lexical[3][0], again);
    expect(await merge(lexical[3][0], lexical[3][1], again)).toContain(`${again} and ${lexical[3][0]} are both shard 0 of 3`);
    // Another encoder: the npy run's shard 1 among the lexical run's.
    expect(await merge(lexical[3][0], npy[3][1], lexical[3][2])).toMatch(
      new RegExp(`${escape(npy[3][1])} was scored with another encoder or settings \\(.*npy:vectors.*\\) than ${escape(lexical[3][0])}`));
    // Another dataset: shard 1 of 3 of a subset.
    const subset = join(dir, 'subset-1-of-3.json');
    await xling(['eval', '--dataset', xquad, '--languages', 'en,de', '--articles', '3', '--encoder', 'lexical', '--shard', '1/3', '--out', subset]);
    expect(await merge(lexical[3][0], subset, lexical[3][2])).toMatch(new RegExp(`${escape(subset)} counts another dataset \\(.*\\) than ${escape(lexical[3][0])}`));
    // Truncated (a job killed while writing) and empty (one that wrote nothing).
    const truncated = join(dir, 'truncated.json');
    const text = await readFile(lexical[3][1], 'utf8');
    await writeFile(truncated, text.slice(0, Math.floor(text.length / 2)));
    expect(await merge(lexical[3][0], truncated, lexical[3][2])).toContain(`${truncated} is not complete JSON`);
    const empty = join(dir, 'empty.json');
    await writeFile(empty, '');
    expect(await merge(lexical[3][0], empty, lexical[3][2])).toContain(`${empty} is empty: its shard did not finish`);
    const absent = join(dir, 'absent.json');
    expect(await merge(lexical[3][0], absent, lexical[3][2])).toContain(`${absent} cannot be read`);
  }, 300_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
