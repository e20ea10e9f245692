/**
 * `npm run xling -- train` end to end on a small XQuAD-R subset: the report's shape (design.md),
 * the split saved with it, the exported head, and determinism (same seed, same report).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { candidateTexts } from '../../src/core/dataset/texts';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { referenceRankAndMeasure } from '../support/oracles/metrics';
import { applyHead, parseHead } from '../../src/core/training/head';
import { splitByArticles } from '../../src/core/training/split';
import { readDatasetFolder } from '../../src/node/read-dataset';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const LANGS = ['de', 'en', 'es', 'zh'];
const SUMMARY_KEYS = ['cross_map', 'cross_ndcg10', 'cross_r100', 'mono_map', 'mono_ndcg10', 'mono_r100', 'multi_map', 'multi_ndcg10', 'multi_r10', 'multi_r100',
  'own_first_excess', 'own_share10', 'rank_distance'];

async function xling(...args: string[]) {
  return run(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', ...args], {
    cwd: root,
    maxBuffer: 1 << 24,
  });
}

/** The report without its wall-clock fields, which are the only thing allowed to differ between runs. */
function withoutTimings(report: Record<string, unknown>): unknown {
  const copy = JSON.parse(JSON.stringify(report));
  delete copy.timings;
  delete copy.before.timings;
  delete copy.after.timings;
  return copy;
}

describe('npm run xling -- train', () => {
  let dir: string;
  const train = async (name: string, seed: number, extra: string[] = []) => {
    const out = join(dir, `${name}.json`);
    await xling('train', '--dataset', xquad, '--encoder', 'lexical', '--mix', 'mono=0.5,cross=0.5', '--split', 'articles:0.5',
      '--steps', '30', '--batch', '32', '--seed', String(seed), '--out', out, '--languages', LANGS.join(','), '--articles', '20', ...extra);
    return JSON.parse(await readFile(out, 'utf8'));
  };
  let first: Record<string, any>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-train-'));
    first = await train('first', 5, ['--export-head', join(dir, 'head.json')]);
  }, 120_000);

  test('report: before and after in the eval report shape, one loss per step, the settings used', () => {
    expect(Object.keys(first).sort()).toEqual(['after', 'before', 'loss', 'settings', 'split', 'timings', 'training']);
    for (const side of [first.before, first.after]) {
      expect(Object.keys(side).sort()).toEqual(['cells', 'first_language', 'multilingual', 'summary', 'timings']);
      expect(Object.keys(side.summary).sort()).toEqual(SUMMARY_KEYS);
      expect(Object.keys(side.cells)).toEqual(LANGS);
      expect(Object.keys(side.timings).sort()).toEqual(['encode_s', 'score_s']);
      // Measured on the evaluation side only: n = its questions.
      for (const x of LANGS) for (const y of LANGS) expect(side.cells[x][y].n).toBe(first.split.evaluation.question_ids.length);
    }
    expect(first.loss).toHaveLength(first.training.steps_run);
    expect(first.training.steps_run).toBeGreaterThan(0);
    expect(first.training.steps_run).toBeLessThanOrEqual(30);
    for (const l of first.loss) expect(Number.isFinite(l)).toBe(true);
    expect(first.settings).toMatchObject({
      encoder: 'lexical', dim: 2048, mix: { mono: 0.5, mixed: 0, cross: 0.5 }, split: 'articles:0.5',
      steps: 30, batch: 32, seed: 5, languages: LANGS, articles: 20, trainer: 'cpu',
    });
    expect(first.training.validation[0].step).toBe(0);
  });

  test('the split is saved with the run, and its sides share no article and no question', () => {
    const { train: t, validation: v, evaluation: e } = first.split;
    expect(first.split.kind).toBe('articles');
    expect(t.articles.length + v.articles.length + e.articles.length).toBe(20);
    const ids = [...t.question_ids, ...v.question_ids, ...e.question_ids];
    expect(new Set(ids).size).toBe(ids.length);
    const articles = [...t.articles, ...v.articles, ...e.articles];
    expect(new Set(articles).size).toBe(articles.length);
  });

  test('the exported head loads and is the one evaluated after', async () => {
    const head = parseHead(await readFile(join(dir, 'head.json'), 'utf8'), { dim: 2048, encoder: 'lexical' });
    expect(head.kind).toBe(first.settings.head.kind);
    expect(head.dim).toBe(2048);

    // Measured again here, apart from the command: the same subset, encoder and split, the head
    // applied to the evaluation side, scored by the plain reference evaluation.
    const dataset = await readDatasetFolder(xquad, { languages: LANGS, articles: 20 });
    const split = splitByArticles(dataset, { train: 0.5, validation: 0.2, seed: 5 });
    expect(split.record).toEqual(first.split);
    const encoder = createLexicalEncoder();
    const part = split.evaluation;
    const queries = await encoder.encode(part.dataset.queries.map((q) => q.text), 'query');
    const candidates = await encoder.encode(candidateTexts(part.dataset), 'passage');
    const measure = async (q: Float32Array, c: Float32Array) => (await referenceRankAndMeasure(part.dataset, q, c, 2048, jsMatmul)).summary;
    const before = await measure(queries, candidates);
    const after = await measure(await applyHead(head, queries, part.queryRows.length), await applyHead(head, candidates, part.candidateRows.length));
    // The command scores on onnxruntime-node, the reference on the JS kernel: sums rounded apart can
    // reorder near-ties of the sparse lexical scores, which moves a mean rank distance of ~650 by
    // ~0.06 and a mAP by ~1e-5.
    const agree = (actual: number, expected: number, key: string) =>
      expect(Math.abs(actual - expected), key).toBeLessThan(key === 'rank_distance' ? 1e-3 * expected : 1e-4);
    for (const key of SUMMARY_KEYS as Array<keyof typeof before>) {
      agree(first.before.summary[key], before[key]!, key);
      agree(first.after.summary[key], after[key]!, key);
    }
    // Training changed the numbers, so matching "after" says which head it was.
    expect(Math.abs(after.multi_map - before.multi_map)).toBeGreaterThan(1e-3);
  });

  test('the same seed gives the same report; another seed another split', async () => {
    const again = await train('again', 5);
    expect(withoutTimings(again)).toEqual(withoutTimings(first));
    const other = await train('other', 6);
    expect(other.split.evaluation.articles).not.toEqual(first.split.evaluation.articles);
  }, 120_000);

  test('bad settings are refused with the usage', async () => {
    await expect(xling('train', '--dataset', xquad, '--out', join(dir, 'x.json'), '--mix', 'mono=1,sideways=1')).rejects.toMatchObject({
      stderr: expect.stringMatching(/Cannot read batch mix[\s\S]*Options for train/),
    });
    await expect(xling('train', '--dataset', xquad, '--out', join(dir, 'x.json'), '--split', 'articles:1.5')).rejects.toMatchObject({
      stderr: expect.stringMatching(/expected articles:F with 0 < F < 1/),
    });
  });
});
