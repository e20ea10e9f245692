/**
 * "Compute on a big machine, compare here": a report.json of `xling eval --per-query` or `xling
 * train --per-query`, imported, keeps its per-query values, so the notebook compares it with a run
 * of its own with CIs, and those CIs are the ones `xling compare` gives for the same two reports.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareCommand } from '../../src/cli/compare';
import { loadDataset } from '../../src/core/dataset/load';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import type { EvalReport } from '../../src/core/metrics/types';
import { comparePaired } from '../../src/core/stats/paired';
import { evalReportJson } from '../../src/core/stats/report-json';
import { readRunsFile, runsFile, runsFileText } from '../../src/app/state/run-files';
import type { EvaluationRun, Run } from '../../src/app/state/runs';
import { DEFAULT_SETTINGS } from '../../src/app/state/settings';
import { SIGNIFICANCE_SEED, significanceResamples, significanceUnavailable } from '../../src/app/state/significance';
import { XQUAD_R_DIR } from '../support/harness';

const LANGUAGES = ['de', 'en', 'es'];
let cli: EvalReport;
let notebook: EvalReport;
const folder = mkdtempSync(join(tmpdir(), 'xling-import-'));

beforeAll(async () => {
  const files = LANGUAGES.map((lang) => ({ name: `${lang}.json`, text: readFileSync(join(XQUAD_R_DIR, `${lang}.json`), 'utf8') }));
  const dataset = loadDataset(files, { articles: 2 });
  // Two encoders that differ, so that the comparison has something to measure.
  cli = (await evaluateDataset(dataset, createLexicalEncoder({ dim: 256, minN: 2, maxN: 3 }), { matmul: jsMatmul })).report;
  notebook = (await evaluateDataset(dataset, createLexicalEncoder(), { matmul: jsMatmul })).report;
}, 120_000);

afterAll(() => vi.restoreAllMocks());

function notebookRun(report: EvalReport): EvaluationRun {
  return {
    kind: 'evaluation', id: 'here', number: 1, createdAt: 1, datasetName: 'xquad-r', languages: LANGUAGES,
    selection: { source: { kind: 'folder', folder: 'xquad-r' }, languages: LANGUAGES, articles: 2 },
    encoder: { kind: 'lexical', dim: 2048, minN: 2, maxN: 4 }, candidateText: 'sentence', scoring: 'auto', backend: 'js', report,
  };
}

/** What `xling compare A B` writes, parsed. */
async function cliCompare(a: string, b: string, resamples: number): Promise<unknown> {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out = join(folder, 'cmp.json');
  await compareCommand([a, b, '--out', out, '--resamples', String(resamples), '--seed', String(SIGNIFICANCE_SEED)]);
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe('an imported report.json written with --per-query', () => {
  it('of xling eval is compared with a notebook run with the CIs of xling compare', async () => {
    const settings = { dataset: XQUAD_R_DIR, languages: LANGUAGES, articles: 2, encoder: 'lexical', dim: 256 };
    const cliFile = join(folder, 'cli.json');
    writeFileSync(cliFile, JSON.stringify({ ...evalReportJson(cli, true), settings }));
    const notebookFile = join(folder, 'notebook.json');
    writeFileSync(notebookFile, JSON.stringify(evalReportJson(notebook, true)));

    const [imported] = readRunsFile(readFileSync(cliFile, 'utf8'), 'cli.json', [notebookRun(notebook)], 5).runs;
    const here = notebookRun(notebook);
    expect(significanceUnavailable(here, imported)).toBeNull();
    // What the lab worker computes for the comparison view: delta = shown − compared.
    const resamples = significanceResamples(notebook.perQuery!);
    const inNotebook = comparePaired(imported.report.perQuery!, here.report.perQuery!, { resamples, seed: SIGNIFICANCE_SEED });
    const expected = await cliCompare(cliFile, notebookFile, resamples);
    expect(JSON.parse(JSON.stringify(inNotebook))).toEqual(expected);
    expect(inNotebook.summary.cross_map.ci).not.toBeNull();
  }, 120_000);

  it('of xling train keeps the per-query values of after and before', () => {
    const train = { before: evalReportJson(notebook, true), after: evalReportJson(cli, true), loss: [1], settings: { steps: 1, seed: 1 }, split: { spec: 'articles:0.5' } };
    const [run] = readRunsFile(JSON.stringify(train), 'train.json', [], 5).runs;
    expect(run.report.perQuery?.ids).toEqual(cli.perQuery!.ids);
    expect(Array.from(run.report.perQuery!.ap)).toEqual(Array.from(cli.perQuery!.ap));
    expect(run.kind === 'report' && Array.from(run.origin.before!.perQuery!.rr)).toEqual(Array.from(notebook.perQuery!.rr));
  });
});

describe('exported runs', () => {
  it('keep their per-query values, NaN included, through a file', () => {
    // The first query as if its question were missing in the second language, as in MLQA-R.
    const rr = Float64Array.from(notebook.perQuery!.rr);
    rr[1] = Number.NaN;
    const report = { ...notebook, perQuery: { ...notebook.perQuery!, rr } };
    const runs: Run[] = [notebookRun(report)];
    const [back] = readRunsFile(runsFileText(runsFile(runs, DEFAULT_SETTINGS, null, null, new Date(0))), 'runs.json', [], 0).runs;
    const perQuery = back.report.perQuery!;
    expect(perQuery.rr).toBeInstanceOf(Float64Array);
    expect(perQuery.rr[1]).toBeNaN();
    expect(perQuery).toEqual(report.perQuery);
  });
});
