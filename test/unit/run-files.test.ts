/**
 * Runs out and back in: an exported file reads back to the same runs (renumbered only on a clash,
 * never twice), a command line's report.json becomes a run, and a bad file says what is wrong.
 */
import { describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/metrics/types';
import { readRunsFile, runsFile } from '../../src/app/state/run-files';
import type { EvaluationRun, Run } from '../../src/app/state/runs';
import { DEFAULT_SETTINGS } from '../../src/app/state/settings';

/** A two-language report in design.md's shape, numbers made up by hand. */
const REPORT: EvalReport = {
  summary: { mono_map: 0.5, cross_map: 0.25, multi_map: 0.3, multi_r10: 0.6, rank_distance: 12, own_share10: 0.7, own_first_excess: 0.2 },
  first_language: { de: { de: 0.7, en: 0.3 }, en: { de: 0.3, en: 0.7 } },
  cells: {
    de: { de: { map: 0.5, r1: 0.4, n: 10 }, en: { map: 0.2, r1: 0.1, n: 10 } },
    en: { de: { map: 0.3, r1: 0.2, n: 10 }, en: { map: 0.5, r1: 0.5, n: 10 } },
  },
  multilingual: { de: { map: 0.3, r10: 0.6, rank_distance: 12, own_share10: 0.7, n: 10 }, en: { map: 0.3, r10: 0.6, rank_distance: 12, own_share10: 0.7, n: 10 } },
  timings: { encode_s: 1, score_s: 0.5 },
};

function evaluationRun(id: string, number: number): EvaluationRun {
  return {
    kind: 'evaluation',
    id,
    number,
    createdAt: 1_700_000_000_000 + number,
    selection: { source: { kind: 'folder', folder: 'xquad-r' }, languages: ['de', 'en'], articles: 2 },
    datasetName: 'xquad-r',
    languages: ['de', 'en'],
    encoder: { kind: 'lexical', dim: 2048, minN: 2, maxN: 4 },
    candidateText: 'sentence',
    scoring: 'auto',
    backend: 'js',
    report: REPORT,
  };
}

const exported = (runs: Run[], selected: string | null, compare: string | null) =>
  JSON.stringify(runsFile(runs, DEFAULT_SETTINGS, selected, compare, new Date('2026-11-29T19:00:00Z')));

describe('exported runs', () => {
  it('read back to the same runs, shown and compared as before', () => {
    const runs = [evaluationRun('a', 1), evaluationRun('b', 2)];
    const imported = readRunsFile(exported(runs, 'b', 'a'), 'runs.json', [], 0);
    expect(imported).toEqual({ runs, alreadyHere: 0, selectedRunId: 'b', compareRunId: 'a' });
  });

  it('skip runs already here and renumber a clash', () => {
    const here = [evaluationRun('a', 1), evaluationRun('x', 2)];
    const imported = readRunsFile(exported([evaluationRun('a', 1), evaluationRun('b', 2)], null, null), 'runs.json', here, 0);
    expect(imported.alreadyHere).toBe(1);
    expect(imported.runs.map((run) => [run.id, run.number])).toEqual([['b', 3]]);
  });

  it('say where a damaged file is wrong', () => {
    const broken = JSON.parse(exported([evaluationRun('a', 1)], null, null));
    broken.runs[0].report.summary.cross_map = 'high';
    expect(() => readRunsFile(JSON.stringify(broken), 'runs.json', [], 0)).toThrow('runs.json, run 1: run.report.summary.cross_map: expected a number, got "high".');
    expect(() => readRunsFile('{"format": "xling-lab runs", "version": 9, "runs": []}', 'old.json', [], 0)).toThrow('old.json is exported runs of version 9');
    expect(() => readRunsFile('not json', 'x.json', [], 0)).toThrow('x.json is not JSON');
    expect(() => readRunsFile('{"hello": 1}', 'x.json', [], 0)).toThrow('x.json is neither exported runs');
  });
});

describe("the command line's report.json", () => {
  const settings = { dataset: '/data/xquad-r', languages: ['de', 'en'], articles: '2', encoder: 'lexical', dim: 1024, candidate_text: 'sentence' };

  it('of xling eval becomes a run on its folder, subset and encoder', () => {
    const { runs, selectedRunId } = readRunsFile(JSON.stringify({ ...REPORT, settings }), 'report.json', [evaluationRun('a', 1)], 5);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run).toMatchObject({
      kind: 'report',
      number: 2,
      createdAt: 5,
      selection: { source: { kind: 'folder', folder: 'xquad-r' }, languages: ['de', 'en'], articles: 2 },
      languages: ['de', 'en'],
      encoder: { kind: 'lexical', dim: 1024, minN: 2, maxN: 4 },
      report: REPORT,
      origin: { fileName: 'report.json', command: 'eval', encoder: 'lexical', before: null },
    });
    expect(selectedRunId).toBe(run.id);
  });

  it('of xling train becomes a run of its after report, with its before', () => {
    const before = { ...REPORT, summary: { ...REPORT.summary, cross_map: 0.1 } };
    const train = { before, after: REPORT, loss: [1, 0.5], settings: { ...settings, mix_text: 'mono=0.5,cross=0.5', seed: 3, steps: 40 }, split: { spec: 'articles:0.5' }, training: { steps_run: 30 } };
    const [run] = readRunsFile(JSON.stringify(train), 'train.json', [], 5).runs;
    expect(run.report).toEqual(REPORT);
    expect(run.kind === 'report' && run.origin).toMatchObject({ command: 'train', before, description: 'xling train: mono=0.5,cross=0.5, 30 steps, seed 3; evaluation side of articles:0.5' });
  });

  it('without own-language share (an older report) reads it as unknown', () => {
    const { own_share10: _, ...summary } = REPORT.summary;
    const [run] = readRunsFile(JSON.stringify({ ...REPORT, summary, settings }), 'old.json', [], 5).runs;
    expect(run.report.summary.own_share10).toBeNaN();
  });
});
