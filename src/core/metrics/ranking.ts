/**
 * Ranking and every metric of design.md ("Metrics (exact definitions)"), from blocks of the score
 * matrix, without sorting any row.
 *
 * Ranking order: score descending, ties in pool order, so candidate c outranks candidate r iff
 * s_c > s_r || (s_c === s_r && c < r). Ranks are 1-based. The pool of language Y is Y's candidates;
 * the multilingual pool is all candidates.
 *
 * Decisions design.md leaves open:
 * - A query "exists in language Y" iff its relevant set has an item in Y's pool. A query with no
 *   relevant item at all counts nowhere (no cell, not in the multilingual n).
 * - Cell (X, Y) with several relevant items in Y (the JSONL format allows it): standard AP over those
 *   items within Y's pool, (1/|R_Y|) * sum over relevant at pool rank k of (relevant in top k) / k;
 *   R@1 = 1 when the top-1 of Y's pool is relevant.
 * - Own-language share@10 divides by min(10, pool size) when the whole pool holds fewer than 10.
 * - Empty means: see `MetricAccumulator`.
 *
 * How one pass finds every rank: a query's relevant items, put in ranking order r_0 > r_1 > ... >
 * r_{k-1}, split the candidates into buckets: a candidate outranks a suffix r_j..r_{k-1} of them, and
 * counting candidates per (language, first outranked j) gives, by prefix sums, the number of
 * candidates of each language above each relevant item. A candidate that outranks no relevant item
 * and cannot enter the running top 10 costs one comparison; any other finds its bucket through a
 * table of score bins. Rows are never sorted and nothing is allocated per query.
 */
import type { Dataset } from '../dataset/types';
import type { ScoreMatmulFactory } from '../linalg/types';
import { nextTurn } from '../scheduling';
import { datasetFingerprint } from '../stats/fingerprint';
import { MetricAccumulator, RankedRelevant } from './accumulator';
import type { EvalReport, RetrievalTask } from './types';

export interface RankOptions {
  matmul: ScoreMatmulFactory;
  /** Query rows scored per backend call (default 512). */
  blockRows?: number;
  /** Called after every block. */
  onProgress?: (doneQueries: number, totalQueries: number) => void;
  /** Checked between blocks; aborting rejects with a DOMException named 'AbortError'. */
  signal?: AbortSignal;
}

const TOP = 10;
/** Score bins between a query's lowest and highest relevant score (see ScoreBins). */
const BINS = 1024;
export const DEFAULT_BLOCK_ROWS = 512;

export function buildRetrievalTask(dataset: Dataset): RetrievalTask {
  const { languages, queries, candidates } = dataset;
  const languageIndex = new Map(languages.map((lang, i) => [lang, i]));
  const indexOf = (lang: string, what: string): number => {
    const i = languageIndex.get(lang);
    if (i === undefined) throw new Error(`${what} has language '${lang}', which is not among the dataset's languages`);
    return i;
  };

  const candidateLang = new Uint16Array(candidates.length);
  const languageStart = new Int32Array(languages.length + 1);
  candidates.forEach((candidate, c) => {
    const lang = indexOf(candidate.lang, `Candidate ${candidate.id}`);
    if (c > 0 && lang < candidateLang[c - 1]) {
      throw new Error(`Candidate ${candidate.id} is out of pool order: candidates must be grouped by language in the dataset's language order`);
    }
    candidateLang[c] = lang;
    languageStart[lang + 1]++;
  });
  for (let l = 0; l < languages.length; l++) languageStart[l + 1] += languageStart[l];

  const queryLang = new Uint16Array(queries.length);
  const relevantStart = new Int32Array(queries.length + 1);
  const relevantLists = queries.map((query, q) => {
    queryLang[q] = indexOf(query.lang, `Query ${query.id}`);
    const list = dataset.relevance[query.id] ?? [];
    list.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= candidates.length || (i > 0 && c <= list[i - 1])) {
        throw new Error(`Relevance of query ${query.id} must be ascending candidate indices below ${candidates.length}`);
      }
    });
    relevantStart[q + 1] = relevantStart[q] + list.length;
    return list;
  });
  const relevant = new Int32Array(relevantStart[queries.length]);
  relevantLists.forEach((list, q) => relevant.set(list, relevantStart[q]));

  return {
    languages: [...languages],
    queryCount: queries.length,
    candidateCount: candidates.length,
    queryLang,
    candidateLang,
    languageStart,
    relevantStart,
    relevant,
    queryIds: queries.map((query) => query.id),
    datasetFingerprint: datasetFingerprint(dataset),
  };
}

export async function rankAndMeasure(
  task: RetrievalTask,
  queryEmbeddings: Float32Array,
  candidateEmbeddings: Float32Array,
  dim: number,
  options: RankOptions,
): Promise<Omit<EvalReport, 'timings'>> {
  const { queryCount, candidateCount } = task;
  if (queryEmbeddings.length !== queryCount * dim || candidateEmbeddings.length !== candidateCount * dim) {
    throw new RangeError(
      `Embedding sizes do not match the task: expected ${queryCount} x ${dim} queries and ${candidateCount} x ${dim} candidates`,
    );
  }
  const blockRows = Math.max(1, Math.floor(options.blockRows ?? DEFAULT_BLOCK_ROWS));
  throwIfAborted(options.signal);
  const matmul = await options.matmul(candidateEmbeddings, candidateCount, dim);
  const scoreBlock = (start: number) => {
    const rows = Math.min(blockRows, queryCount - start);
    return matmul.scores(queryEmbeddings.subarray(start * dim, (start + rows) * dim), rows);
  };
  // A backend that keeps two blocks scores the next one (on its threads) while this one is ranked.
  let ahead: Promise<Float32Array> | null = null;
  try {
    const ranker = new QueryRanker(task);
    const metrics = new MetricAccumulator(task);
    for (let start = 0; start < queryCount; start += blockRows) {
      throwIfAborted(options.signal);
      const rows = Math.min(blockRows, queryCount - start);
      const scores = await (ahead ?? scoreBlock(start));
      ahead = matmul.keepsTwoBlocks && start + blockRows < queryCount ? scoreBlock(start + blockRows) : null;
      for (let b = 0; b < rows; b++) ranker.measure(start + b, scores, b * candidateCount, metrics);
      options.onProgress?.(start + rows, queryCount);
      // A synchronous backend never yields; give abort messages and progress rendering a turn.
      await nextTurn();
    }
    throwIfAborted(options.signal);
    return metrics.report();
  } finally {
    // A block still being scored (an abort, an error) finishes before its backend goes.
    await ahead?.catch(() => undefined);
    await matmul.dispose();
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('Ranking was aborted', 'AbortError');
}

/** Ranks one query's score row and adds its metrics; all scratch space is allocated once. */
class QueryRanker {
  private readonly languageCount: number;
  // The current query's relevant items in ranking order (best first):
  private readonly relLang: Int32Array;
  private readonly relScore: Float64Array;
  /** Candidate c, visited in pool order, outranks relevant item j iff its score > threshold[j]. */
  private readonly threshold: Float64Array;
  /** order[j]: pool-order index (0..k-1) of the relevant item at ranking position j. */
  private readonly order: Int32Array;
  /** positionOf[i]: ranking position of the i-th relevant item in pool order. */
  private readonly positionOf: Int32Array;
  /** [lang * k + j]: candidates of `lang` whose best outranked relevant item is j. */
  private readonly counts: Int32Array;
  private readonly bins = new ScoreBins();
  // Per language, while walking the relevant items in ranking order:
  private readonly aboveInLang: Int32Array;
  private readonly ranked: RankedRelevant;
  // The running top 10 of the multilingual ranking, best first:
  private readonly topScore = new Float64Array(TOP);
  private readonly topLang = new Int32Array(TOP);
  private topFilled = 0;
  /** Score a candidate must beat to enter a full top 10 (a tie loses: it comes later in pool order). */
  private topMin = -Infinity;
  private k = 0;

  constructor(private readonly task: RetrievalTask) {
    const languageCount = task.languages.length;
    let maxK = 0;
    for (let q = 0; q < task.queryCount; q++) maxK = Math.max(maxK, task.relevantStart[q + 1] - task.relevantStart[q]);
    this.languageCount = languageCount;
    this.relLang = new Int32Array(maxK);
    this.relScore = new Float64Array(maxK);
    this.threshold = new Float64Array(maxK);
    this.order = new Int32Array(maxK);
    this.positionOf = new Int32Array(maxK);
    this.counts = new Int32Array(maxK * languageCount);
    this.aboveInLang = new Int32Array(languageCount);
    this.ranked = new RankedRelevant(languageCount, maxK);
  }

  /** Measures query q whose scores are `scores[offset .. offset + candidateCount)`. */
  measure(q: number, scores: Float32Array, offset: number, metrics: MetricAccumulator): void {
    const { task } = this;
    const relFrom = task.relevantStart[q];
    const k = task.relevantStart[q + 1] - relFrom;
    if (k === 0) return;
    this.k = k;
    this.orderRelevant(scores, offset, relFrom);
    this.bins.fill(this.relScore, k);
    this.counts.fill(0, 0, k * this.languageCount);
    this.topFilled = 0;
    this.topMin = -Infinity;

    let next = 0; // the next relevant item in pool order
    for (let lang = 0; lang < this.languageCount; lang++) {
      const end = task.languageStart[lang + 1];
      let c = task.languageStart[lang];
      while (c < end) {
        const stop = next < k ? Math.min(end, task.relevant[relFrom + next]) : end;
        this.scan(scores, offset, c, stop, lang);
        if (stop < end) {
          // Reached relevant item `next`: from here on a tie with it no longer outranks it.
          const j = this.positionOf[next++];
          this.threshold[j] = this.relScore[j];
        }
        c = stop;
      }
    }
    this.addMetrics(q, task.queryLang[q], metrics);
  }

  /** Puts the relevant items in ranking order (insertion sort: k is small) and sets their thresholds. */
  private orderRelevant(scores: Float32Array, offset: number, relFrom: number): void {
    const { k, task, relLang, relScore, threshold, order, positionOf } = this;
    for (let i = 0; i < k; i++) {
      const s = scores[offset + task.relevant[relFrom + i]];
      let j = i;
      // Items arrive in pool order, so stopping at an equal score keeps ties in pool order.
      while (j > 0 && relScore[j - 1] < s) {
        relScore[j] = relScore[j - 1];
        order[j] = order[j - 1];
        j--;
      }
      relScore[j] = s;
      order[j] = i;
    }
    for (let j = 0; j < k; j++) {
      positionOf[order[j]] = j;
      relLang[j] = task.candidateLang[task.relevant[relFrom + order[j]]];
      // Before the scan reaches a relevant item, a tie outranks it: s > nextDown(t) <=> s >= t.
      threshold[j] = nextDown(relScore[j]);
    }
  }

  /** The hot loop: buckets candidates `from .. to` (all of language `lang`) and updates the top 10. */
  private scan(scores: Float32Array, offset: number, from: number, to: number, lang: number): void {
    const { threshold, counts } = this;
    const { bucketOfBin, base: binBase, scale: binScale } = this.bins;
    const last = this.k - 1;
    const base = lang * this.k;
    const lowest = threshold[last];
    const highest = this.relScore[0];
    let topMin = this.topMin;
    let skipAtOrBelow = Math.min(lowest, topMin);
    for (let c = from; c < to; c++) {
      const s = scores[offset + c];
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
        counts[base + j]++;
      }
      if (s > topMin) {
        topMin = this.enterTop(s, lang);
        skipAtOrBelow = Math.min(lowest, topMin);
      }
    }
  }

  /** Inserts a candidate that beats the top 10 and returns the new bar to beat. */
  private enterTop(s: number, lang: number): number {
    const { topScore, topLang } = this;
    let p = Math.min(this.topFilled, TOP - 1);
    while (p > 0 && topScore[p - 1] < s) {
      topScore[p] = topScore[p - 1];
      topLang[p] = topLang[p - 1];
      p--;
    }
    topScore[p] = s;
    topLang[p] = lang;
    if (this.topFilled < TOP) this.topFilled++;
    if (this.topFilled === TOP) this.topMin = topScore[TOP - 1];
    return this.topMin;
  }

  /** Turns the bucket counts into ranks (prefix sums over j) and adds this query's metrics. */
  private addMetrics(q: number, queryLang: number, metrics: MetricAccumulator): void {
    const { k, counts, relLang, aboveInLang, ranked } = this;
    aboveInLang.fill(0);
    let above = 0;
    for (let j = 0; j < k; j++) {
      for (let lang = 0; lang < this.languageCount; lang++) {
        const n = counts[lang * k + j];
        aboveInLang[lang] += n;
        above += n;
      }
      ranked.rank[j] = above + 1;
      ranked.cellRank[j] = aboveInLang[relLang[j]] + 1;
      ranked.lang[j] = relLang[j];
    }
    let own = 0;
    for (let p = 0; p < this.topFilled; p++) if (this.topLang[p] === queryLang) own++;
    ranked.addTo(metrics, q, queryLang, k, own, this.topFilled);
  }
}

/**
 * Maps a score in [lowest relevant score, highest] to its bucket (the best relevant item it
 * outranks) through BINS equal-width bins, so most candidates find their bucket with one multiply
 * and one lookup instead of a data-dependent loop. Binning is monotone in the score, so only the bin
 * holding a relevant score can mix buckets: it is marked -1 and resolved by comparing with the
 * thresholds. Hot loops read the fields into locals.
 */
export class ScoreBins {
  /** Bucket j of every score bin, -1 where the bin holds a relevant score. */
  readonly bucketOfBin = new Int32Array(BINS + 1);
  base = 0;
  scale = 0;

  /** `relScore[0..k)`: the relevant scores in ranking order (descending). */
  fill(relScore: Float64Array, k: number): void {
    const { bucketOfBin } = this;
    this.base = relScore[k - 1];
    this.scale = relScore[0] > this.base ? BINS / (relScore[0] - this.base) : 0;
    let end = BINS + 1;
    for (let j = 0; j < k; j++) {
      const bin = this.binOf(relScore[j]);
      bucketOfBin.fill(j, bin, end);
      end = bin;
    }
    for (let j = 0; j < k; j++) bucketOfBin[this.binOf(relScore[j])] = -1;
  }

  private binOf(score: number): number {
    return ((score - this.base) * this.scale) | 0;
  }
}

/** The largest double below x (x finite). */
export function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  bits64.float[0] = x;
  bits64.int[0] += x > 0 ? -1n : 1n;
  return bits64.float[0];
}

const bits64 = (() => {
  const float = new Float64Array(1);
  return { float, int: new BigInt64Array(float.buffer) };
})();
