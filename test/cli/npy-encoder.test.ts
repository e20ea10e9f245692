/**
 * `--encoder npy:<folder>` end to end: `xling eval --export` then `--encoder npy:` on the exported
 * folder gives the same report number for number; shuffled rows (and Fortran order) too; a subset
 * evaluates from the vectors of a larger one; train runs on them; broken folders get clear messages.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { decodeNpyFloat32, encodeNpyFloat32 } from '../../src/core/npy';
import { readDatasetFolder } from '../../src/node/read-dataset';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const SUBSET = ['--languages', 'ar,de,en,zh', '--articles', '4'];

async function xling(...args: string[]) {
  return run(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', ...args], { cwd: root, maxBuffer: 1 << 24 });
}

/** Everything a report measures (timings and settings are about the run, not the numbers). */
/** The report's numbers: no timings or settings, and no per-query values (the JSON has them only with --per-query). */
function measured(report: Record<string, unknown>): Record<string, unknown> {
  const { timings: _timings, settings: _settings, perQuery: _perQuery, ...rest } = report;
  return rest;
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

/**
 * Copies an export folder with its rows in another order (the same permutation for a .npy file and
 * its .jsonl file), the matrices optionally written in Fortran (column-major) order by hand.
 */
async function shuffledCopy(from: string, to: string, fortran: boolean): Promise<void> {
  await cp(from, to, { recursive: true });
  for (const side of ['queries', 'candidates']) {
    const { data, rows, cols } = decodeNpyFloat32(await readFile(join(from, `${side}.npy`)));
    const lines = (await readFile(join(from, `${side}.jsonl`), 'utf8')).trim().split('\n');
    // A fixed permutation: reversed, then every odd position swapped with its neighbour.
    const order = Array.from({ length: rows }, (_, i) => rows - 1 - i);
    for (let i = 1; i < rows; i += 2) [order[i - 1], order[i]] = [order[i], order[i - 1]];
    const permuted = new Float32Array(data.length);
    order.forEach((source, i) => permuted.set(data.subarray(source * cols, (source + 1) * cols), i * cols));
    let bytes = encodeNpyFloat32(permuted, rows, cols);
    if (fortran) {
      const columnMajor = new Float32Array(data.length);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) columnMajor[c * rows + r] = permuted[r * cols + c];
      // The header dict (bytes 10 to 128, ASCII) says so; "True " keeps its length.
      const header = new TextDecoder().decode(bytes.subarray(10, 128)).replace("'fortran_order': False", "'fortran_order': True ");
      bytes = encodeNpyFloat32(columnMajor, rows, cols);
      bytes.set(new TextEncoder().encode(header), 10);
    }
    await writeFile(join(to, `${side}.npy`), bytes);
    await writeFile(join(to, `${side}.jsonl`), order.map((i) => lines[i]).join('\n') + '\n');
  }
}

describe('npm run xling -- eval --encoder npy:<folder>', () => {
  let dir: string;
  let exported: string;
  let lexicalReport: Record<string, unknown>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-npy-'));
    exported = join(dir, 'export');
    await xling('eval', '--dataset', xquad, ...SUBSET, '--encoder', 'lexical', '--out', join(dir, 'lexical.json'), '--export', exported);
    lexicalReport = await readJson(join(dir, 'lexical.json'));
  });

  test('round trip: the exported folder evaluates to the same report, number for number', async () => {
    const out = join(dir, 'npy.json');
    const { stderr } = await xling('eval', '--dataset', xquad, ...SUBSET, '--encoder', `npy:${exported}`, '--out', out);
    const report = await readJson(out);
    expect(measured(report)).toEqual(measured(lexicalReport));
    // Named by the folder's name, as in the notebook (a head's encoder must match where it is imported).
    expect(report.settings).toMatchObject({ encoder: 'npy:export', dim: createLexicalEncoder().dim, pooling: null });
    expect(stderr).toMatch(/npy:.*: 540 query and 344 candidate vectors of 2048 dimensions read in [\d.]+ s/);
  });

  test('rows shuffled (and stored in Fortran order) give the same numbers: rows are matched by key', async () => {
    for (const fortran of [false, true]) {
      const shuffled = join(dir, `shuffled-${fortran}`);
      await shuffledCopy(exported, shuffled, fortran);
      const firstRows = (await readFile(join(shuffled, 'queries.jsonl'), 'utf8')).split('\n', 1)[0];
      expect(firstRows).not.toBe((await readFile(join(exported, 'queries.jsonl'), 'utf8')).split('\n', 1)[0]);
      const out = join(dir, `shuffled-${fortran}.json`);
      await xling('eval', '--dataset', xquad, ...SUBSET, '--encoder', `npy:${shuffled}`, '--out', out);
      expect(measured(await readJson(out))).toEqual(measured(lexicalReport));
    }
  });

  test('a subset of the exported dataset evaluates from it, to the numbers the core computes with the encoder itself', async () => {
    const out = join(dir, 'subset.json');
    const { stderr } = await xling('eval', '--dataset', xquad, '--languages', 'de,zh', '--articles', '2', '--encoder', `npy:${exported}`, '--out', out);
    const dataset = await readDatasetFolder(xquad, { languages: ['de', 'zh'], articles: 2 });
    const { report: expected } = await evaluateDataset(dataset, createLexicalEncoder(), { matmul: jsMatmul }); // the CLI's sparse path sums as jsMatmul does
    expect(measured(await readJson(out))).toEqual(measured(expected as unknown as Record<string, unknown>));
    expect(stderr).toMatch(/queries\.jsonl: [\d,]+ of 540 rows are not in the loaded dataset \(ar \d+, de \d+, en \d+, zh \d+; e\.g\. .*\) and are not used; fine when the dataset is loaded as a subset/);
  });

  test('train on the vectors gives the report training on the encoder gives', async () => {
    const args = ['train', '--dataset', xquad, ...SUBSET, '--steps', '12', '--batch', '16', '--seed', '3', '--eval-every', '4'];
    await xling(...args, '--encoder', 'lexical', '--out', join(dir, 'train-lexical.json'));
    await xling(...args, '--encoder', `npy:${exported}`, '--out', join(dir, 'train-npy.json'));
    const [a, b] = [await readJson(join(dir, 'train-lexical.json')), await readJson(join(dir, 'train-npy.json'))];
    expect(b.loss).toEqual(a.loss);
    expect(measured(b.before)).toEqual(measured(a.before));
    expect(measured(b.after)).toEqual(measured(a.after));
    expect(b.settings.encoder).toBe('npy:export');
  });

  test('a folder that does not fit the dataset gets a message naming the file, the row and the fix', async () => {
    const broken = join(dir, 'broken');
    await cp(exported, broken, { recursive: true });
    const lines = (await readFile(join(exported, 'candidates.jsonl'), 'utf8')).trim().split('\n');
    const args = (folder: string) => ['eval', '--dataset', xquad, ...SUBSET, '--encoder', `npy:${folder}`, '--out', join(dir, 'x.json')];

    // A row missing from both files (the counts still agree): the dataset's candidate has no vector.
    const { data, rows, cols } = decodeNpyFloat32(await readFile(join(exported, 'candidates.npy')));
    await writeFile(join(broken, 'candidates.npy'), encodeNpyFloat32(data.subarray(0, (rows - 1) * cols), rows - 1, cols));
    await writeFile(join(broken, 'candidates.jsonl'), lines.slice(0, -1).join('\n'));
    await expect(xling(...args(broken))).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`xling: the embedding files do not fit:\ncandidates.jsonl: 1 of the loaded dataset's 344 candidates have no row here (first: ${lines.at(-1)})`),
    });

    // A row twice.
    await writeFile(join(broken, 'candidates.npy'), await readFile(join(exported, 'candidates.npy')));
    await writeFile(join(broken, 'candidates.jsonl'), [...lines.slice(0, -1), lines[0]].join('\n'));
    await expect(xling(...args(broken))).rejects.toMatchObject({
      stderr: expect.stringContaining(`candidates.jsonl (line ${lines.length}): duplicate row: candidate ${lines[0]} is already on line 1`),
    });

    // A float64 matrix, and a missing file.
    const float64 = new TextEncoder().encode("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }".padEnd(117, ' ') + '\n');
    await writeFile(join(broken, 'queries.npy'), new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0, ...float64, 0, 0, 0, 0, 0, 0, 0, 0]));
    await expect(xling(...args(broken))).rejects.toMatchObject({
      stderr: expect.stringContaining("queries.npy: dtype '<f8' (float64) is not read here: save float32, np.save(path, x.astype(np.float32))"),
    });
    await expect(xling(...args(join(dir, 'nowhere')))).rejects.toMatchObject({
      stderr: expect.stringMatching(/nowhere\/queries\.npy: file not found: a folder of embeddings holds queries\.npy, candidates\.npy, queries\.jsonl, candidates\.jsonl/),
    });
  });
});
