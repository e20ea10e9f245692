import type { CellMetrics, EvalReport, EvalSummary, MultilingualMetrics, PerQueryValues, RetrievalTask } from './types';

/** What the accumulator needs to know about the queries: their ids and languages, and the data's fingerprint. */
export type QueryKeys = Pick<RetrievalTask, 'languages' | 'queryIds' | 'queryLang' | 'datasetFingerprint'>;

/**
 * Sums per-query metric values and turns them into the report: means per cell and per query
 * language, then macro means over the cells / languages that have queries. Shared by the fast path
 * and the reference so that both aggregate in exactly the same order. Every query's values are also
 * kept (`perQuery`), for the paired statistics of src/core/stats.
 *
 * Empty cells and query languages without queries report 0 with `n = 0` and are left out of every
 * macro mean; a summary macro mean over nothing is NaN (null in JSON); a rank distance with no query
 * of |R| >= 2 is null.
 */
export class MetricAccumulator {
  private readonly languages: readonly string[];
  private readonly cellAp: Float64Array;
  private readonly cellHits: Int32Array;
  private readonly cellN: Int32Array;
  private readonly cellNdcg: Float64Array;
  private readonly cellR100: Float64Array;
  private readonly multiNdcg: Float64Array;
  private readonly multiR100: Float64Array;
  private readonly multiAp: Float64Array;
  private readonly multiR10: Float64Array;
  private readonly multiShare: Float64Array;
  private readonly multiN: Int32Array;
  private readonly distanceSum: Float64Array;
  /** Queries with |R| >= 2 per query language: the n of rank distance, first language and own-first excess. */
  private readonly distanceN: Int32Array;
  /** `[x * l + y]`: queries of x (|R| >= 2) whose best-ranked relevant item is in y. */
  private readonly firstLanguageN: Int32Array;
  private readonly ownFirstExcessSum: Float64Array;
  private readonly perQuery: PerQueryValues;

  constructor(keys: QueryKeys) {
    const l = keys.languages.length;
    const queryCount = keys.queryIds.length;
    this.languages = keys.languages;
    this.cellAp = new Float64Array(l * l);
    this.cellHits = new Int32Array(l * l);
    this.cellN = new Int32Array(l * l);
    this.cellNdcg = new Float64Array(l * l);
    this.cellR100 = new Float64Array(l * l);
    this.multiNdcg = new Float64Array(l);
    this.multiR100 = new Float64Array(l);
    this.multiAp = new Float64Array(l);
    this.multiR10 = new Float64Array(l);
    this.multiShare = new Float64Array(l);
    this.multiN = new Int32Array(l);
    this.distanceSum = new Float64Array(l);
    this.distanceN = new Int32Array(l);
    this.firstLanguageN = new Int32Array(l * l);
    this.ownFirstExcessSum = new Float64Array(l);
    this.perQuery = {
      datasetFingerprint: keys.datasetFingerprint,
      languages: [...keys.languages],
      ids: [...keys.queryIds],
      lang: Uint16Array.from(keys.queryLang),
      rr: new Float64Array(queryCount * l).fill(NaN),
      ap: new Float64Array(queryCount).fill(NaN),
      r10: new Float64Array(queryCount).fill(NaN),
      rankDistance: new Float64Array(queryCount).fill(NaN),
      ndcg10: new Float64Array(queryCount).fill(NaN),
      r100: new Float64Array(queryCount).fill(NaN),
    };
  }

  /** Query `q` of language `x` against the pool of language `y`. */
  addCell(q: number, x: number, y: number, ap: number, topIsRelevant: boolean, ndcg10: number, r100: number): void {
    const i = x * this.languages.length + y;
    this.cellAp[i] += ap;
    this.cellNdcg[i] += ndcg10;
    this.cellR100[i] += r100;
    if (topIsRelevant) this.cellHits[i]++;
    this.cellN[i]++;
    this.perQuery.rr[q * this.languages.length + y] = ap;
  }

  /**
   * Query `q` of language `x` against the multilingual pool, with |R| relevant items; `rankDistance`
   * is null when |R| < 2; `firstLanguage` is the language of its best-ranked relevant item.
   */
  addMultilingual(q: number, x: number, ap: number, r10: number, rankDistance: number | null, ownShare10: number,
    relevantCount: number, firstLanguage: number, ndcg10: number, r100: number): void {
    this.multiAp[x] += ap;
    this.multiNdcg[x] += ndcg10;
    this.multiR100[x] += r100;
    (this.perQuery.ndcg10 as Float64Array)[q] = ndcg10;
    (this.perQuery.r100 as Float64Array)[q] = r100;
    this.multiR10[x] += r10;
    this.multiShare[x] += ownShare10;
    this.multiN[x]++;
    this.perQuery.ap[q] = ap;
    this.perQuery.r10[q] = r10;
    if (rankDistance !== null) {
      this.distanceSum[x] += rankDistance;
      this.distanceN[x]++;
      this.perQuery.rankDistance[q] = rankDistance;
    }
    if (relevantCount >= 2) {
      this.firstLanguageN[x * this.languages.length + firstLanguage]++;
      this.ownFirstExcessSum[x] += (firstLanguage === x ? 1 : 0) - 1 / relevantCount;
    }
  }

  report(): Omit<EvalReport, 'timings'> & { perQuery: PerQueryValues } {
    const { languages } = this;
    const l = languages.length;
    const cells: Record<string, Record<string, CellMetrics>> = {};
    const multilingual: Record<string, MultilingualMetrics> = {};
    const firstLanguage: Record<string, Record<string, number>> = {};
    const mono: CellMetrics[] = [];
    const cross: CellMetrics[] = [];
    const excess: number[] = [];
    for (let x = 0; x < l; x++) {
      const row: Record<string, CellMetrics> = {};
      const firstRow: Record<string, number> = {};
      for (let y = 0; y < l; y++) {
        const i = x * l + y;
        const n = this.cellN[i];
        row[languages[y]] = { map: mean(this.cellAp[i], n), r1: mean(this.cellHits[i], n), n, ndcg10: mean(this.cellNdcg[i], n), r100: mean(this.cellR100[i], n) };
        if (n > 0) (x === y ? mono : cross).push(row[languages[y]]);
        firstRow[languages[y]] = mean(this.firstLanguageN[i], this.distanceN[x]);
      }
      cells[languages[x]] = row;
      firstLanguage[languages[x]] = firstRow;
      const n = this.multiN[x];
      multilingual[languages[x]] = {
        map: mean(this.multiAp[x], n),
        r10: mean(this.multiR10[x], n),
        rank_distance: this.distanceN[x] > 0 ? this.distanceSum[x] / this.distanceN[x] : null,
        own_share10: mean(this.multiShare[x], n),
        n,
        ndcg10: mean(this.multiNdcg[x], n),
        r100: mean(this.multiR100[x], n),
      };
      if (this.distanceN[x] > 0) excess.push(this.ownFirstExcessSum[x] / this.distanceN[x]);
    }
    const present = Object.values(multilingual).filter((m) => m.n > 0);
    const distances = present.flatMap((m) => (m.rank_distance === null ? [] : [m.rank_distance]));
    const summary: EvalSummary = {
      mono_map: macroMean(mono.map((c) => c.map)),
      cross_map: macroMean(cross.map((c) => c.map)),
      multi_map: macroMean(present.map((m) => m.map)),
      multi_r10: macroMean(present.map((m) => m.r10)),
      rank_distance: distances.length > 0 ? macroMean(distances) : null,
      own_share10: macroMean(present.map((m) => m.own_share10)),
      own_first_excess: excess.length > 0 ? macroMean(excess) : null,
      mono_ndcg10: macroMean(mono.map((c) => c.ndcg10 as number)),
      mono_r100: macroMean(mono.map((c) => c.r100 as number)),
      cross_ndcg10: macroMean(cross.map((c) => c.ndcg10 as number)),
      cross_r100: macroMean(cross.map((c) => c.r100 as number)),
      multi_ndcg10: macroMean(present.map((m) => m.ndcg10 as number)),
      multi_r100: macroMean(present.map((m) => m.r100 as number)),
    };
    return { summary, cells, multilingual, first_language: firstLanguage, perQuery: this.perQuery };
  }
}

/**
 * One query's metrics from the ranks of its relevant items, the same arithmetic in the same order for
 * every ranker (ranking.ts, streaming.ts), so that equal ranks give equal reports bit for bit. The
 * caller fills `rank`, `cellRank` (rank within the item's own language pool) and `lang` for the k
 * relevant items in ranking order (best first).
 */
export class RankedRelevant {
  readonly rank: Int32Array;
  readonly cellRank: Int32Array;
  readonly lang: Int32Array;
  private readonly seen: Int32Array;
  private readonly apSum: Float64Array;
  private readonly dcg: Float64Array;
  private readonly in100: Int32Array;
  private readonly topIsRelevant: Uint8Array;

  constructor(languageCount: number, maxRelevant: number) {
    this.rank = new Int32Array(maxRelevant);
    this.cellRank = new Int32Array(maxRelevant);
    this.lang = new Int32Array(maxRelevant);
    this.seen = new Int32Array(languageCount);
    this.apSum = new Float64Array(languageCount);
    this.dcg = new Float64Array(languageCount);
    this.in100 = new Int32Array(languageCount);
    this.topIsRelevant = new Uint8Array(languageCount);
  }

  /** Adds query q (language x, k relevant items) with `own` of its `topCount` multilingual top items in x. */
  addTo(metrics: MetricAccumulator, q: number, x: number, k: number, own: number, topCount: number): void {
    const { rank, cellRank, lang, seen, apSum, dcg, in100, topIsRelevant } = this;
    let multiAp = 0;
    let multiDcg = 0;
    let inTop10 = 0;
    let inTop100 = 0;
    for (let j = 0; j < k; j++) {
      multiAp += (j + 1) / rank[j];
      multiDcg += dcgGain(rank[j]);
      if (rank[j] <= 10) inTop10++;
      if (rank[j] <= RECALL_DEPTH) inTop100++;
      const y = lang[j];
      if (seen[y] === 0) topIsRelevant[y] = cellRank[j] === 1 ? 1 : 0;
      seen[y]++;
      apSum[y] += seen[y] / cellRank[j];
      dcg[y] += dcgGain(cellRank[j]);
      if (cellRank[j] <= RECALL_DEPTH) in100[y]++;
    }
    for (let j = 0; j < k; j++) {
      const y = lang[j];
      if (seen[y] === 0) continue; // this language's cell is already added
      metrics.addCell(q, x, y, apSum[y] / seen[y], topIsRelevant[y] === 1, dcg[y] / idealDcg(seen[y]), in100[y] / seen[y]);
      seen[y] = 0;
      apSum[y] = 0;
      dcg[y] = 0;
      in100[y] = 0;
    }
    metrics.addMultilingual(q, x, multiAp / k, inTop10 / k, k >= 2 ? rank[k - 1] - rank[0] : null, own / topCount, k, lang[0],
      multiDcg / idealDcg(k), inTop100 / k);
  }
}

/** nDCG@10's cut and Recall@100's. */
export const NDCG_DEPTH = 10;
export const RECALL_DEPTH = 100;

/** The gain of a relevant item at 1-based rank r to DCG@10 (binary relevance): 1 / log2(r + 1) within the top 10. */
export function dcgGain(rank: number): number {
  return rank <= NDCG_DEPTH ? 1 / Math.log2(rank + 1) : 0;
}

/** DCG@10 of a ranking with all `relevantCount` relevant items on top: nDCG's denominator. */
export function idealDcg(relevantCount: number): number {
  let sum = 0;
  for (let rank = 1; rank <= Math.min(relevantCount, NDCG_DEPTH); rank++) sum += dcgGain(rank);
  return sum;
}

function mean(sum: number, n: number): number {
  return n > 0 ? sum / n : 0;
}

function macroMean(values: number[]): number {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}
