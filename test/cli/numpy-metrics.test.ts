/**
 * nDCG@10 and Recall@100 against an independent computation on real data: `xling eval --export` on an
 * XQuAD-R subset, then scripts/numpy_eval.py (NumPy, under Debian's /usr/bin/python3) on the exported
 * vectors. The report's values (summary, every cell, every query language) equal NumPy's to float32
 * rounding. NumPy sums scores in float64 and rounds them to float32 (--float64), as the CLI's exact
 * kernels store them, so both rank the same ties; what is compared is the metrics, not GEMM rounding.
 * Skipped where that Python has no NumPy (`apt-get install python3-numpy`).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { buildRetrievalTask } from '../../src/core/metrics/ranking';
import type { EvalReport } from '../../src/core/metrics/types';
import { decodeNpyFloat32 } from '../../src/core/npy';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { numpyEvaluate } from '../../scripts/numpy-reference';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const PYTHON = '/usr/bin/python3';
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy']).status === 0;
// Latin, Arabic, Chinese and Greek script; 12 articles make pools of about 300 per language (1200 in
// all), so that Recall@100 is not 1 everywhere and nDCG@10 sees ranks beyond 10.
const LANGUAGES = ['ar', 'de', 'el', 'zh'];
const ARTICLES = 12;

/** Equal up to float32 rounding of the larger value (the scores are float32; metrics are sums of float64 terms). */
function expectFloat32Close(actual: number | undefined, expected: number | null | undefined, what: string): void {
  expect(actual, what).toBeTypeOf('number');
  expect(expected, what).toBeTypeOf('number');
  expect(Math.abs(actual! - expected!), what).toBeLessThanOrEqual(2 ** -24 * Math.max(Math.abs(actual!), Math.abs(expected!), 2 ** -126));
}

describe.skipIf(!hasNumpy)('nDCG@10 and Recall@100 against NumPy (scripts/numpy_eval.py)', () => {
  test(`the CLI report equals NumPy's on XQuAD-R ${LANGUAGES.join(',')}, ${ARTICLES} articles: summary, cells, query languages`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xling-numpy-metrics-'));
    try {
      const out = join(dir, 'report.json');
      const exported = join(dir, 'export');
      await run(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', 'eval', '--dataset', xquad, '--encoder', 'lexical',
        '--languages', LANGUAGES.join(','), '--articles', String(ARTICLES), '--export', exported, '--out', out], { cwd: root, maxBuffer: 1 << 24 });
      const report = JSON.parse(await readFile(out, 'utf8')) as EvalReport;

      // The export's rows are the dataset's queries and candidates in order: the task's row numbers.
      const dataset = await readDatasetFolder(xquad, { languages: LANGUAGES, articles: ARTICLES });
      const lines = async (name: string) => (await readFile(join(exported, name), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { id?: string; lang: string });
      expect((await lines('queries.jsonl')).map((row) => `${row.lang}:${row.id}`)).toEqual(dataset.queries.map((q) => `${q.lang}:${q.id}`));
      expect((await lines('candidates.jsonl')).map((row) => row.lang)).toEqual(dataset.candidates.map((c) => c.lang));
      const queries = decodeNpyFloat32(await readFile(join(exported, 'queries.npy')));
      const candidates = decodeNpyFloat32(await readFile(join(exported, 'candidates.npy')));
      const [numpy] = await numpyEvaluate(buildRetrievalTask(dataset), queries.data, candidates.data, queries.cols, 1, { python: PYTHON, float64: true });

      for (const key of ['mono_ndcg10', 'mono_r100', 'cross_ndcg10', 'cross_r100', 'multi_ndcg10', 'multi_r100'] as const) {
        expectFloat32Close(report.summary[key], numpy.summary[key], `summary.${key}`);
      }
      for (const x of LANGUAGES) {
        for (const y of LANGUAGES) {
          expect(report.cells[x][y].n, `n ${x}-${y}`).toBe(numpy.cells[x][y].n);
          expectFloat32Close(report.cells[x][y].ndcg10, numpy.cells[x][y].ndcg10, `cells.${x}.${y}.ndcg10`);
          expectFloat32Close(report.cells[x][y].r100, numpy.cells[x][y].r100, `cells.${x}.${y}.r100`);
        }
        expect(report.multilingual[x].n, `n ${x}`).toBe(numpy.multilingual[x].n);
        expectFloat32Close(report.multilingual[x].ndcg10, numpy.multilingual[x].ndcg10, `multilingual.${x}.ndcg10`);
        expectFloat32Close(report.multilingual[x].r100, numpy.multilingual[x].r100, `multilingual.${x}.r100`);
      }
      // The data has teeth: recall below 1 and nDCG strictly between 0 and 1 somewhere.
      const r100s = LANGUAGES.flatMap((x) => LANGUAGES.map((y) => report.cells[x][y].r100!));
      expect(Math.min(...r100s)).toBeLessThan(1);
      expect(report.summary.multi_ndcg10).toBeGreaterThan(0);
      expect(report.summary.multi_ndcg10).toBeLessThan(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
