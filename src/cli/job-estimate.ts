/**
 * The command line's word before a large job: the core's estimate of memory and scoring time
 * (core/job-size.ts; the command line streams, metrics/streaming.ts), printed when the job is large, and a stop, before any encoding, when the
 * estimate is beyond this machine's memory.
 */
import { totalmem } from 'node:os';
import type { Dataset } from '../core/dataset/types';
import { describeEstimate, estimateJob, formatBytesRough } from '../core/job-size';

/** Jobs past either are "large": the estimate is printed (full XQuAD-R at 384 dimensions is 166 MB, 5 s). */
const LARGE_BYTES = 512 * 1024 ** 2;
const LARGE_SCORE_SECONDS = 60;

/**
 * `job.streaming`: scored by the streaming path (eval); `job.candidates`: the candidates the job
 * holds (a shard: its range and the relevant ones), all of the dataset's by default.
 */
export function logJobEstimate(dataset: Dataset, dim: number, log: (line: string) => void, memory = totalmem(),
  job: { streaming?: boolean; candidates?: number } = {}): void {
  const counts = { queries: dataset.queries.length, candidates: job.candidates ?? dataset.candidates.length, dim, streaming: job.streaming };
  const { bytes, scoreSeconds } = estimateJob(counts);
  if (bytes > memory) {
    throw new Error(`${dataset.name} is too big for this machine: ${describeEstimate(counts)}, more than its ${formatBytesRough(memory)} of memory. ` +
      'Evaluate a part of it (--languages, --articles) or a smaller encoder dimension.');
  }
  if (bytes > LARGE_BYTES || scoreSeconds > LARGE_SCORE_SECONDS) log(`estimate: ${describeEstimate(counts)}`);
}
