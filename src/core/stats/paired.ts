/**
 * Is a difference between two runs real? Paired bootstrap confidence intervals and a paired
 * randomization test with the question id as the unit, Holm-Bonferroni over the cells, exactly as
 * design.md ("Statistics: is a difference real?") defines them; explained for students in
 * docs/statistics.md.
 *
 * Both runs measured the same queries (equal dataset fingerprints), so the set of cells and query
 * languages with queries is the same for A and B, and every metric's delta B - A is the same macro
 * mean as the metric itself, taken over the per-query differences. Everything is therefore computed
 * from, per question id and per group (a cell; AP, R@10 and rank distance of a query language), the
 * sum of the differences and the number of queries: a resample or a permutation costs O(ids x groups),
 * never a pass over the queries.
 *
 * Decisions design.md leaves open:
 * - A cell's bootstrap draws, with replacement, as many ids as the cell has from the cell's own ids.
 *   The summary bootstrap draws as many ids as there are from all ids; a cell or query language that
 *   a resample leaves empty is left out of that resample's macro mean (as an empty cell is). Cells
 *   with the same set of ids share their draws (each cell's own resampling is unchanged by that), and
 *   cells that have every id use the summary's draws: on a parallel dataset such as XQuAD-R that is
 *   every cell, so the cells cost nothing extra.
 * - Percentiles interpolate linearly between order statistics (NumPy's default); a resampled delta
 *   that is undefined (a macro mean over nothing) is left out.
 * - The randomization test uses one set of coin flips per permutation for the summary and every cell.
 *   |delta*| >= |delta| is tested with a relative slack of 1e-12, so that a permutation reproducing
 *   the observed difference counts despite rounding.
 * - Random numbers: one mulberry32 stream seeded with `seed`, used in this order: the summary
 *   bootstrap, the bootstraps of the other id sets of cells (in order of their first cell, row-major),
 *   the permutations.
 */
import { seededRandom } from '../linalg/random';
import type { PerQueryValues } from '../metrics/types';

export const COMPARED_METRICS = ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'rank_distance'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** A metric of A and B, delta = B - A, its 95% percentile bootstrap CI and the randomization test's p. */
export interface PairedDelta {
  a: number | null;
  b: number | null;
  delta: number | null;
  ci: [number, number] | null;
  p: number | null;
}

export interface CellComparison extends PairedDelta {
  /** Queries in the cell; 0 means empty: every other field is null. */
  n: number;
  /** Holm-Bonferroni-adjusted p over all cells with n > 0; significant when < 0.05. */
  p_holm: number | null;
}

/** The `cmp.json` of design.md (plus `n`, the fingerprint and the number of question ids). */
export interface ComparisonReport {
  summary: Record<ComparedMetric, PairedDelta>;
  cells: Record<string, Record<string, CellComparison>>;
  resamples: number;
  seed: number;
  dataset_fingerprint: string;
  question_ids: number;
}

export interface CompareOptions {
  /** Bootstrap resamples and permutations, each (default 2000). */
  resamples?: number;
  seed?: number;
  /** Called now and then with work done and total work (3 x resamples). */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_RESAMPLES = 2000;
export const SIGNIFICANCE_LEVEL = 0.05;

/**
 * The smallest p a randomization test with R permutations can give is 1 / (R + 1), so Holm over m
 * cells can mark a cell only when m / (R + 1) < 0.05: with 2000 permutations and XQuAD-R's 121 cells
 * the smallest possible p_holm is 0.060 and no cell can ever be marked. This is the count that leaves
 * room for it (the smallest p_holm at most half the level), in thousands, and at least the default:
 * 2000 up to 50 cells, 5000 for 121.
 */
export function resamplesForCells(cells: number): number {
  return Math.max(DEFAULT_RESAMPLES, Math.ceil((2 * cells) / SIGNIFICANCE_LEVEL / 1000) * 1000);
}

/** The smallest p_holm any cell can reach with these permutations over these cells. */
export function smallestPossiblePHolm(cells: number, resamples: number): number {
  return Math.min(1, cells / (1 + resamples));
}

/** Runs that did not measure the same data; the message says how they differ. */
export class DatasetMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetMismatchError';
  }
}

export function comparePaired(a: PerQueryValues, b: PerQueryValues, options: CompareOptions = {}): ComparisonReport {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  const table = new PairedTable(a, b);
  const { L, G, I, diff, count, totalDiff, totalCount } = table;
  const random = seededRandom(seed);
  const totalWork = 3 * resamples;
  const progress = (done: number) => {
    if (done % 100 === 0 || done === totalWork) options.onProgress?.(done, totalWork);
  };

  // Observed values.
  const observed = table.summaryOf(totalDiff, totalCount);
  const cellDelta = new Float64Array(L * L);
  for (let c = 0; c < L * L; c++) cellDelta[c] = totalCount[c] > 0 ? totalDiff[c] / totalCount[c] : NaN;

  // Cells grouped by their set of ids; the set of all ids is the summary bootstrap's.
  const cellGroups = table.cellsByIdSet();
  const cellDraws = Array.from({ length: L * L }, (_, c) => (totalCount[c] > 0 ? new Float64Array(resamples) : null));
  const everyIdCells = cellGroups.find((group) => group.ids.length === I)?.cells ?? [];

  // Summary bootstrap: I ids drawn with replacement, as multiplicities.
  const summaryDraws = COMPARED_METRICS.map(() => new Float64Array(resamples));
  const weight = new Int32Array(I);
  const sums = new Float64Array(G);
  const counts = new Float64Array(G);
  const metrics = new Float64Array(COMPARED_METRICS.length);
  for (let r = 0; r < resamples; r++) {
    weight.fill(0);
    for (let k = 0; k < I; k++) weight[Math.floor(random() * I)]++;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < I; i++) {
      const w = weight[i];
      if (w === 0) continue;
      const row = i * G;
      for (let g = 0; g < G; g++) {
        sums[g] += w * diff[row + g];
        counts[g] += w * count[row + g];
      }
    }
    table.summaryInto(sums, counts, metrics);
    for (let m = 0; m < metrics.length; m++) summaryDraws[m][r] = metrics[m];
    for (const c of everyIdCells) (cellDraws[c] as Float64Array)[r] = sums[c] / counts[c];
    progress(r + 1);
  }

  // The other cells: as many of the cell's ids as it has, drawn with replacement, per set of ids.
  for (const { ids, cells: groupCells } of cellGroups) {
    if (ids.length === I) continue;
    const groupWeight = new Int32Array(ids.length);
    for (let r = 0; r < resamples; r++) {
      groupWeight.fill(0);
      for (let k = 0; k < ids.length; k++) groupWeight[Math.floor(random() * ids.length)]++;
      for (const c of groupCells) {
        let s = 0;
        let n = 0;
        for (let k = 0; k < ids.length; k++) {
          s += groupWeight[k] * diff[ids[k] * G + c];
          n += groupWeight[k] * count[ids[k] * G + c];
        }
        (cellDraws[c] as Float64Array)[r] = s / n;
      }
    }
  }
  const cellCi = cellDraws.map((draws) => (draws ? percentileInterval(draws) : null));
  progress(2 * resamples);

  // Randomization: flipping id i negates its differences, so the total becomes total - 2 * (flipped ids' sum).
  const atLeastAsExtremeSummary = new Int32Array(COMPARED_METRICS.length);
  const atLeastAsExtremeCell = new Int32Array(L * L);
  const flipped = new Float64Array(G);
  const permuted = new Float64Array(G);
  for (let r = 0; r < resamples; r++) {
    flipped.fill(0);
    for (let i = 0; i < I; i++) {
      if (random() < 0.5) continue;
      const row = i * G;
      for (let g = 0; g < G; g++) flipped[g] += diff[row + g];
    }
    for (let g = 0; g < G; g++) permuted[g] = totalDiff[g] - 2 * flipped[g];
    table.summaryInto(permuted, totalCount, metrics);
    for (let m = 0; m < metrics.length; m++) {
      if (atLeastAsExtreme(metrics[m], observed[m])) atLeastAsExtremeSummary[m]++;
    }
    for (let c = 0; c < L * L; c++) {
      if (totalCount[c] > 0 && atLeastAsExtreme(permuted[c] / totalCount[c], cellDelta[c])) atLeastAsExtremeCell[c]++;
    }
    progress(2 * resamples + r + 1);
  }
  const pValue = (extreme: number) => (1 + extreme) / (1 + resamples);

  const summary = {} as Record<ComparedMetric, PairedDelta>;
  const summaryA = table.summaryOf(table.totalA, totalCount);
  const summaryB = table.summaryOf(table.totalB, totalCount);
  COMPARED_METRICS.forEach((metric, m) => {
    const defined = !Number.isNaN(observed[m]);
    summary[metric] = {
      a: defined ? summaryA[m] : null,
      b: defined ? summaryB[m] : null,
      delta: defined ? observed[m] : null,
      ci: defined ? percentileInterval(summaryDraws[m]) : null,
      p: defined ? pValue(atLeastAsExtremeSummary[m]) : null,
    };
  });

  const present = Array.from({ length: L * L }, (_, c) => c).filter((c) => totalCount[c] > 0);
  const adjusted = holmBonferroni(present.map((c) => pValue(atLeastAsExtremeCell[c])));
  const pHolm = new Map(present.map((c, k) => [c, adjusted[k]]));
  const cells: Record<string, Record<string, CellComparison>> = {};
  const { languages } = a;
  for (let x = 0; x < L; x++) {
    const row: Record<string, CellComparison> = {};
    for (let y = 0; y < L; y++) {
      const c = x * L + y;
      const n = totalCount[c];
      row[languages[y]] = n === 0
        ? { a: null, b: null, delta: null, ci: null, p: null, p_holm: null, n: 0 }
        : {
          a: table.totalA[c] / n,
          b: table.totalB[c] / n,
          delta: cellDelta[c],
          ci: cellCi[c],
          p: pValue(atLeastAsExtremeCell[c]),
          p_holm: pHolm.get(c) as number,
          n,
        };
    }
    cells[languages[x]] = row;
  }
  return { summary, cells, resamples, seed, dataset_fingerprint: a.datasetFingerprint, question_ids: I };
}

/**
 * Holm-Bonferroni step-down adjustment: the k-th smallest of m p-values (k from 0) becomes
 * max over j <= k of min(1, (m - j) * p_(j)); returned in the input's order.
 */
export function holmBonferroni(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j] || i - j);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((i, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p[i]));
    adjusted[i] = running;
  });
  return adjusted;
}

/** The 2.5th and 97.5th percentiles (linear interpolation) of the defined values; null when there are none. */
export function percentileInterval(values: Float64Array): [number, number] | null {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort();
  if (sorted.length === 0) return null;
  return [quantile(sorted, 0.025), quantile(sorted, 0.975)];
}

function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function atLeastAsExtreme(permuted: number, observed: number): boolean {
  return Math.abs(permuted) >= Math.abs(observed) * (1 - 1e-12);
}

/**
 * Both runs' per-query values folded per question id: for id i and group g, `diff[i * G + g]` is the
 * sum of B - A over the id's queries in the group and `count[i * G + g]` their number. Groups: the
 * L x L cells (reciprocal rank), then per query language multilingual AP, R@10 and rank distance.
 */
class PairedTable {
  readonly L: number;
  readonly G: number;
  readonly I: number;
  readonly diff: Float64Array;
  readonly count: Float64Array;
  readonly totalDiff: Float64Array;
  readonly totalCount: Float64Array;
  readonly totalA: Float64Array;
  readonly totalB: Float64Array;

  constructor(a: PerQueryValues, b: PerQueryValues) {
    checkSameData(a, b);
    const L = a.languages.length;
    const G = L * L + 3 * L;
    const idIndex = new Map<string, number>();
    const idOf = Int32Array.from(a.ids, (id) => {
      let i = idIndex.get(id);
      if (i === undefined) idIndex.set(id, (i = idIndex.size));
      return i;
    });
    const I = idIndex.size;
    this.L = L;
    this.G = G;
    this.I = I;
    this.diff = new Float64Array(I * G);
    this.count = new Float64Array(I * G);
    this.totalA = new Float64Array(G);
    this.totalB = new Float64Array(G);
    const add = (q: number, g: number, va: number, vb: number) => {
      if (Number.isNaN(va) !== Number.isNaN(vb)) {
        throw new DatasetMismatchError(`Query ${q} (id ${a.ids[q]}) has a value in one run and none in the other: the runs did not measure the same data`);
      }
      if (Number.isNaN(va)) return;
      const at = idOf[q] * G + g;
      this.diff[at] += vb - va;
      this.count[at]++;
      this.totalA[g] += va;
      this.totalB[g] += vb;
    };
    for (let q = 0; q < a.ids.length; q++) {
      const x = a.lang[q];
      for (let y = 0; y < L; y++) add(q, x * L + y, a.rr[q * L + y], b.rr[q * L + y]);
      add(q, L * L + x, a.ap[q], b.ap[q]);
      add(q, L * L + L + x, a.r10[q], b.r10[q]);
      add(q, L * L + 2 * L + x, a.rankDistance[q], b.rankDistance[q]);
    }
    this.totalDiff = new Float64Array(G);
    this.totalCount = new Float64Array(G);
    for (let i = 0; i < I; i++) {
      for (let g = 0; g < G; g++) {
        this.totalDiff[g] += this.diff[i * G + g];
        this.totalCount[g] += this.count[i * G + g];
      }
    }
  }

  /** The non-empty cells grouped by the set of ids with queries in them, in order of their first cell. */
  cellsByIdSet(): Array<{ ids: Int32Array; cells: number[] }> {
    const groups = new Map<string, { ids: Int32Array; cells: number[] }>();
    for (let c = 0; c < this.L * this.L; c++) {
      const ids: number[] = [];
      for (let i = 0; i < this.I; i++) if (this.count[i * this.G + c] > 0) ids.push(i);
      if (ids.length === 0) continue;
      const key = ids.join();
      const group = groups.get(key);
      if (group) group.cells.push(c);
      else groups.set(key, { ids: Int32Array.from(ids), cells: [c] });
    }
    return [...groups.values()];
  }

  summaryOf(sums: Float64Array, counts: Float64Array): Float64Array {
    const out = new Float64Array(COMPARED_METRICS.length);
    this.summaryInto(sums, counts, out);
    return out;
  }

  /** The COMPARED_METRICS, each a macro mean over its non-empty groups (NaN over none), from group sums and counts. */
  summaryInto(sums: Float64Array, counts: Float64Array, out: Float64Array): void {
    const { L } = this;
    let mono = 0, monoN = 0, cross = 0, crossN = 0;
    for (let x = 0; x < L; x++) {
      for (let y = 0; y < L; y++) {
        const c = x * L + y;
        if (counts[c] === 0) continue;
        if (x === y) {
          mono += sums[c] / counts[c];
          monoN++;
        } else {
          cross += sums[c] / counts[c];
          crossN++;
        }
      }
    }
    out[0] = mono / monoN;
    out[1] = cross / crossN;
    for (let k = 0; k < 3; k++) {
      let s = 0, n = 0;
      for (let x = 0; x < L; x++) {
        const g = L * L + k * L + x;
        if (counts[g] === 0) continue;
        s += sums[g] / counts[g];
        n++;
      }
      out[2 + k] = s / n;
    }
  }
}

function checkSameData(a: PerQueryValues, b: PerQueryValues): void {
  if (a.datasetFingerprint !== b.datasetFingerprint) {
    throw new DatasetMismatchError(
      `The runs measured different data (dataset fingerprints ${a.datasetFingerprint} and ${b.datasetFingerprint}: ` +
        'different datasets, subsets or evaluation sides of a split), so their queries cannot be paired',
    );
  }
  const same = a.languages.join() === b.languages.join() && a.ids.length === b.ids.length &&
    a.ids.every((id, q) => id === b.ids[q] && a.lang[q] === b.lang[q]);
  if (!same) throw new DatasetMismatchError('The runs have the same fingerprint but list different queries or languages');
}
