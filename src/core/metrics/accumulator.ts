import type { CellMetrics, EvalReport, EvalSummary, MultilingualMetrics } from './types';

/**
 * Sums per-query metric values and turns them into the report: means per cell and per query
 * language, then macro means over the cells / languages that have queries. Shared by the fast path
 * and the reference so that both aggregate in exactly the same order.
 *
 * Empty cells and query languages without queries report 0 with `n = 0` and are left out of every
 * macro mean; a summary macro mean over nothing is NaN (null in JSON); a rank distance with no query
 * of |R| >= 2 is null.
 */
export class MetricAccumulator {
  private readonly cellAp: Float64Array;
  private readonly cellHits: Int32Array;
  private readonly cellN: Int32Array;
  private readonly multiAp: Float64Array;
  private readonly multiR10: Float64Array;
  private readonly multiShare: Float64Array;
  private readonly multiN: Int32Array;
  private readonly distanceSum: Float64Array;
  private readonly distanceN: Int32Array;

  constructor(private readonly languages: readonly string[]) {
    const l = languages.length;
    this.cellAp = new Float64Array(l * l);
    this.cellHits = new Int32Array(l * l);
    this.cellN = new Int32Array(l * l);
    this.multiAp = new Float64Array(l);
    this.multiR10 = new Float64Array(l);
    this.multiShare = new Float64Array(l);
    this.multiN = new Int32Array(l);
    this.distanceSum = new Float64Array(l);
    this.distanceN = new Int32Array(l);
  }

  /** One query of language `x` against the pool of language `y`. */
  addCell(x: number, y: number, ap: number, topIsRelevant: boolean): void {
    const i = x * this.languages.length + y;
    this.cellAp[i] += ap;
    if (topIsRelevant) this.cellHits[i]++;
    this.cellN[i]++;
  }

  /** One query of language `x` against the multilingual pool; `rankDistance` is null when |R| < 2. */
  addMultilingual(x: number, ap: number, r10: number, rankDistance: number | null, ownShare10: number): void {
    this.multiAp[x] += ap;
    this.multiR10[x] += r10;
    this.multiShare[x] += ownShare10;
    this.multiN[x]++;
    if (rankDistance !== null) {
      this.distanceSum[x] += rankDistance;
      this.distanceN[x]++;
    }
  }

  report(): Omit<EvalReport, 'timings'> {
    const { languages } = this;
    const l = languages.length;
    const cells: Record<string, Record<string, CellMetrics>> = {};
    const multilingual: Record<string, MultilingualMetrics> = {};
    const mono: number[] = [];
    const cross: number[] = [];
    for (let x = 0; x < l; x++) {
      const row: Record<string, CellMetrics> = {};
      for (let y = 0; y < l; y++) {
        const i = x * l + y;
        const n = this.cellN[i];
        row[languages[y]] = { map: mean(this.cellAp[i], n), r1: mean(this.cellHits[i], n), n };
        if (n > 0) (x === y ? mono : cross).push(row[languages[y]].map);
      }
      cells[languages[x]] = row;
      const n = this.multiN[x];
      multilingual[languages[x]] = {
        map: mean(this.multiAp[x], n),
        r10: mean(this.multiR10[x], n),
        rank_distance: this.distanceN[x] > 0 ? this.distanceSum[x] / this.distanceN[x] : null,
        own_share10: mean(this.multiShare[x], n),
        n,
      };
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
    };
    return { summary, cells, multilingual };
  }
}

function mean(sum: number, n: number): number {
  return n > 0 ? sum / n : 0;
}

function macroMean(values: number[]): number {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}
