/**
 * How big a job over a dataset is, before it runs: the memory an evaluation holds at its peak and
 * the time its scoring takes, from the counts of queries and candidates and the embedding
 * dimension; and the stated limits of the browser (docs/ARCHITECTURE.md, "Failure modes"). The
 * command line prints the same estimate before a large evaluation.
 *
 * Memory: the arrays an evaluation holds at the peak of scoring (rankAndMeasure): both embedding
 * matrices (float32), the scoring backend's copy of the candidate matrix, one block of scores
 * (SCORE_BLOCK_ROWS x candidates, float32) and the ranker's scratch per candidate; times
 * PEAK_OVER_ARRAYS for what the runtime, the texts and copies in flight add (measured: `xling eval`
 * peaked at 720 MB resident for full XQuAD-R at 2048 dimensions, whose arrays are 331 MB; issue 11
 * measured 7.4 GB for ten times it, whose arrays are 3.2 GB). Time: the score matrix's
 * multiply-adds at MULTIPLY_ADDS_PER_S and every (query, candidate) pair ranked at PAIRS_PER_S,
 * the browser's dense path on two cores (docs/benchmarks.md); the sparse path of the lexical
 * encoder and the command line's native Gemm are faster, so there it errs long. Encoding is not
 * included: its speed depends on the model (its progress shows its time left).
 *
 * Streaming (metrics/streaming.ts): one block of candidates is scored at a time, so the backend's
 * copy and the score block are at most one block (DEFAULT_CANDIDATE_BLOCK, or `block`) wide, and
 * the counts kept are a few hundred bytes per query; the embedding matrices are held as before
 * (a shard holds only its range and the relevant candidates: pass those as `candidates`). The
 * command line streams where `streamingPays`, the notebook where `notebookStreams`.
 */

import { DEFAULT_CANDIDATE_BLOCK } from './metrics/streaming';

/** Binary units, as the notebook writes sizes elsewhere ("17.0 MB" for a data folder). */
const MB = 1024 ** 2;
const GB = 1024 ** 3;

/** Query rows per block of scores (metrics/ranking.ts, DEFAULT_BLOCK_ROWS). */
const SCORE_BLOCK_ROWS = 512;
const FLOAT_BYTES = 4;
/** QueryRanker's scratch: a float score and an index per candidate. */
const RANKER_BYTES_PER_CANDIDATE = 8;
/** Dense float32 scoring on two WASM threads: 3.5e11 multiply-adds in 18 s (benchmarks.md). */
const MULTIPLY_ADDS_PER_S = 2e10;
/** Ranking: full XQuAD-R's 1.7e8 pairs in under 2 s beside the scoring. */
const PAIRS_PER_S = 1e8;
const PEAK_OVER_ARRAYS = 2;
/** Streaming counts per query: its top 10 (score and index, 12 bytes each) and about a dozen relevant items (score and two counts). */
const COUNTS_BYTES_PER_QUERY = 256;

/** The browser's limit on one evaluation's or training's estimated memory: a worker's heap tops out near 4 GB. */
export const BROWSER_JOB_LIMIT_BYTES = 2 * GB;
/** The browser's limit on one dataset file (picked, dropped or downloaded): kept whole in memory, then in IndexedDB. */
export const BROWSER_FILE_LIMIT_BYTES = 100 * MB;
/** The browser's limit on all files of one dataset together. */
export const BROWSER_DATASET_LIMIT_BYTES = 300 * MB;

export interface JobCounts {
  queries: number;
  candidates: number;
  dim: number;
  /** Scored by streamAndMeasure / countRange rather than rankAndMeasure. */
  streaming?: boolean;
  /** Candidates per streamed block (DEFAULT_CANDIDATE_BLOCK when absent). */
  block?: number;
}

export interface JobEstimate {
  bytes: number;
  scoreSeconds: number;
}

export function estimateJob({ queries, candidates, dim, streaming = false, block: streamBlock }: JobCounts): JobEstimate {
  const block = streaming ? Math.min(candidates, streamBlock ?? DEFAULT_CANDIDATE_BLOCK) : candidates;
  const embeddings = (queries + candidates + block) * dim * FLOAT_BYTES;
  const scores = Math.min(queries, SCORE_BLOCK_ROWS) * block * FLOAT_BYTES;
  const scratch = streaming ? queries * COUNTS_BYTES_PER_QUERY : candidates * RANKER_BYTES_PER_CANDIDATE;
  const bytes = PEAK_OVER_ARRAYS * (embeddings + scores + scratch);
  const scoreSeconds = (queries * candidates * dim) / MULTIPLY_ADDS_PER_S + (queries * candidates) / PAIRS_PER_S;
  return { bytes, scoreSeconds };
}

/**
 * Whether the command line streams (metrics/streaming.ts): wherever whole rows would pass the job
 * limit, and only there. Below it whole rows were faster: on full XQuAD-R, 6.2-6.3 s against
 * 7.3-7.4 s for one-block streaming on the sparse threads (docs/benchmarks.md, "Streaming
 * evaluation and shards"); both give the same report. The notebook's `auto` is the same rule.
 */
export function streamingPays(counts: JobCounts): boolean {
  return estimateJob({ ...counts, streaming: false }).bytes > BROWSER_JOB_LIMIT_BYTES;
}

/** "1.2 GB", "340 MB" (binary units); rough, as the estimate is. */
export function formatBytesRough(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`;
  return `${Math.max(1, Math.round(bytes / MB))} MB`;
}

export function describeEstimate(counts: JobCounts): string {
  const { bytes, scoreSeconds } = estimateJob(counts);
  const time = scoreSeconds < 90 ? `${Math.ceil(scoreSeconds)} s` : `${Math.ceil(scoreSeconds / 60)} min`;
  const streamed = counts.streaming ? `, streamed in blocks of ${(counts.block ?? DEFAULT_CANDIDATE_BLOCK).toLocaleString('en')} candidates` : '';
  return `${counts.queries.toLocaleString('en')} queries x ${counts.candidates.toLocaleString('en')} candidates at ${counts.dim} dimensions${streamed}: ` +
    `about ${formatBytesRough(bytes)} of memory and ${time} of scoring (encoding not included)`;
}

/** How the notebook ranks: whole score rows, streaming by candidate blocks, or `auto` (the Evaluate cell's Ranking). */
export const RANKING_PATHS = ['auto', 'rows', 'streaming'] as const;
export type RankingPath = (typeof RANKING_PATHS)[number];
/** The Evaluate cell's Ranking: the path and, when streaming, the candidates per block. */
export interface RankingChoice {
  path: RankingPath;
  block: number;
}
/** The notebook's smallest block: streaming pads narrower blocks to it (metrics/streaming.ts, shapeStableMatmul). */
export const MIN_CANDIDATE_BLOCK = 1024;

/**
 * Whether the notebook's evaluation streams: as chosen, or under `auto` only where whole score rows
 * would pass the job limit. Below it whole rows were faster in Chromium on full XQuAD-R
 * (docs/benchmarks.md, "Streaming in the notebook"), and both give the same report.
 */
export function notebookStreams(path: RankingPath, counts: JobCounts): boolean {
  return path === 'auto' ? streamingPays(counts) : path === 'streaming';
}

/** The notebook's evaluation of a dataset under `ranking`: the job (its path) and why the browser would refuse it, null when it fits. */
export function notebookEvaluation(ranking: RankingChoice, counts: Omit<JobCounts, 'streaming' | 'block'>): { job: JobCounts; problem: string | null } {
  const sized = { ...counts, block: ranking.block };
  const job = { ...sized, streaming: notebookStreams(ranking.path, sized) };
  return { job, problem: browserJobProblem(job, true) };
}

/**
 * Why the browser will not run this job (its estimate, the limit, why, what to do); null when it
 * will. `streamable`: the job can stream (an evaluation), so whole rows that do not fit say so.
 */
export function browserJobProblem(counts: JobCounts, streamable = false): string | null {
  if (estimateJob(counts).bytes <= BROWSER_JOB_LIMIT_BYTES) return null;
  const over = `${describeEstimate(counts)}, over the notebook's limit of ${formatBytesRough(BROWSER_JOB_LIMIT_BYTES)}.`;
  const smaller = 'Load fewer languages or articles in the Dataset cell, or run it with the command line (npm run xling -- eval ...), which has no such limit';
  if (!counts.streaming) {
    const streamed = estimateJob({ ...counts, streaming: true }).bytes;
    if (streamable && streamed <= BROWSER_JOB_LIMIT_BYTES) {
      return `This job is too big for the browser with whole score rows: ${over} Streamed it needs about ${formatBytesRough(streamed)} ` +
        'and gives the same numbers: choose By job size or Streaming under Ranking in the Evaluate cell.';
    }
    return `This job is too big for the browser: ${over} ${smaller}.`;
  }
  // Streamed, what remains is the embeddings themselves: every query's and candidate's vector is kept.
  const embeddings = PEAK_OVER_ARRAYS * (counts.queries + counts.candidates) * counts.dim * FLOAT_BYTES;
  return `This job is too big for the browser even streamed: ${over} The query and candidate embeddings, kept whole for ` +
    `ranking, count for about ${formatBytesRough(embeddings)} of that at ${counts.dim} dimensions. ${smaller} and can split the candidates into shards (docs/scale.md); ` +
    'or choose an encoder of fewer dimensions.';
}

/** Why the browser will not take these files (each too big, or all together); null when it will. */
export function browserFilesProblem(files: { name: string; size: number }[]): string | null {
  const tooBig = files.filter((file) => file.size > BROWSER_FILE_LIMIT_BYTES);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  const advice = 'Pick fewer or smaller files (a subset of languages), or use the command line (npm run xling -- eval --dataset <folder>) for data this big.';
  if (tooBig.length > 0) {
    return `${tooBig.map((file) => `${file.name} (${formatBytesRough(file.size)})`).join(', ')} ${tooBig.length === 1 ? 'is' : 'are'} over the browser's ` +
      `limit of ${formatBytesRough(BROWSER_FILE_LIMIT_BYTES)} per dataset file. ${advice}`;
  }
  if (total > BROWSER_DATASET_LIMIT_BYTES) {
    return `These files come to ${formatBytesRough(total)}, over the browser's limit of ${formatBytesRough(BROWSER_DATASET_LIMIT_BYTES)} ` +
      `for one dataset. ${advice}`;
  }
  return null;
}
