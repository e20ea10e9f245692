/**
 * The command line against bad paths, bad numbers and odd datasets: every output path is checked
 * before any work (no encoding or scoring line is printed, nothing is written, an earlier file is
 * kept), each message names its flag, negative numbers reach the flag's own check, the dataset's
 * warnings are printed as the notebook shows them, and an empty language is reported as such.
 */
import { execFile } from 'node:child_process';
import { copyFile, lstat, mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const fixtures = resolve(root, 'test/fixtures');

async function xling(...args: string[]) {
  return run(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', ...args], { cwd: root, maxBuffer: 1 << 24 });
}

/** Runs a command that must fail; returns its stderr. */
async function refused(...args: string[]): Promise<string> {
  const failure: unknown = await xling(...args).then(() => new Error('the command succeeded'), (e: unknown) => e);
  expect(failure).toMatchObject({ code: 1 });
  return (failure as { stderr: string }).stderr;
}

const small = ['--dataset', xquad, '--languages', 'en,de', '--articles', '2'];

describe('xling: paths and flags are checked before any work', () => {
  let dir: string;
  let existing: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-faults-'));
    existing = join(dir, 'earlier.json');
    await writeFile(existing, 'an earlier report');
    await writeFile(join(dir, 'a-file'), 'not a folder');
  });

  test.each([
    ['eval --out in a missing folder', ['eval', ...small, '--out', '/no/such/folder/r.json'], /--out \/no\/such\/folder\/r\.json: the folder \/no\/such\/folder does not exist/],
    ['eval --out that is a folder', ['eval', ...small, '--out', '.'], /--out \. is a folder: give a file name/],
    ['eval --out under a file', ['eval', ...small, '--out', 'A_FILE/r.json'], /--out .*a-file\/r\.json: .*a-file is not a folder/],
    ['eval --export that is a file', ['eval', ...small, '--out', 'EARLIER', '--export', 'A_FILE'], /--export .*a-file is a file: give a folder/],
    ['eval --export the same path as --out', ['eval', ...small, '--out', 'EARLIER', '--export', 'EARLIER'], /--export and --out name the same path/],
    ['train --export-head under a file', ['train', ...small, '--out', 'EARLIER', '--export-head', 'A_FILE/h.json'], /--export-head .*a-file is not a folder/],
    ['train --export-head in a missing folder', ['train', ...small, '--out', 'EARLIER', '--export-head', '/no/such/h.json'], /--export-head \/no\/such\/h\.json: the folder \/no\/such does not exist/],
    ['train --export-head the same as --out', ['train', ...small, '--out', 'EARLIER', '--export-head', 'EARLIER'], /--export-head and --out name the same path/],
  ])('%s', async (_name, args, message) => {
    const paths = args.map((a) => a.replace('A_FILE', join(dir, 'a-file')).replace('EARLIER', existing));
    const before = (await readdir(dir)).sort();
    const stderr = await refused(...paths);
    expect(stderr).toMatch(message);
    // Refused before the dataset was read: no progress line, no result line.
    expect(stderr).not.toMatch(/^(encode-|score:|training:|mono )/m);
    expect((await readdir(dir)).sort()).toEqual(before);
    expect(await readFile(existing, 'utf8')).toBe('an earlier report');
  }, 60_000);

  test('an output inside the dataset folder is refused: it would become a language file', async () => {
    const dataset = join(dir, 'copy');
    await mkdir(dataset);
    for (const lang of ['en', 'de']) await copyFile(join(fixtures, 'lareqa-mlqa-style', `${lang}.json`), join(dataset, `${lang}.json`));
    const stderr = await refused('eval', '--dataset', dataset, '--out', join(dataset, 'fr.json'));
    expect(stderr).toMatch(/--out .*fr\.json is inside the dataset folder/);
    expect((await readdir(dataset)).sort()).toEqual(['de.json', 'en.json']);
  }, 60_000);

  test('a link is written through, not replaced; a device is written, never replaced', async () => {
    const link = join(dir, 'link.json');
    const real = join(dir, 'real.json');
    await symlink(real, link);
    await xling('eval', ...small, '--out', link);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(real, 'utf8')).summary.mono_map).toBeGreaterThan(0);
    await xling('eval', ...small, '--out', '/dev/null');
    expect((await lstat('/dev/null')).isCharacterDevice()).toBe(true);
  }, 60_000);

  test.each([
    [['train', ...small, '--out', 'EARLIER', '--seed', '-1'], "--seed must be an integer of at least 0, got '-1'."],
    [['train', ...small, '--out', 'EARLIER', '--lr', '-0.5'], "--lr must be a positive number, got '-0.5'."],
    [['train', ...small, '--out', 'EARLIER', '--steps', '-.5'], "--steps must be an integer of at least 1, got '-.5'."],
    [['eval', ...small, '--out', 'EARLIER', '--articles', '-3'], "--articles must be a positive integer, got '-3'."],
    [['eval', ...small, '--out', 'EARLIER', '--nope'], "Unknown option '--nope'"],
    [['eval', '--dataset', '-x', '--out', 'EARLIER'], "Option '--dataset' argument is ambiguous. Did you forget to specify the option argument for '--dataset'? To specify an option argument starting with a dash use '--dataset=-XYZ'."],
  ])('negative numbers and unknown flags: %j', async (args, message) => {
    const stderr = await refused(...args.map((a) => a.replace('EARLIER', existing)));
    expect(stderr).toContain(message);
    if (!args.includes('-x')) expect(stderr).not.toContain('ambiguous');
    expect(stderr).toContain('Usage:');
    expect(await readFile(existing, 'utf8')).toBe('an earlier report');
  }, 60_000);
});

describe('xling: what the notebook shows about a dataset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-notes-'));
  });

  test('a question dropped for its answer offset is a warning naming the file, the place and the question', async () => {
    const dataset = join(dir, 'offsets');
    await mkdir(dataset);
    await copyFile(join(fixtures, 'lareqa-mlqa-style', 'en.json'), join(dataset, 'en.json'));
    await copyFile(join(fixtures, 'lareqa-invalid', 'answer-outside.json'), join(dataset, 'de.json'));
    const { stderr } = await xling('eval', '--dataset', dataset, '--out', join(dir, 'offsets.json'));
    expect(stderr).toContain('warning: de.json (data[0].paragraphs[0].qas[1]): answer_start 16 falls in no sentence break; question "q2" is left out in de');
  }, 60_000);

  test('a language without questions is named, and its means read n/a, not NaN', async () => {
    const dataset = join(dir, 'empty-language');
    await mkdir(dataset);
    await copyFile(join(fixtures, 'lareqa-mlqa-style', 'en.json'), join(dataset, 'en.json'));
    const de = JSON.parse(await readFile(join(fixtures, 'lareqa-mlqa-style', 'de.json'), 'utf8'));
    for (const article of de.data) for (const paragraph of article.paragraphs) paragraph.qas = [];
    await writeFile(join(dataset, 'de.json'), JSON.stringify(de));
    const out = join(dir, 'empty.json');
    const { stderr } = await xling('eval', '--dataset', dataset, '--out', out);
    expect(stderr).toContain('warning: language de has no questions: its cells are empty and left out of the means (shown as n/a)');
    expect(stderr).not.toContain('NaN');
    const report = JSON.parse(await readFile(out, 'utf8'));
    // Without German questions no German sentence is an answer either: both cross cells are empty.
    expect([report.cells.de.en.n, report.cells.en.de.n, report.cells.en.en.n]).toEqual([0, 0, 3]);
    expect(report.summary.cross_map).toBeNull();
    expect(stderr).toMatch(/^mono 0\.\d{4}  cross n\/a  multi 0\.\d{4}/m);
  }, 60_000);

  test('xling train prints its encoding and its steps with a rate and a time left', async () => {
    const { stderr } = await xling('train', '--dataset', xquad, '--languages', 'en,de', '--articles', '4', '--mix', 'mono=0.5,cross=0.5',
      '--split', 'articles:0.5', '--steps', '200', '--eval-every', '0', '--out', join(dir, 'train-progress.json'));
    const lines = stderr.split('\n');
    expect(lines).toContain('encode-candidates: 180 of 180 texts done');
    const steps = lines.filter((line) => line.startsWith('train: step '));
    // About one a second over several seconds, each after the first with its rate and time left; the last says done.
    expect(steps.length).toBeGreaterThan(2);
    for (const line of steps.slice(1, -1)) expect(line).toMatch(/^train: step \d+ of 200, loss \d+\.\d{4} · [\d.]+ steps\/s · [\d.]+ (s|min) left$/);
    expect(steps.at(-1)).toMatch(/^train: step 200 of 200 done, loss \d+\.\d{4}$/);
  }, 120_000);

  test('progress lines carry a rate and a time left, at most about one a second', async () => {
    // All of XQuAD-R: scoring takes long enough (many seconds) for lines with a measured rate.
    const { stderr } = await xling('eval', '--dataset', xquad, '--out', join(dir, 'progress.json'));
    const lines = stderr.split('\n');
    expect(lines).toContain('encode-queries: 13090 of 13090 texts done');
    // Whole score rows fit the job limit, so eval ranks them (no streaming): scoring counts queries (docs/benchmarks.md, streaming).
    expect(lines).toContain('score: 13090 of 13090 queries done');
    // The first line of a phase has no rate yet (nothing measured); every later one has.
    const phases = new Set<string>();
    expect(lines.filter((l) => l.startsWith('score: ') && l.endsWith(' left')).length).toBeGreaterThan(0);
    for (const line of lines.filter((l) => /^(encode-queries|encode-candidates|score): \d+ of \d+ \w+( ·|$)/.test(l))) {
      const phase = line.split(':')[0];
      if (!phases.has(phase)) {
        phases.add(phase);
        continue;
      }
      expect(line).toMatch(/^(encode-queries|encode-candidates|score): \d+ of \d+ (texts|queries) · [\d.,]+ (texts|queries)\/s · [\d.]+ (s|min) left$/);
    }
  }, 120_000);
});
