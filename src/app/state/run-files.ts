/**
 * Runs out of the notebook and back in. "Export runs" writes one JSON file: every run with its report,
 * its dataset (source, subset, languages), its encoder and, for a trained run, its mix, training
 * settings and outcome; with the notebook's settings and which runs were shown and compared.
 * "Import runs" reads such a file back, or a `report.json` of `xling eval` or `xling train`
 * (design.md), which becomes a run of kind `report`.
 *
 * Decisions: a run already in the notebook (same id) is not imported twice; an imported run keeps its
 * number unless a run here has it (then it takes the next free one); every run goes through the run
 * schema that stored runs pass (run-schema.ts), and a file that fails says where, in the same words.
 * Per-query values travel as the command line writes them (`per_query`, `dataset_fingerprint`).
 */
import { isRecord } from '../../core/dataset/issues';
import { DEFAULT_LEXICAL_OPTIONS } from '../../core/encoders/lexical';
import type { EvalReport } from '../../core/metrics/types';
import { evalReportJson, perQueryFromJson } from '../../core/stats/report-json';
import type { EncoderSpec } from '../../../workers/lab/protocol';
import type { Run, ReportRun } from './runs';
import { HUGGING_FACE_HOST, type Settings } from './settings';
import { reportProblems, runProblems, summarizeProblems } from './run-schema';

export const RUNS_FILE_FORMAT = 'xling-lab runs';
export const RUNS_FILE_VERSION = 1;

export interface RunsFile {
  format: typeof RUNS_FILE_FORMAT;
  version: typeof RUNS_FILE_VERSION;
  exported_at: string;
  settings: Settings;
  selectedRunId: string | null;
  compareRunId: string | null;
  runs: Run[];
}

export interface ImportedRuns {
  /** The runs to add, numbered to fit beside the existing ones. */
  runs: Run[];
  /** Runs of the file already in the notebook. */
  alreadyHere: number;
  /** The run the file showed and the one it compared with, when they are now in the notebook. */
  selectedRunId: string | null;
  compareRunId: string | null;
}

/** Why a file cannot be imported, in words for the user. */
export class RunFileError extends Error {
  override name = 'RunFileError';
}

export function runsFile(runs: Run[], settings: Settings, selectedRunId: string | null, compareRunId: string | null, now: Date): RunsFile {
  return { format: RUNS_FILE_FORMAT, version: RUNS_FILE_VERSION, exported_at: now.toISOString(), settings, selectedRunId, compareRunId, runs };
}

/**
 * The file's text. Every report that holds per-query values is written as the command line writes
 * it (`per_query`, `dataset_fingerprint`): typed arrays have no JSON form of their own (they would
 * become objects of numbered keys, NaN becoming null), and one form lets both files be read alike.
 */
export function runsFileText(file: RunsFile): string {
  return JSON.stringify(file, (_key, value: unknown) => (isReport(value) && value.perQuery ? evalReportJson(value as unknown as EvalReport, true) : value));
}

/** JSON text with every report's `per_query` and `dataset_fingerprint` read back as per-query values. */
function parseWithPerQuery(text: string, fileName: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (!isReport(value)) return value;
    if (value.per_query === undefined) return reportFromJson(value);
    const { per_query: _entries, dataset_fingerprint: _fingerprint, ...report } = value;
    try {
      return { ...reportFromJson(report), perQuery: perQueryFromJson(value, fileName) };
    } catch (error) {
      throw new RunFileError((error as Error).message);
    }
  });
}

/** An object of a report's shape (summary and cells), wherever it sits in a file. */
function isReport(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && isRecord(value.summary) && isRecord(value.cells);
}

/** The runs in a file's text: an exported runs file, or a report.json of the command line. */
export function readRunsFile(text: string, fileName: string, existing: Run[], now: number): ImportedRuns {
  let value: unknown;
  try {
    value = parseWithPerQuery(text, fileName);
  } catch (error) {
    if (error instanceof RunFileError) throw error;
    throw new RunFileError(`${fileName} is not JSON (${(error as Error).message}).`);
  }
  if (!isRecord(value)) throw new RunFileError(`${fileName} holds no object: expected exported runs or a report.json of xling eval or xling train.`);
  if (value.format === RUNS_FILE_FORMAT) return placeRuns(exportedRuns(value, fileName), existing, value);
  if (isRecord(value.after) && isRecord(value.before)) return placeRuns([reportRun(value, 'train', fileName, now)], existing, null);
  if (isRecord(value.summary) && isRecord(value.cells)) return placeRuns([reportRun(value, 'eval', fileName, now)], existing, null);
  throw new RunFileError(`${fileName} is neither exported runs (format "${RUNS_FILE_FORMAT}") nor a report.json of xling eval (summary, cells, multilingual) or xling train (before, after).`);
}

function exportedRuns(file: Record<string, unknown>, fileName: string): Run[] {
  if (file.version !== RUNS_FILE_VERSION) throw new RunFileError(`${fileName} is exported runs of version ${String(file.version)}; this xling-lab reads version ${RUNS_FILE_VERSION}.`);
  if (!Array.isArray(file.runs)) throw new RunFileError(`${fileName}: "runs" is not a list.`);
  return file.runs.map((run, index) => checkRun(run, `${fileName}, run ${index + 1}`));
}

/** A run of the file through the one run schema (run-schema.ts), as stored runs are read. */
function checkRun(value: unknown, where: string): Run {
  const problems = runProblems(value);
  if (problems.length > 0) throw new RunFileError(`${where}: ${summarizeProblems(problems)}.`);
  return value as Run;
}

/** A command line's report through the same report schema; `path` names it in messages (`after`). */
function checkReport(value: unknown, fileName: string, path: string): EvalReport {
  const problems = reportProblems(value, path);
  if (problems.length > 0) throw new RunFileError(`${fileName}: ${summarizeProblems(problems)}.`);
  return value as EvalReport;
}

/**
 * A report as JSON holds it, in memory's terms: null means are NaN again (JSON has no NaN), and
 * what reports written before own-language share or the first-relevant language existed lack
 * reads as unknown (NaN and null show as a dash, an empty first_language as no heatmap). Only
 * absences and nulls are filled: a value of the wrong type is left for the schema to refuse.
 */
function reportFromJson(report: Record<string, unknown>): Record<string, unknown> {
  const nan = (row: unknown, names: string[], absent: string[] = []) =>
    isRecord(row) ? { ...row, ...Object.fromEntries([...names, ...absent].filter((name) => row[name] === null || (absent.includes(name) && row[name] === undefined)).map((name) => [name, Number.NaN])) } : row;
  const eachRow = (table: unknown, fill: (row: unknown) => unknown) => (isRecord(table) ? Object.fromEntries(Object.entries(table).map(([key, row]) => [key, fill(row)])) : table);
  const summary = nan(report.summary, ['mono_map', 'cross_map', 'multi_map', 'multi_r10'], ['own_share10']);
  return {
    ...report,
    summary: isRecord(summary) ? { ...summary, own_first_excess: summary.own_first_excess ?? null } : summary,
    cells: eachRow(report.cells, (row) => eachRow(row, (cell) => nan(cell, ['map', 'r1']))),
    multilingual: eachRow(report.multilingual, (row) => nan(row, ['map', 'r10'], ['own_share10'])),
    first_language: report.first_language ?? {},
    timings: report.timings ?? { encode_s: 0, score_s: 0 },
  };
}

/** A report.json of the command line as a run: its dataset folder, subset and encoder as recorded in `settings`. */
function reportRun(file: Record<string, unknown>, command: 'eval' | 'train', fileName: string, now: number): ReportRun {
  const report = command === 'train' ? checkReport(file.after, fileName, 'after') : checkReport(file, fileName, 'report');
  const before = command === 'train' ? checkReport(file.before, fileName, 'before') : null;
  const settings = isRecord(file.settings) ? file.settings : {};
  const folder = typeof settings.dataset === 'string' ? (settings.dataset.split(/[\\/]/).filter(Boolean).at(-1) ?? settings.dataset) : 'unknown';
  const articles = Number(settings.articles);
  const languages = isStringList(settings.languages) ? settings.languages : Object.keys(report.cells);
  const encoder = typeof settings.encoder === 'string' ? settings.encoder : 'unknown';
  const steps = isRecord(file.training) && isFiniteNumber(file.training.steps_run) ? file.training.steps_run : settings.steps;
  const split = isRecord(file.split) && typeof file.split.spec === 'string' ? file.split.spec : 'a split';
  const run: ReportRun = {
    kind: 'report',
    id: `report-${now}-${Math.random().toString(36).slice(2, 8)}`,
    number: 1,
    createdAt: now,
    selection: { source: { kind: 'folder', folder }, languages: isStringList(settings.languages) ? settings.languages : null, articles: Number.isInteger(articles) && articles > 0 ? articles : null },
    datasetName: folder,
    languages,
    encoder: encoderOfReport(encoder, settings),
    candidateText: settings.candidate_text === 'sentence+paragraph' ? 'sentence+paragraph' : 'sentence',
    scoring: 'auto',
    backend: `xling ${command}`,
    report,
    origin: {
      fileName,
      command,
      encoder,
      description: command === 'train' ? `xling train: ${String(settings.mix_text ?? settings.preset ?? 'mix')}, ${String(steps)} steps, seed ${String(settings.seed)}; evaluation side of ${split}` : 'xling eval',
      before,
    },
  };
  return checkRun(run, fileName) as ReportRun;
}

/** The notebook's nearest encoder for the command line's name: what staleness and the runs table compare. */
function encoderOfReport(name: string, settings: Record<string, unknown>): EncoderSpec {
  const dim = Number(settings.dim);
  if (name === 'lexical') return { kind: 'lexical', ...DEFAULT_LEXICAL_OPTIONS, ...(Number.isInteger(dim) ? { dim } : {}) };
  if (name.startsWith('npy:')) return { kind: 'files', set: null };
  const known = <T extends string>(value: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);
  const id = name.replace(/^(hf|onnx):/, '');
  return {
    kind: 'transformer',
    source: name.startsWith('onnx:') ? { kind: 'served', name: id.split(/[\\/]/).filter(Boolean).at(-1) ?? id } : { kind: 'hub', id, host: HUGGING_FACE_HOST },
    dtype: known(settings.dtype, ['fp32', 'fp16', 'q8', 'q4'] as const, 'fp32'),
    device: 'auto',
    pooling: known(settings.pooling, ['mean', 'cls'] as const, 'mean'),
    queryPrefix: typeof settings.query_prefix === 'string' ? settings.query_prefix : '',
    passagePrefix: typeof settings.passage_prefix === 'string' ? settings.passage_prefix : '',
  };
}

function placeRuns(incoming: Run[], existing: Run[], file: Record<string, unknown> | null): ImportedRuns {
  const ids = new Set(existing.map((run) => run.id));
  const numbers = new Set(existing.map((run) => run.number));
  const fresh = incoming.filter((run) => !ids.has(run.id));
  let next = Math.max(0, ...existing.map((run) => run.number), ...fresh.map((run) => run.number)) + 1;
  const runs = fresh.map((run) => {
    const number = numbers.has(run.number) ? next++ : run.number;
    numbers.add(number);
    return { ...run, number };
  });
  const present = new Set([...ids, ...runs.map((run) => run.id)]);
  const chosen = (id: unknown) => (typeof id === 'string' && present.has(id) ? id : null);
  return {
    runs,
    alreadyHere: incoming.length - fresh.length,
    selectedRunId: file ? chosen(file.selectedRunId) : (runs.at(-1)?.id ?? null),
    compareRunId: file ? chosen(file.compareRunId) : null,
  };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
