/**
 * One gate per kind of value: the same bad value gets the same verdict at every door it can come
 * through. Settings: a link, a number field of a cell, the stored notebook. Runs: an imported file
 * and a stored record. The verdicts are written out by hand; a rejected value is echoed cut short.
 */
import { describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/metrics/types';
import { readLink } from '../../src/app/state/link';
import { readRunsFile, runsFile, runsFileText } from '../../src/app/state/run-files';
import { readRunRecord, RUN_RECORD_VERSION } from '../../src/app/state/run-store';
import type { Run } from '../../src/app/state/runs';
import { readFieldText, type Field, type Rejection } from '../../src/app/state/setting-fields';
import { DEFAULT_SETTINGS, sanitizeSettings, SETTINGS_TABLE } from '../../src/app/state/settings';

const TWENTY_THOUSAND_DIGITS = '1'.repeat(20_000);
const LONG_TEXT = 'x'.repeat(10_001);

/** A setting's bad values: as a link or a field spells them, as storage holds them, and the verdict. */
const SETTINGS_CASES: { key: string; path: string[]; field: Field<number> | null; text: string; stored: number | string; verdict: string }[] = [
  // The link used to take steps up to 2^53 and the field then blocked every run ("Fix Steps first").
  { key: 'steps', path: ['train', 'steps'], field: SETTINGS_TABLE.train.steps, text: '1000000000000', stored: 1e12, verdict: 'expected a whole number from 1 to 100,000, got "1000000000000"' },
  { key: 'batch', path: ['mix', 'batchSize'], field: SETTINGS_TABLE.mix.batchSize, text: '1', stored: 1, verdict: 'expected a whole number from 2 to 4,096, got "1"' },
  { key: 'lr', path: ['train', 'learningRate'], field: SETTINGS_TABLE.train.learningRate, text: '0', stored: 0, verdict: 'expected a number above 0, at most 10, got "0"' },
  {
    key: 'seed', path: ['mix', 'seed'], field: SETTINGS_TABLE.mix.seed, text: TWENTY_THOUSAND_DIGITS, stored: TWENTY_THOUSAND_DIGITS,
    verdict: 'expected a whole number from 0 to 4,294,967,295, got "111111111111111111111111…" (20,000 characters)',
  },
  // A text setting has no number field: its input takes at most the same length (maxLength).
  {
    key: 'query-prefix', path: ['encoderDrafts', 'transformer', 'queryPrefix'], field: null, text: LONG_TEXT, stored: LONG_TEXT,
    verdict: 'expected text of at most 10,000 characters, got "xxxxxxxxxxxxxxxxxxxxxxxx…" (10,001 characters)',
  },
];

describe('a bad setting', () => {
  for (const { key, path, field, text, stored, verdict } of SETTINGS_CASES) {
    it(`${key}: the same verdict from a link, a field and storage, and the default in its place`, () => {
      const link = readLink(`#v=1&${key}=${text}`)!;
      expect(link.problems).toEqual([`Not valid, defaults used instead: ${key}: ${verdict}.`]);
      // Never blocking: the link leaves the default, which every field accepts.
      expect(link.settings).toEqual(DEFAULT_SETTINGS);
      if (field) expect(readFieldText(field, text)).toEqual({ problem: verdict });
      const rejected: Rejection[] = [];
      const settings = sanitizeSettings(path.reduceRight<unknown>((inner, name) => ({ [name]: inner }), stored), rejected);
      expect(rejected).toEqual([{ path: path.join('.'), problem: verdict }]);
      expect(settings).toEqual(DEFAULT_SETTINGS);
    });
  }

  it('a long value is echoed cut short', () => {
    const [problem] = readLink(`#v=1&seed=${TWENTY_THOUSAND_DIGITS}`)!.problems;
    expect(problem.length).toBeLessThan(200);
  });
});

const REPORT: EvalReport = {
  summary: { mono_map: 0.5, cross_map: 0.25, multi_map: 0.3, multi_r10: 0.6, rank_distance: 12, own_share10: 0.7, own_first_excess: 0.2 },
  first_language: { de: { de: 1 } },
  cells: { de: { de: { map: 0.5, r1: 0.4, n: 10 } } },
  multilingual: { de: { map: 0.3, r10: 0.6, rank_distance: 12, own_share10: 0.7, n: 10 } },
  timings: { encode_s: 1, score_s: 0.5 },
};

function trainedRun(): Run {
  return {
    kind: 'trained', id: 't', number: 1, createdAt: 1, datasetName: 'xquad-r', languages: ['de'],
    selection: { source: { kind: 'folder', folder: 'xquad-r' }, languages: ['de'], articles: 2 },
    encoder: { kind: 'lexical', dim: 2048, minN: 2, maxN: 4 }, candidateText: 'sentence', scoring: 'auto', backend: 'js',
    report: structuredClone(REPORT),
    training: {
      mix: DEFAULT_SETTINGS.mix, train: DEFAULT_SETTINGS.train, config: {}, experimentId: null,
      outcome: { before: structuredClone(REPORT), after: structuredClone(REPORT), loss: [1.5], validation: [], heldOut: [], split: { spec: 'articles:0.5' }, stepsRun: 1, bestStep: 1 },
    },
  } as unknown as Run;
}

/** A run's bad values (each one crashed its cell after an import, while storage skipped it) and the verdict. */
const RUN_CASES: { what: string; spoil: (run: Record<string, any>) => void; verdict: string }[] = [
  { what: 'a string in a cell', spoil: (run) => { run.report.cells.de.de.r1 = 'x'; }, verdict: 'run.report.cells.de.de.r1: expected a number, got "x"' },
  { what: 'a string as own-language share', spoil: (run) => { run.report.summary.own_share10 = 'x'; }, verdict: 'run.report.summary.own_share10: expected a number, got "x"' },
  { what: 'first_language as text', spoil: (run) => { run.report.first_language = 'x'; }, verdict: 'run.report.first_language: expected an object, got "x"' },
  { what: 'a string in the loss', spoil: (run) => { run.training.outcome.loss = ['x']; }, verdict: 'run.training.outcome.loss[0]: expected a number, got "x"' },
  { what: 'a before report without a summary', spoil: (run) => { run.training.outcome.before.summary = 'x'; }, verdict: 'run.training.outcome.before.summary: expected an object, got "x"' },
  { what: 'a 10,001-character name', spoil: (run) => { run.datasetName = LONG_TEXT; }, verdict: 'run.datasetName: expected text of at most 10,000 characters, got text of 10,001 characters' },
];

describe('a bad run', () => {
  it('is whole as it is made here', () => {
    expect(readRunRecord('t', { version: RUN_RECORD_VERSION, run: trainedRun() })).toHaveProperty('run');
  });

  for (const { what, spoil, verdict } of RUN_CASES) {
    it(`${what}: the same verdict from an import and from storage`, () => {
      const run = trainedRun();
      spoil(run as unknown as Record<string, any>);
      const file = runsFileText(runsFile([run], DEFAULT_SETTINGS, null, null, new Date(0)));
      expect(() => readRunsFile(file, 'runs.json', [], 0)).toThrow(`runs.json, run 1: ${verdict}.`);
      expect(readRunRecord('t', { version: RUN_RECORD_VERSION, run })).toMatchObject({ skipped: { reason: verdict } });
    });
  }
});
