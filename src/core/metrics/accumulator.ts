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
    };
  }

  /** Query `q` of language `x` against the pool of language `y`. */
  addCell(q: number, x: number, y: number, ap: number, topIsRelevant: boolean): void {
    const i = x * this.languages.length + y;
    this.cellAp[i] += ap;
    if (topIsRelevant) this.cellHits[i]++;
    this.cellN[i]++;
    this.perQuery.rr[q * this.languages.length + y] = ap;
  }

  /**
   * Query `q` of language `x` against the multilingual pool, with |R| relevant items; `rankDistance`
   * is null when |R| < 2; `firstLanguage` is the language of its best-ranked relevant item.
   */
  addMultilingual(q: number, x: number, ap: number, r10: number, rankDistance: number | null, ownShare10: number,
    relevantCount: number, firstLanguage: number): void {
    this.multiAp[x] += ap;
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
    const mono: number[] = [];
    const cross: number[] = [];
    const excess: number[] = [];
    for (let x = 0; x < l; x++) {
      const row: Record<string, CellMetrics> = {};
      const firstRow: Record<string, number> = {};
      for (let y = 0; y < l; y++) {
        const i = x * l + y;
        const n = this.cellN[i];
        row[languages[y]] = { map: mean(this.cellAp[i], n), r1: mean(this.cellHits[i], n), n };
        if (n > 0) (x === y ? mono : cross).push(row[languages[y]].map);
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
      };
      if (this.distanceN[x] > 0) excess.push(this.ownFirstExcessSum[x] / this.distanceN[x]);
    }
    const present = Object.values(multilingual).filter((m) => m.n > 0);
    const distances = present.flatMap((m) => (m.rank_distance === null ? [] : [m.rank_distance]));
    const summary: EvalSummary = {
      mono_map: macroMean(mono),
      cross_map: macroMean(cross),
      multi_map: macroMean(present.map((m) => m.map)),
      multi_r10: macroMean(present.map((m) => m.r10)),
      rank_distance: distances.length > 0 ? macroMean(distances) : null,
      own_share10: macroMean(present.map((m) => m.own_share10)),
      own_first_excess: excess.length > 0 ? macroMean(excess) : null,
    };
    return { summary, cells, multilingual, first_language: firstLanguage, perQuery: this.perQuery };
  }
}

function mean(sum: number, n: number): number {
  return n > 0 ? sum / n : 0;
}

function macroMean(values: number[]): number {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}
