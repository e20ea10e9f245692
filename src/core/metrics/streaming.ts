/**
 * Exact evaluation by candidate ranges (design.md, "Evaluation at corpus scale (shards)"): every
 * metric needs only the rank of each relevant item in its pools, and a rank is 1 + a count of the
 * candidates that outrank the item, a sum over any split of the pool. So the candidates are scored
 * block by block and only these are kept, per query:
 * - each relevant item's score and the number of candidates seen that outrank it, in the
 *   multilingual pool and in its own language's pool (its cell);
 * - the multilingual top 10 so far (score, candidate index), for own-language share@10.
 * Those `RangeCounts` add up over ranges (`mergeCounts`), and `measureCounts` turns them into the
 * report with the same arithmetic, in the same order, as `rankAndMeasure`: the same scores give the
 * same report, number for number. Memory grows with queries + one block, never queries x candidates.
 *
 * Scores must not depend on the block a pair is scored in. The JS and sparse kernels sum each pair
 * alone; onnxruntime's Gemm does too except for one query row or a narrow candidate block (other
 * kernels: measured), so `shapeStableMatmul` pads both away.
 */
import type { ScoreMatmul, ScoreMatmulFactory } from '../linalg/types';
import { nextTurn } from '../scheduling';
import { MetricAccumulator, RankedRelevant } from './accumulator';
import { DEFAULT_BLOCK_ROWS, nextDown, ScoreBins, type RankOptions } from './ranking';
import type { EvalReport, RetrievalTask } from './types';

export const TOP = 10;
/** Candidates per scored block: full XQuAD-R (13,014) is one block, as in rankAndMeasure. */
export const DEFAULT_CANDIDATE_BLOCK = 16384;
/** Below these, onnxruntime picks other Gemm kernels whose sums differ in the last bit (measured with 1.30). */
const STABLE_MIN_ROWS = 2;
const STABLE_MIN_CANDIDATES = 1024;

/** Candidates `from .. to` (exclusive) of the pool order. */
export interface CandidateRange {
  from: number;
  to: number;
}

/** What one range of candidates contributes to every query's ranks: additive over ranges. */
export interface RangeCounts {
  range: CandidateRange;
  /** Per entry of `task.relevant`: the item's score (a float32 value). */
  relevantScore: Float32Array;
  /** Per entry of `task.relevant`: candidates of the range that outrank the item in the multilingual pool. */
  above: Int32Array;
  /** Per entry of `task.relevant`: those of them in the item's own language (its cell's pool). */
  aboveInLang: Int32Array;
  /** Per query, how many of its `TOP` slots are filled. */
  topFilled: Uint8Array;
  /** `[q * TOP + p]`: the range's p-th best candidate for query q (multilingual ranking order). */
  topScore: Float64Array;
  topIndex: Int32Array;
}

export interface StreamOptions extends RankOptions {
  /** Candidates per scored block (default DEFAULT_CANDIDATE_BLOCK). */
  candidateBlock?: number;
}

/** Shard `shard` of `shards` (0-based): contiguous, as equal as integers allow, together the whole pool. */
export function shardRange(candidateCount: number, shard: number, shards: number): CandidateRange {
  return { from: Math.floor((shard * candidateCount) / shards), to: Math.floor(((shard + 1) * candidateCount) / shards) };
}

export function emptyCounts(task: RetrievalTask, range: CandidateRange, relevantScore: Float32Array): RangeCounts {
  const n = task.relevant.length;
  if (relevantScore.length !== n) throw new RangeError(`Expected ${n} relevant scores, got ${relevantScore.length}`);
  return {
    range: { ...range },
    relevantScore,
    above: new Int32Array(n),
    aboveInLang: new Int32Array(n),
    topFilled: new Uint8Array(task.queryCount),
    topScore: new Float64Array(task.queryCount * TOP),
    topIndex: new Int32Array(task.queryCount * TOP),
  };
}

/**
 * Pads a backend's calls to shapes whose scores do not depend on the call: at least
 * STABLE_MIN_ROWS query rows and STABLE_MIN_CANDIDATES candidates (zero rows, dropped from the result).
 */
export function shapeStableMatmul(factory: ScoreMatmulFactory): ScoreMatmulFactory {
  return async (candidates, candidateCount, dim) => {
    const padded = Math.max(candidateCount, STABLE_MIN_CANDIDATES);
    // Padding candidates repeat the real rows, so a backend that chooses its kernel by the
    // candidates' density (sparseWhereSparse) chooses as it would unpadded: one kernel for every call.
    const matrix = padded === candidateCount ? candidates : padRows(candidates, candidateCount * dim, padded * dim, true);
    const inner = await factory(matrix, padded, dim);
    let out = new Float32Array(0);
    const stable: ScoreMatmul = {
      async scores(queries, rows) {
        const stableRows = Math.max(rows, STABLE_MIN_ROWS);
        const block = stableRows === rows ? queries : padRows(queries, rows * dim, stableRows * dim);
        const scores = await inner.scores(block, stableRows);
        if (padded === candidateCount) return scores;
        if (out.length < rows * candidateCount) out = new Float32Array(rows * candidateCount);
        for (let r = 0; r < rows; r++) out.set(scores.subarray(r * padded, r * padded + candidateCount), r * candidateCount);
        return out.subarray(0, rows * candidateCount);
      },
      dispose: () => inner.dispose(),
    };
    return stable;
  };
}

function padRows(values: Float32Array, used: number, length: number, repeat = false): Float32Array {
  const out = new Float32Array(length);
  out.set(values.subarray(0, used));
  if (repeat && used > 0) for (let at = used; at < length; at += used) out.set(values.subarray(0, Math.min(used, length - at)), at);
  return out;
}

/**
 * The score of every relevant item (per entry of `task.relevant`), from the rows of those candidates
 * only (`rowsOf(indices)`: row-major vectors of the candidates listed, in that order). Queries go in
 * blocks grouped by their first relevant candidate, so that the translations of one question, which
 * share their relevant set, share a block: each block is scored against its distinct relevant
 * candidates only (full XQuAD-R: about 520 per block of 512 queries instead of 5,600 in query order).
 */
export async function scoreRelevant(
  task: RetrievalTask,
  queryEmbeddings: Float32Array,
  dim: number,
  rowsOf: (indices: Int32Array) => Float32Array,
  options: StreamOptions,
): Promise<Float32Array> {
  const blockRows = Math.max(1, Math.floor(options.blockRows ?? DEFAULT_BLOCK_ROWS));
  const matmul = shapeStableMatmul(options.matmul);
  const out = new Float32Array(task.relevant.length);
  const { relevant, relevantStart } = task;
  const order = Array.from({ length: task.queryCount }, (_, q) => q).filter((q) => relevantStart[q + 1] > relevantStart[q]);
  order.sort((a, b) => relevant[relevantStart[a]] - relevant[relevantStart[b]] || a - b);
  for (let start = 0; start < order.length; start += blockRows) {
    throwIfAborted(options.signal);
    const block = order.slice(start, start + blockRows);
    const distinct = Int32Array.from(new Set(block.flatMap((q) => Array.from(relevant.subarray(relevantStart[q], relevantStart[q + 1]))))).sort();
    const column = new Map<number, number>();
    distinct.forEach((c, i) => column.set(c, i));
    const backend = await matmul(rowsOf(distinct), distinct.length, dim);
    try {
      const scores = await backend.scores(gatherRows(queryEmbeddings, dim, Int32Array.from(block)), block.length);
      block.forEach((q, b) => {
        for (let e = relevantStart[q]; e < relevantStart[q + 1]; e++) out[e] = scores[b * distinct.length + (column.get(relevant[e]) as number)];
      });
    } finally {
      await backend.dispose();
    }
    await nextTurn();
  }
  return out;
}

/**
 * Counts one range of candidates for every query, block by block: `rowsOf(from, to)` gives the
 * vectors of candidates `from .. to`. Progress counts candidates of the range.
 */
export async function countRange(
  task: RetrievalTask,
  queryEmbeddings: Float32Array,
  dim: number,
  relevantScore: Float32Array,
  range: CandidateRange,
  rowsOf: (from: number, to: number) => Float32Array,
  options: StreamOptions,
): Promise<RangeCounts> {
  checkRange(task, range);
  const counts = emptyCounts(task, range, relevantScore);
  const counter = new RangeCounter(task, counts);
  const blockRows = Math.max(1, Math.floor(options.blockRows ?? DEFAULT_BLOCK_ROWS));
  const candidateBlock = Math.max(1, Math.floor(options.candidateBlock ?? DEFAULT_CANDIDATE_BLOCK));
  const matmul = shapeStableMatmul(options.matmul);
  for (let from = range.from; from < range.to; from += candidateBlock) {
    const to = Math.min(range.to, from + candidateBlock);
    throwIfAborted(options.signal);
    const backend = await matmul(rowsOf(from, to), to - from, dim);
    try {
      for (let start = 0; start < task.queryCount; start += blockRows) {
        throwIfAborted(options.signal);
        const rows = Math.min(blockRows, task.queryCount - start);
        const scores = await backend.scores(queryEmbeddings.subarray(start * dim, (start + rows) * dim), rows);
        for (let b = 0; b < rows; b++) counter.count(start + b, scores, b * (to - from), from, to);
        options.onProgress?.(from - range.from + Math.round(((to - from) * (start + rows)) / task.queryCount), range.to - range.from);
        await nextTurn();
      }
    } finally {
      await backend.dispose();
    }
  }
  if (range.to === range.from) options.onProgress?.(0, 0);
  return counts;
}

/**
 * The whole evaluation streamed: `rankAndMeasure`'s report from the same embeddings, holding one
 * block of scores. With one candidate block (the pool fits), relevant scores come from that block;
 * with more, from a first pass over the relevant candidates alone. Progress counts candidates.
 */
export async function streamAndMeasure(
  task: RetrievalTask,
  queryEmbeddings: Float32Array,
  candidateEmbeddings: Float32Array,
  dim: number,
  options: StreamOptions,
): Promise<Omit<EvalReport, 'timings'>> {
  const { queryCount, candidateCount } = task;
  if (queryEmbeddings.length !== queryCount * dim || candidateEmbeddings.length !== candidateCount * dim) {
    throw new RangeError(
      `Embedding sizes do not match the task: expected ${queryCount} x ${dim} queries and ${candidateCount} x ${dim} candidates`,
    );
  }
  const rowsOf = (from: number, to: number) => candidateEmbeddings.subarray(from * dim, to * dim);
  const candidateBlock = Math.max(1, Math.floor(options.candidateBlock ?? DEFAULT_CANDIDATE_BLOCK));
  const whole = { from: 0, to: candidateCount };
  if (candidateCount > candidateBlock) {
    // The first pass (relevant candidates only, a small part of the work) reports no progress of its own: the phase starts at 0.
    options.onProgress?.(0, candidateCount);
    const relevantScore = await scoreRelevant(task, queryEmbeddings, dim, (indices) => gatherRows(candidateEmbeddings, dim, indices), options);
    return measureCounts(task, await countRange(task, queryEmbeddings, dim, relevantScore, whole, rowsOf, options));
  }
  // One block: each query's relevant scores are read from its own row before it is counted.
  throwIfAborted(options.signal);
  const counts = emptyCounts(task, whole, new Float32Array(task.relevant.length));
  const counter = new RangeCounter(task, counts);
  const blockRows = Math.max(1, Math.floor(options.blockRows ?? DEFAULT_BLOCK_ROWS));
  const backend = await shapeStableMatmul(options.matmul)(candidateEmbeddings, candidateCount, dim);
  try {
    for (let start = 0; start < queryCount; start += blockRows) {
      throwIfAborted(options.signal);
      const rows = Math.min(blockRows, queryCount - start);
      const scores = await backend.scores(queryEmbeddings.subarray(start * dim, (start + rows) * dim), rows);
      for (let b = 0; b < rows; b++) {
        const q = start + b;
        for (let e = task.relevantStart[q]; e < task.relevantStart[q + 1]; e++) {
          counts.relevantScore[e] = scores[b * candidateCount + task.relevant[e]];
        }
        counter.count(q, scores, b * candidateCount, 0, candidateCount);
      }
      options.onProgress?.(Math.round((candidateCount * (start + rows)) / queryCount), candidateCount);
      await nextTurn();
    }
  } finally {
    await backend.dispose();
  }
  throwIfAborted(options.signal);
  return measureCounts(task, counts);
}

/** Row-major vectors of the listed rows. */
export function gatherRows(matrix: Float32Array, dim: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((row, i) => out.set(matrix.subarray(row * dim, (row + 1) * dim), i * dim));
  return out;
}

/**
 * Adds the counts of ranges that together cover the pool once, in any order. Throws when they
 * overlap, leave a gap, or disagree on a relevant item's score (not the same embeddings).
 */
export function mergeCounts(task: RetrievalTask, parts: RangeCounts[]): RangeCounts {
  const sorted = [...parts].sort((a, b) => a.range.from - b.range.from || a.range.to - b.range.to);
  let end = 0;
  for (const part of sorted) {
    if (part.range.from !== end) {
      throw new RangeError(part.range.from > end
        ? `Candidates ${end} to ${part.range.from} are in no range`
        : `Candidates ${part.range.from} to ${Math.min(end, part.range.to)} are in two ranges`);
    }
    end = part.range.to;
  }
  if (end !== task.candidateCount) throw new RangeError(`Candidates ${end} to ${task.candidateCount} are in no range`);
  const first = sorted[0];
  const total = emptyCounts(task, { from: 0, to: task.candidateCount }, first.relevantScore);
  for (const part of sorted) {
    for (let e = 0; e < task.relevant.length; e++) {
      if (part.relevantScore[e] !== first.relevantScore[e] && !(Number.isNaN(part.relevantScore[e]) && Number.isNaN(first.relevantScore[e]))) {
        throw new RangeError(`The ranges disagree on the score of relevant item ${e} (${first.relevantScore[e]} and ${part.relevantScore[e]}): ` +
          'they were not scored with the same embeddings');
      }
      total.above[e] += part.above[e];
      total.aboveInLang[e] += part.aboveInLang[e];
    }
    // Ranges come in pool order, so a later candidate with an equal score stays behind: the ranking's tie rule.
    for (let q = 0; q < task.queryCount; q++) {
      for (let p = 0; p < part.topFilled[q]; p++) insertTop(total, q, part.topScore[q * TOP + p], part.topIndex[q * TOP + p]);
    }
  }
  return total;
}

/** Puts a candidate into query q's top list if it beats the last one (a tie loses); returns the bar to beat then. */
function insertTop(counts: RangeCounts, q: number, s: number, index: number): number {
  const { topScore, topIndex, topFilled } = counts;
  const base = q * TOP;
  const filled = topFilled[q];
  if (filled === TOP && !(s > topScore[base + TOP - 1])) return topScore[base + TOP - 1];
  let p = Math.min(filled, TOP - 1);
  while (p > 0 && topScore[base + p - 1] < s) {
    topScore[base + p] = topScore[base + p - 1];
    topIndex[base + p] = topIndex[base + p - 1];
    p--;
  }
  topScore[base + p] = s;
  topIndex[base + p] = index;
  if (filled < TOP) topFilled[q] = filled + 1;
  return topFilled[q] === TOP ? topScore[base + TOP - 1] : -Infinity;
}

/**
 * The report from counts over the whole pool: each query's relevant items put in ranking order,
 * their ranks = counts + 1, then the per-query values exactly as `rankAndMeasure` adds them.
 */
export function measureCounts(task: RetrievalTask, counts: RangeCounts): Omit<EvalReport, 'timings'> {
  if (counts.range.from !== 0 || counts.range.to !== task.candidateCount) {
    throw new RangeError(`Counts of candidates ${counts.range.from} to ${counts.range.to} are not the whole pool of ${task.candidateCount}: merge every range first`);
  }
  const metrics = new MetricAccumulator(task);
  let maxK = 0;
  for (let q = 0; q < task.queryCount; q++) maxK = Math.max(maxK, task.relevantStart[q + 1] - task.relevantStart[q]);
  const ranked = new RankedRelevant(task.languages.length, maxK);
  const order: number[] = [];
  for (let q = 0; q < task.queryCount; q++) {
    const relFrom = task.relevantStart[q];
    const k = task.relevantStart[q + 1] - relFrom;
    if (k === 0) continue;
    const x = task.queryLang[q];
    order.length = 0;
    for (let e = relFrom; e < relFrom + k; e++) order.push(e);
    // Ranking order: score descending, ties in pool order (entries are ascending candidate indices).
    order.sort((a, b) => counts.relevantScore[b] - counts.relevantScore[a] || a - b);
    order.forEach((e, j) => {
      ranked.rank[j] = counts.above[e] + 1;
      ranked.cellRank[j] = counts.aboveInLang[e] + 1;
      ranked.lang[j] = candidateLanguage(task, task.relevant[e]);
    });
    let own = 0;
    const filled = counts.topFilled[q];
    for (let p = 0; p < filled; p++) if (candidateLanguage(task, counts.topIndex[q * TOP + p]) === x) own++;
    ranked.addTo(metrics, q, x, k, own, filled);
  }
  return metrics.report();
}

function candidateLanguage(task: RetrievalTask, c: number): number {
  return task.candidateLang[c];
}

function checkRange(task: RetrievalTask, { from, to }: CandidateRange): void {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to > task.candidateCount) {
    throw new RangeError(`Candidate range ${from} to ${to} is not within the pool of ${task.candidateCount}`);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('Ranking was aborted', 'AbortError');
}

/**
 * Counts one block of scores for one query. Its relevant items, put in ranking order r_0 > r_1 >
 * ..., split the candidates into buckets by the best relevant item they outrank (they outrank every
 * later one too), per language; prefix sums turn bucket counts into counts above each item.
 */
class RangeCounter {
  private readonly languageCount: number;
  private readonly relScore: Float64Array;
  private readonly relLang: Int32Array;
  /** Candidate c outranks relevant item j iff its score > threshold[j] (which depends on c's side of j). */
  private readonly threshold: Float64Array;
  /** order[j]: the `task.relevant` entry at ranking position j. */
  private readonly order: Int32Array;
  /** [lang * k + j]: candidates of `lang` whose best outranked relevant item is j. */
  private readonly buckets: Int32Array;
  private readonly aboveInLang: Int32Array;
  private readonly bins = new ScoreBins();
  private k = 0;

  constructor(private readonly task: RetrievalTask, private readonly counts: RangeCounts) {
    let maxK = 0;
    for (let q = 0; q < task.queryCount; q++) maxK = Math.max(maxK, task.relevantStart[q + 1] - task.relevantStart[q]);
    this.languageCount = task.languages.length;
    this.relScore = new Float64Array(maxK);
    this.relLang = new Int32Array(maxK);
    this.threshold = new Float64Array(maxK);
    this.order = new Int32Array(maxK);
    this.buckets = new Int32Array(maxK * this.languageCount);
    this.aboveInLang = new Int32Array(this.languageCount);
  }

  /** Counts candidates `from .. to` for query q, whose scores are `scores[offset + (c - from)]`. */
  count(q: number, scores: Float32Array, offset: number, from: number, to: number): void {
    const { task, counts } = this;
    const relFrom = task.relevantStart[q];
    const k = task.relevantStart[q + 1] - relFrom;
    if (k === 0) return;
    this.k = k;
    this.orderRelevant(relFrom, from);
    this.bins.fill(this.relScore, k);
    this.buckets.fill(0, 0, k * this.languageCount);
    const base = offset - from;
    // Relevant items inside the range, in pool order: reaching one changes how a tie with it counts.
    let next = relFrom;
    while (next < relFrom + k && task.relevant[next] < from) next++;
    const relEnd = relFrom + k;
    let c = from;
    while (c < to) {
      const lang = task.candidateLang[c];
      const nextRelevant = next < relEnd ? task.relevant[next] : to;
      const stop = Math.min(to, task.languageStart[lang + 1], nextRelevant);
      this.scan(q, scores, base, c, stop, lang);
      if (stop === nextRelevant && next < relEnd) {
        // Reached relevant item `next`: from here on a tie with it no longer outranks it.
        this.threshold[this.positionOf(next)] = counts.relevantScore[next];
        next++;
      }
      c = stop;
    }
    this.foldBuckets();
  }

  /** Ranking order of q's relevant items; thresholds for a candidate before each item (a tie outranks it) or after it. */
  private orderRelevant(relFrom: number, from: number): void {
    const { k, task, counts, relScore, order, threshold, relLang } = this;
    for (let i = 0; i < k; i++) {
      const s = counts.relevantScore[relFrom + i];
      let j = i;
      // Items arrive in pool order, so stopping at an equal score keeps ties in pool order.
      while (j > 0 && relScore[j - 1] < s) {
        relScore[j] = relScore[j - 1];
        order[j] = order[j - 1];
        j--;
      }
      relScore[j] = s;
      order[j] = relFrom + i;
    }
    for (let j = 0; j < k; j++) {
      relLang[j] = task.candidateLang[task.relevant[order[j]]];
      // s > nextDown(t) <=> s >= t: before the item a tie outranks it; from the item on it does not.
      threshold[j] = task.relevant[order[j]] >= from ? nextDown(relScore[j]) : relScore[j];
    }
  }

  private positionOf(entry: number): number {
    let j = 0;
    while (this.order[j] !== entry) j++;
    return j;
  }

  /** Buckets candidates `from .. to` (all of language `lang`) and updates q's top 10. */
  private scan(q: number, scores: Float32Array, base: number, from: number, to: number, lang: number): void {
    const { threshold, buckets, counts } = this;
    const last = this.k - 1;
    const bucketBase = lang * this.k;
    const lowest = threshold[last];
    const highest = this.relScore[0];
    const { bucketOfBin, base: binBase, scale: binScale } = this.bins;
    let topMin = counts.topFilled[q] === TOP ? counts.topScore[q * TOP + TOP - 1] : -Infinity;
    let skipAtOrBelow = Math.min(lowest, topMin);
    for (let c = from; c < to; c++) {
      const s = scores[base + c];
      if (s <= skipAtOrBelow) continue;
      if (s > lowest) {
        let j = 0; // above every relevant score: outranks them all
        if (s <= highest) {
          j = bucketOfBin[((s - binBase) * binScale) | 0];
          if (j < 0) {
            j = last;
            while (j > 0 && s > threshold[j - 1]) j--;
          }
        }
        buckets[bucketBase + j]++;
      }
      if (s > topMin) {
        topMin = insertTop(counts, q, s, c);
        skipAtOrBelow = Math.min(lowest, topMin);
      }
    }
  }

  /** Prefix sums over the buckets: candidates above each relevant item, in all languages and in its own. */
  private foldBuckets(): void {
    const { k, buckets, relLang, aboveInLang, order, counts } = this;
    aboveInLang.fill(0);
    let above = 0;
    for (let j = 0; j < k; j++) {
      for (let lang = 0; lang < this.languageCount; lang++) {
        const n = buckets[lang * k + j];
        aboveInLang[lang] += n;
        above += n;
      }
      counts.above[order[j]] += above;
      counts.aboveInLang[order[j]] += aboveInLang[relLang[j]];
    }
  }
}
