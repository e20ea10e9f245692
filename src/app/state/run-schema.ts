/**
 * The one gate for runs and reports: what a stored record (run-store.ts), an imported file
 * (run-files.ts: exported runs, a command line's report.json) and everything the views read must
 * be. Both doors run these checks, so they refuse the same values with the same words, each
 * naming its place (`run.report.cells.ar.ar.r1: expected a number, got "x"`).
 */
import { languageCodeProblem } from '../../core/dataset/languages';
import { MIX_PRESETS } from '../../core/training';
import { anyRecord, byKind, count, fields, instanceOf, listOf, nullable, number, oneOf, optional, positiveInteger, tableOf, text, type Check } from './schema';

const languageCode: Check = (value, path) => {
  if (typeof value !== 'string') return [`${path}: expected a language code`];
  const problem = languageCodeProblem(value);
  return problem ? [`${path}: ${problem}`] : [];
};

/** Measures a report may carry beyond design.md's (nDCG@10 and Recall@100 for MIRACL-style data). */
const extraMeasures = { ndcg10: optional(number), recall100: optional(number) };

/** Per-query values as kept in memory and in IndexedDB (typed arrays; files hold `per_query`, report-json.ts). */
const perQuery = fields({
  datasetFingerprint: text,
  languages: listOf(text),
  ids: listOf(text),
  lang: instanceOf(Uint16Array),
  rr: instanceOf(Float64Array),
  ap: instanceOf(Float64Array),
  r10: instanceOf(Float64Array),
  rankDistance: instanceOf(Float64Array),
  ...Object.fromEntries(Object.keys(extraMeasures).map((name) => [name, optional(instanceOf(Float64Array))])),
});

export const reportCheck: Check = fields({
  summary: fields({
    mono_map: number, cross_map: number, multi_map: number, multi_r10: number, rank_distance: nullable(number), own_share10: number,
    own_first_excess: optional(nullable(number)), ...extraMeasures,
  }),
  cells: tableOf(tableOf(fields({ map: number, r1: number, n: count, ...extraMeasures }))),
  multilingual: tableOf(fields({ map: number, r10: number, rank_distance: nullable(number), own_share10: number, ...extraMeasures })),
  // Absent in runs stored before the first-relevant language existed.
  first_language: optional(tableOf(tableOf(number))),
  timings: fields({ encode_s: number, score_s: number }),
  perQuery: optional(perQuery),
});

export const selectionCheck: Check = fields({
  source: byKind({
    folder: fields({ folder: text }),
    catalog: fields({ id: text }),
    files: fields({ files: listOf(fields({ name: text, key: text, size: number })) }),
  }),
  languages: nullable(listOf(languageCode)),
  articles: nullable(count),
});

const base = {
  id: text,
  number: positiveInteger,
  createdAt: number,
  selection: selectionCheck,
  datasetName: text,
  languages: listOf(languageCode),
  encoder: fields({ kind: oneOf('lexical', 'transformer', 'files') }),
  candidateText: oneOf('sentence', 'sentence+paragraph'),
  scoring: text,
  backend: text,
  model: optional(nullable(anyRecord)),
  report: reportCheck,
};

const runCheck: Check = byKind({
  evaluation: fields(base),
  trained: fields({
    ...base,
    training: fields({
      mix: fields({
        preset: nullable(oneOf(...Object.keys(MIX_PRESETS))),
        weights: fields({ mono: number, mixed: number, cross: number }),
        excludeLanguages: listOf(text),
        batchSize: count,
        seed: number,
        trainFraction: number,
      }),
      train: fields({ steps: count, headKind: oneOf('adapter', 'linear'), rank: count }),
      config: anyRecord,
      outcome: fields({
        before: reportCheck,
        after: reportCheck,
        loss: listOf(number),
        validation: listOf(fields({ step: count, score: number })),
        heldOut: listOf(fields({ step: count })),
        split: fields({ spec: text }),
        stepsRun: count,
        bestStep: count,
      }),
      experimentId: nullable(text),
    }),
  }),
  head: fields({
    ...base,
    head: fields({ fileName: text, kind: oneOf('adapter', 'linear'), dim: count, rank: count, split: fields({ spec: text, seed: number }), before: reportCheck }),
  }),
  // A command line's report.json, imported (run-files.ts).
  report: fields({
    ...base,
    origin: fields({ fileName: text, command: oneOf('eval', 'train'), encoder: text, description: text, before: nullable(reportCheck) }),
  }),
});

/** What is wrong with a value as a run, each problem at its place under `run`; empty when it is one. */
export function runProblems(value: unknown): string[] {
  return runCheck(value, 'run');
}

/** What is wrong with a value as a report, under `path`. */
export function reportProblems(value: unknown, path: string): string[] {
  return reportCheck(value, path);
}

/** A few problems in one line: the first three, and how many more. */
export function summarizeProblems(problems: string[]): string {
  return problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
}
