/**
 * The counts file of one candidate shard (`xling eval --shard I/N --out counts.json`, design.md,
 * "Evaluation at corpus scale (shards)") and the checks `xling merge` makes before adding shards.
 *
 * A counts file carries everything merge needs without the dataset: the plan (shard, shards,
 * range, dataset fingerprint, encoder settings), the task's keys (languages, query ids and
 * languages, each language's pool range, each query's relevant candidates) and the counts
 * (streaming.ts, `RangeCounts`). Float32 scores are written as JSON numbers, which hold them exactly.
 */
import { isRecord } from '../dataset/issues';
import { mergeCounts, shardRange, TOP, type RangeCounts } from './streaming';
import type { RetrievalTask } from './types';

export const COUNTS_KIND = 'xling-shard-counts';
export const COUNTS_VERSION = 1;

export interface ShardPlan {
  shard: number;
  shards: number;
  from: number;
  to: number;
  candidate_count: number;
  dataset_fingerprint: string;
  /** The encoder and its settings (what an eval report's `settings` says of it): shards of one run agree on it. */
  encoder: Record<string, unknown>;
}

export interface ShardCountsJson {
  kind: typeof COUNTS_KIND;
  version: typeof COUNTS_VERSION;
  plan: ShardPlan;
  /** The eval report's `settings` (dataset path, languages, encoder, ...), passed through to the merged report. */
  settings: Record<string, unknown>;
  timings: { encode_s: number; score_s: number };
  task: {
    languages: string[];
    query_ids: string[];
    query_lang: number[];
    language_start: number[];
    relevant_start: number[];
    relevant: number[];
  };
  relevant_score: number[];
  above: number[];
  above_in_lang: number[];
  top_filled: number[];
  top_score: number[];
  top_index: number[];
}

export function countsJson(task: RetrievalTask, counts: RangeCounts, plan: Omit<ShardPlan, 'from' | 'to' | 'candidate_count' | 'dataset_fingerprint'>,
  settings: Record<string, unknown>, timings: { encode_s: number; score_s: number }): ShardCountsJson {
  const top = (values: ArrayLike<number>) => {
    const out: number[] = [];
    for (let q = 0; q < task.queryCount; q++) for (let p = 0; p < counts.topFilled[q]; p++) out.push(values[q * TOP + p]);
    return out;
  };
  return {
    kind: COUNTS_KIND,
    version: COUNTS_VERSION,
    plan: { ...plan, from: counts.range.from, to: counts.range.to, candidate_count: task.candidateCount, dataset_fingerprint: task.datasetFingerprint },
    settings,
    timings,
    task: {
      languages: task.languages,
      query_ids: task.queryIds,
      query_lang: Array.from(task.queryLang),
      language_start: Array.from(task.languageStart),
      relevant_start: Array.from(task.relevantStart),
      relevant: Array.from(task.relevant),
    },
    relevant_score: Array.from(counts.relevantScore),
    above: Array.from(counts.above),
    above_in_lang: Array.from(counts.aboveInLang),
    top_filled: Array.from(counts.topFilled),
    top_score: top(counts.topScore),
    top_index: top(counts.topIndex),
  };
}

/** A counts file that cannot be merged; the message names the file and says what to do. */
export class ShardCountsError extends Error {}

/** A parsed counts file, checked for shape; `name` (the file) goes into every message. */
export interface ShardFile {
  name: string;
  json: ShardCountsJson;
}

export function parseCountsFile(name: string, text: string): ShardFile {
  if (text.trim() === '') throw new ShardCountsError(`${name} is empty: its shard did not finish (or wrote nothing). Run that shard again.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ShardCountsError(`${name} is not complete JSON (${(e as Error).message}): it was cut short, perhaps by a job that ran out of time or disk. Run that shard again.`);
  }
  if (!isRecord(json) || json.kind !== COUNTS_KIND) {
    throw new ShardCountsError(`${name} is not a shard counts file (what xling eval --shard I/N --out writes).`);
  }
  if (json.version !== COUNTS_VERSION) throw new ShardCountsError(`${name} is a counts file of version ${String(json.version)}; this xling reads version ${COUNTS_VERSION}.`);
  const file = json as unknown as ShardCountsJson;
  const fail = (what: string) => new ShardCountsError(`${name}: ${what}; the file is damaged. Run that shard again.`);
  const { plan, task } = file;
  if (!isRecord(plan) || !isRecord(task) || !isRecord(file.settings)) throw fail('the plan, task or settings is missing');
  for (const key of ['shard', 'shards', 'from', 'to', 'candidate_count'] as const) {
    if (!Number.isInteger(plan[key]) || plan[key] < 0) throw fail(`plan.${key} is not a whole number`);
  }
  const arrays: [string, unknown, number][] = [
    ['task.query_lang', task.query_lang, task.query_ids?.length],
    ['task.relevant_start', task.relevant_start, task.query_ids?.length + 1],
    ['task.language_start', task.language_start, task.languages?.length + 1],
    ['task.relevant', task.relevant, -1],
    ['top_filled', file.top_filled, task.query_ids?.length],
  ];
  for (const [key, value, length] of arrays) {
    if (!Array.isArray(value) || (length >= 0 && value.length !== length)) throw fail(`${key} is missing or has the wrong length`);
  }
  const relevantCount = task.relevant.length;
  for (const key of ['relevant_score', 'above', 'above_in_lang'] as const) {
    if (!Array.isArray(file[key]) || file[key].length !== relevantCount) throw fail(`${key} has ${Array.isArray(file[key]) ? file[key].length : 'no'} values, expected ${relevantCount}`);
  }
  const topCount = file.top_filled.reduce((sum, n) => sum + n, 0);
  for (const key of ['top_score', 'top_index'] as const) {
    if (!Array.isArray(file[key]) || file[key].length !== topCount) throw fail(`${key} has ${Array.isArray(file[key]) ? file[key].length : 'no'} values, expected ${topCount}`);
  }
  return { name, json: file };
}

/**
 * Checks that the files are the N shards of one plan, each once, of the same data and encoder, and
 * names the file (or the shard) that is not: a missing shard, a repeated one, one of another plan,
 * dataset or encoder.
 */
export function checkShardSet(files: ShardFile[]): void {
  if (files.length === 0) throw new ShardCountsError('merge needs the counts files of every shard.');
  const [first] = files;
  const { shards, dataset_fingerprint: fingerprint, encoder } = first.json.plan;
  const encoderText = JSON.stringify(encoder);
  const byShard = new Map<number, string>();
  for (const { name, json } of files) {
    const { plan } = json;
    if (plan.shards !== shards) {
      throw new ShardCountsError(`${name} is shard ${plan.shard} of ${plan.shards}, but ${first.name} is of ${shards}: ` +
        'the files come from different plans. Merge the shards of one run (one --shard I/N with the same N).');
    }
    if (plan.dataset_fingerprint !== fingerprint) {
      throw new ShardCountsError(`${name} counts another dataset (${plan.dataset_fingerprint}) than ${first.name} (${fingerprint}): ` +
        'every shard must read the same data (folder, --languages, --articles).');
    }
    if (JSON.stringify(plan.encoder) !== encoderText) {
      throw new ShardCountsError(`${name} was scored with another encoder or settings (${JSON.stringify(plan.encoder)}) than ${first.name} (${encoderText}): ` +
        'every shard must use the same encoder and settings.');
    }
    const expected = shardRange(plan.candidate_count, plan.shard, shards);
    if (plan.shard >= shards || plan.from !== expected.from || plan.to !== expected.to) {
      throw new ShardCountsError(`${name}: shard ${plan.shard} of ${shards} should hold candidates ${expected.from} to ${expected.to}, ` +
        `but holds ${plan.from} to ${plan.to}: the file is damaged or of another plan.`);
    }
    const earlier = byShard.get(plan.shard);
    if (earlier !== undefined) throw new ShardCountsError(`${name} and ${earlier} are both shard ${plan.shard} of ${shards}: give each shard once.`);
    byShard.set(plan.shard, name);
  }
  const missing = Array.from({ length: shards }, (_, i) => i).filter((i) => !byShard.has(i));
  if (missing.length > 0) {
    throw new ShardCountsError(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${shards} ${missing.length > 1 ? 'are' : 'is'} missing ` +
      `(given: ${files.map((f) => f.name).join(', ')}): wait for ${missing.length > 1 ? 'them' : 'it'} to finish or run ${missing.length > 1 ? 'them' : 'it'} again.`);
  }
}

/** The task a counts file describes (enough to measure: no texts). */
export function taskFromCounts({ json }: ShardFile): RetrievalTask {
  const { task, plan } = json;
  const candidateLang = new Uint16Array(plan.candidate_count);
  for (let l = 0; l < task.languages.length; l++) candidateLang.fill(l, task.language_start[l], task.language_start[l + 1]);
  return {
    languages: task.languages,
    queryCount: task.query_ids.length,
    candidateCount: plan.candidate_count,
    queryLang: Uint16Array.from(task.query_lang),
    candidateLang,
    languageStart: Int32Array.from(task.language_start),
    relevantStart: Int32Array.from(task.relevant_start),
    relevant: Int32Array.from(task.relevant),
    queryIds: task.query_ids,
    datasetFingerprint: plan.dataset_fingerprint,
  };
}

export function countsFromJson(task: RetrievalTask, { json }: ShardFile): RangeCounts {
  const topScore = new Float64Array(task.queryCount * TOP);
  const topIndex = new Int32Array(task.queryCount * TOP);
  let i = 0;
  json.top_filled.forEach((filled, q) => {
    for (let p = 0; p < filled; p++, i++) {
      topScore[q * TOP + p] = json.top_score[i];
      topIndex[q * TOP + p] = json.top_index[i];
    }
  });
  return {
    range: { from: json.plan.from, to: json.plan.to },
    relevantScore: Float32Array.from(json.relevant_score),
    above: Int32Array.from(json.above),
    aboveInLang: Int32Array.from(json.above_in_lang),
    topFilled: Uint8Array.from(json.top_filled),
    topScore,
    topIndex,
  };
}

/** Checks the set, then adds the shards' counts: the whole pool's counts, ready for `measureCounts`. */
export function mergeShardFiles(files: ShardFile[]): { task: RetrievalTask; counts: RangeCounts } {
  checkShardSet(files);
  const [first, ...rest] = files;
  const taskText = JSON.stringify(first.json.task);
  for (const file of rest) {
    if (JSON.stringify(file.json.task) !== taskText) {
      throw new ShardCountsError(`${file.name} has other queries or relevance judgments than ${first.name}: every shard must read the same data.`);
    }
    if (file.json.relevant_score.some((s, e) => s !== first.json.relevant_score[e])) {
      throw new ShardCountsError(`${file.name} scores the relevant items differently from ${first.name}: ` +
        'the shards were not scored with the same vectors (another model file, export or device). Run them with the same encoder.');
    }
  }
  const task = taskFromCounts(first);
  const parts = files.map((file) => countsFromJson(task, file));
  try {
    return { task, counts: mergeCounts(task, parts) };
  } catch (e) {
    throw new ShardCountsError(`${files.map((f) => f.name).join(', ')} do not add up: ${(e as Error).message}.`);
  }
}
