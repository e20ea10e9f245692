/**
 * Evaluation at corpus scale (design.md, "Evaluation at corpus scale (shards)"; docs/scale.md):
 *   xling eval ... --shard I/N --out counts.json   one contiguous range of the candidates, counted
 *   xling merge <counts files...> --out report.json [--per-query]   the eval report, exact
 *
 * The shard index comes from the scheduler without glue: `--shard ${SLURM_ARRAY_TASK_ID}/N` (or
 * JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX) substituted by the shell, or `--shard auto/N`,
 * which reads whichever of those variables is set.
 */
import { readFile } from 'node:fs/promises';
import { candidateTexts, type CandidateTextMode } from '../core/dataset/texts';
import type { Dataset } from '../core/dataset/types';
import type { SentenceEncoder } from '../core/encoders/types';
import type { ScoreMatmulFactory } from '../core/linalg/types';
import { buildRetrievalTask } from '../core/metrics/ranking';
import { countsJson, mergeShardFiles, parseCountsFile, ShardCountsError, type ShardFile } from '../core/metrics/shard-counts';
import { countRange, measureCounts, scoreRelevant, shardRange } from '../core/metrics/streaming';
import { evalReportJson } from '../core/stats/report-json';
import { formatLogMetric } from './dataset-notes';
import { parseFlags, UsageError } from './flags';
import { logJobEstimate } from './job-estimate';
import { checkOutputs, writeOutputFile } from './outputs';
import { ProgressLog } from './progress';

/** The array-job index variables of Slurm, Kubernetes Indexed Jobs and AWS Batch, in the order `auto` tries them. */
export const SHARD_INDEX_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

export const SHARD_USAGE = `  --shard I/N             count only shard I (0-based) of N contiguous candidate ranges; --out then
                          gets a counts file for xling merge. I may be 'auto': the first of
                          ${SHARD_INDEX_VARIABLES.join(', ')} that is set (docs/scale.md)`;

export const MERGE_USAGE = `  npm run xling -- merge <counts files...> --out <report.json> [--per-query]

  Adds the counts of all N shards of one xling eval --shard I/N run and writes its eval report,
  number for number the unsharded xling eval's; refuses a missing, repeated or foreign shard.`;

export interface ShardChoice {
  shard: number;
  shards: number;
}

export function parseShard(value: string, env: Record<string, string | undefined> = process.env): ShardChoice {
  const match = /^([^/]*)\/([^/]*)$/.exec(value.trim());
  if (!match) throw new UsageError(`--shard must be I/N (shard I of N, 0-based) or auto/N, got '${value}'.`);
  const [, index, count] = match;
  const shards = Number(count);
  if (!/^\d+$/.test(count) || shards < 1) throw new UsageError(`--shard ${value}: N must be a positive whole number, got '${count}'.`);
  let shardText = index;
  let source = '';
  if (index === 'auto') {
    const variable = SHARD_INDEX_VARIABLES.find((name) => env[name] !== undefined && env[name] !== '');
    if (!variable) {
      throw new UsageError(`--shard auto/${count} reads the array index from ${SHARD_INDEX_VARIABLES.join(', ')}, but none is set: ` +
        'run it as an array job (docs/scale.md) or give the index, --shard I/N.');
    }
    shardText = env[variable] as string;
    source = ` (${variable})`;
  } else if (index === '') {
    throw new UsageError(`--shard ${value} has no index: the variable before '/' was empty or unset ` +
      `(${SHARD_INDEX_VARIABLES.join(', ')} are set only inside an array job). Give I/N or auto/N.`);
  }
  const shard = Number(shardText);
  if (!/^\d+$/.test(shardText)) throw new UsageError(`--shard ${value}: the index${source} must be a whole number, got '${shardText}'.`);
  if (shard >= shards) {
    throw new UsageError(`--shard ${value}: index ${shard}${source} is not below N = ${shards}. Indices run from 0 to ${shards - 1} ` +
      `(a Slurm array as --array=0-${shards - 1}).`);
  }
  return { shard, shards };
}

export interface ShardRun {
  dataset: Dataset;
  encoder: SentenceEncoder;
  choice: ShardChoice;
  candidateText: CandidateTextMode;
  matmul: ScoreMatmulFactory;
  out: string;
  /** The eval report's settings; the encoder's part of them is the plan's `encoder`. */
  settings: Record<string, unknown>;
  encoderPlan: Record<string, unknown>;
  log: (line: string) => void;
}

/**
 * One shard: encodes all queries, the shard's candidates and every query's relevant candidates,
 * counts the shard's range and writes the counts file.
 */
export async function evalShard({ dataset, encoder, choice, candidateText, matmul, out, settings, encoderPlan, log }: ShardRun): Promise<void> {
  const { shard, shards } = choice;
  const task = buildRetrievalTask(dataset);
  const range = shardRange(task.candidateCount, shard, shards);
  const needed = new Set(task.relevant);
  for (let c = range.from; c < range.to; c++) needed.add(c);
  const held = Int32Array.from(needed).sort();
  const name = `shard ${shard}/${shards}`;
  log(`${name}: candidates ${range.from} to ${range.to} of ${task.candidateCount}, and the ${new Set(task.relevant).size} relevant ones`);
  logJobEstimate(dataset, encoder.dim, log, undefined, { streaming: true, candidates: held.length });

  const progress = new ProgressLog(log);
  const onProgress = (phase: string, unit: string) => (done: number, total: number) => progress.count(`${name} ${phase}`, unit, done, total);
  const encodeStart = performance.now();
  const queries = await encoder.encode(dataset.queries.map((q) => q.text), 'query', { onProgress: onProgress('encode-queries', 'texts') });
  const rows = await encodeCandidates(encoder, dataset, candidateText, held, onProgress('encode-candidates', 'texts'));
  const encodeSeconds = (performance.now() - encodeStart) / 1000;

  const { dim } = encoder;
  const rowOf = (c: number) => binarySearch(held, c);
  const scoreStart = performance.now();
  const relevantScore = await scoreRelevant(task, queries, dim, (indices) => {
    const out = new Float32Array(indices.length * dim);
    indices.forEach((c, i) => out.set(rows.subarray(rowOf(c) * dim, (rowOf(c) + 1) * dim), i * dim));
    return out;
  }, { matmul });
  const counts = await countRange(task, queries, dim, relevantScore, range,
    (from, to) => rows.subarray(rowOf(from) * dim, (rowOf(from) + to - from) * dim),
    { matmul, onProgress: onProgress('score', 'candidates') });
  const scoreSeconds = (performance.now() - scoreStart) / 1000;
  const json = countsJson(task, counts, { shard, shards, encoder: encoderPlan }, settings, { encode_s: encodeSeconds, score_s: scoreSeconds });
  await writeOutputFile('--out', out, JSON.stringify(json));
  log(`${name}: counted ${range.to - range.from} candidates for ${task.queryCount} queries ` +
    `(encode ${encodeSeconds.toFixed(2)} s, score ${scoreSeconds.toFixed(2)} s) -> ${out}`);
}

/**
 * The vectors of the listed candidates. Vectors read from files (`npy:`) are matched to the whole
 * dataset and already in memory: they are taken from it; other encoders encode only these texts.
 */
async function encodeCandidates(encoder: SentenceEncoder, dataset: Dataset, mode: CandidateTextMode, indices: Int32Array,
  onProgress: (done: number, total: number) => void): Promise<Float32Array> {
  const texts = candidateTexts(dataset, mode);
  if (!encoder.id.startsWith('npy:')) return encoder.encode(Array.from(indices, (c) => texts[c]), 'passage', { onProgress });
  const all = await encoder.encode(texts, 'passage', { onProgress });
  const out = new Float32Array(indices.length * encoder.dim);
  indices.forEach((c, i) => out.set(all.subarray(c * encoder.dim, (c + 1) * encoder.dim), i * encoder.dim));
  return out;
}

function binarySearch(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function mergeCommand(args: string[], log: (line: string) => void): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    out: { type: 'string' },
    'per-query': { type: 'boolean', default: false },
  }, true);
  if (positionals.length === 0) throw new UsageError('merge needs the counts files of every shard (xling eval --shard I/N --out <file>).');
  if (!values.out) throw new UsageError('merge needs --out <report.json>.');
  await checkOutputs([{ flag: '--out', path: values.out, kind: 'file' }], []);
  const files: ShardFile[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ShardCountsError(`${file} cannot be read: ${(e as Error).message}`);
    }
    files.push(parseCountsFile(file, text));
  }
  const start = performance.now();
  const { task, counts } = mergeShardFiles(files);
  const measured = measureCounts(task, counts);
  const sum = (key: 'encode_s' | 'score_s') => files.reduce((total, f) => total + f.json.timings[key], 0);
  const report = { ...measured, timings: { encode_s: sum('encode_s'), score_s: sum('score_s') + (performance.now() - start) / 1000 } };
  const output = { ...evalReportJson(report, values['per-query']), settings: files[0].json.settings };
  await writeOutputFile('--out', values.out, JSON.stringify(output, null, 2));
  const s = report.summary;
  log(`merged ${files.length} shards: ${task.queryCount} queries, ${task.candidateCount} candidates; ` +
    `mono ${formatLogMetric(s.mono_map)}  cross ${formatLogMetric(s.cross_map)}  multi ${formatLogMetric(s.multi_map)} -> ${values.out}`);
}
