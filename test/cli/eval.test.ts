/**
 * The command line end to end, as a user runs it: full XQuAD-R with the lexical encoder, then a subset
 * whose numbers must equal the core's computed in-process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { decodeNpyFloat32 } from '../../src/core/npy';
import { readDatasetFolder } from '../../src/node/read-dataset';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const LANGS = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'];

async function xling(...args: string[]) {
  return run(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', ...args], {
    cwd: root,
    maxBuffer: 1 << 24,
  });
}

describe('npm run xling -- eval', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-cli-'));
  });

  test('full XQuAD-R: report shape of design.md, 11 x 11 cells of 1190 queries, and the export', async () => {
    const out = join(dir, 'full.json');
    const exportDir = join(dir, 'export');
    await xling('eval', '--dataset', xquad, '--encoder', 'lexical', '--out', out, '--export', exportDir);
    const report = JSON.parse(await readFile(out, 'utf8'));

    expect(Object.keys(report.summary).sort()).toEqual(
      ['cross_map', 'cross_ndcg10', 'cross_r100', 'mono_map', 'mono_ndcg10', 'mono_r100', 'multi_map', 'multi_ndcg10', 'multi_r100',
        'multi_r10', 'own_first_excess', 'own_share10', 'rank_distance'].sort());
    expect(report.per_query).toBeUndefined(); // only with --per-query
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    // Every question exists in all 11 languages (|R| = 11): first_language rows sum to 1, and the
    // own-first excess is the mean share of own-language firsts less 1/11.
    for (const x of LANGS) expect(LANGS.reduce((sum, y) => sum + report.first_language[x][y], 0)).toBeCloseTo(1, 12);
    expect(report.summary.own_first_excess).toBeCloseTo(mean(LANGS.map((x) => report.first_language[x][x])) - 1 / 11, 12);
    expect(report.summary.own_first_excess).toBeGreaterThan(0.3); // the lexical encoder prefers the query's language
    expect(Object.keys(report.cells)).toEqual(LANGS);
    for (const x of LANGS) {
      expect(Object.keys(report.cells[x])).toEqual(LANGS);
      for (const y of LANGS) expect(report.cells[x][y].n).toBe(1190);
      expect(report.multilingual[x].n).toBe(1190);
    }
    // Macro means recomputed from the cells the report itself prints.
    const diag = LANGS.map((x) => report.cells[x][x].map);
    const off = LANGS.flatMap((x) => LANGS.filter((y) => y !== x).map((y) => report.cells[x][y].map));
    expect(report.summary.mono_map).toBeCloseTo(mean(diag), 10);
    expect(report.summary.cross_map).toBeCloseTo(mean(off), 10);
    expect(report.summary.multi_map).toBeCloseTo(mean(LANGS.map((x) => report.multilingual[x].map)), 10);
    // A lexical encoder is strong within a language and weak across: the bias the product shows.
    expect(report.summary.mono_map).toBeGreaterThan(0.5);
    expect(report.summary.cross_map).toBeLessThan(report.summary.mono_map / 2);
    expect(report.summary.own_share10).toBeGreaterThan(0.5);
    expect(report.summary.rank_distance).toBeGreaterThan(1000);
    expect(report.timings.encode_s).toBeGreaterThan(0);
    expect(report.timings.score_s).toBeGreaterThan(0);

    const queries = decodeNpyFloat32(await readFile(join(exportDir, 'queries.npy')));
    const candidates = decodeNpyFloat32(await readFile(join(exportDir, 'candidates.npy')));
    const dim = createLexicalEncoder().dim;
    expect([queries.rows, queries.cols]).toEqual([13090, dim]);
    expect([candidates.rows, candidates.cols]).toEqual([13014, dim]);
    const queryRows = (await readFile(join(exportDir, 'queries.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const candidateRows = (await readFile(join(exportDir, 'candidates.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(queryRows).toHaveLength(13090);
    expect(candidateRows).toHaveLength(13014);
    expect(candidateRows[0]).toEqual({ lang: 'ar', article: 0, paragraph: 0, sentence: 0 });
    expect(Object.keys(queryRows[0]).sort()).toEqual(['id', 'lang']);

    // An exported row is the lexical embedding of the text its jsonl row names.
    const dataset = await readDatasetFolder(xquad);
    const k = 5000;
    expect(queryRows[k]).toEqual({ id: dataset.queries[k].id, lang: dataset.queries[k].lang });
    const again = await createLexicalEncoder().encode([dataset.queries[k].text], 'query');
    expect(Array.from(queries.data.subarray(k * dim, (k + 1) * dim))).toEqual(Array.from(again));
  });

  test('--languages and --articles give the numbers the core computes in-process', async () => {
    const out = join(dir, 'subset.json');
    await xling('eval', '--dataset', xquad, '--encoder', 'lexical', '--languages', 'en,de,zh', '--articles', '3', '--out', out);
    const report = JSON.parse(await readFile(out, 'utf8'));
    const dataset = await readDatasetFolder(xquad, { languages: ['en', 'de', 'zh'], articles: 3 });
    // The CLI scores these sparse vectors with the exact sparse kernel on worker threads, whose sums
    // are the dense JS kernel's: equal to the last bit (the notebook's pool is too).
    const { report: expected } = await evaluateDataset(dataset, createLexicalEncoder(), { matmul: jsMatmul });

    expect(Object.keys(report.cells)).toEqual(dataset.languages);
    expect(report.cells.en.de.n).toBe(dataset.queries.filter((q) => q.lang === 'en').length);
    for (const key of ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'rank_distance', 'own_share10'] as const) {
      expect(report.summary[key]).toBe(expected.summary[key]);
    }
    for (const x of dataset.languages) {
      for (const y of dataset.languages) expect(report.cells[x][y]).toEqual(expected.cells[x][y]);
    }
  });

  test('bad input gets a clear message and a non-zero exit', async () => {
    await expect(xling('eval', '--dataset', xquad, '--out', join(dir, 'x.json'), '--encoder', 'nope'))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("Unknown encoder 'nope'") });
    await expect(xling('eval', '--dataset', xquad))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('eval needs --out') });
    await expect(xling('eval', '--dataset', xquad, '--out', join(dir, 'x.json'), '--languages', 'en'))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/at least two languages/) });
  });
});
