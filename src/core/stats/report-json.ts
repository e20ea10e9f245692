/**
 * The JSON form of reports (design.md, "Command line"): the in-memory per-query values become
 * `per_query` entries and a `dataset_fingerprint` (with `--per-query`), and are read back from a
 * report file for `compare`.
 */
import { isRecord } from '../dataset/issues';
import type { EvalReport, PerQueryValues } from '../metrics/types';

/** One query of `per_query`: reciprocal rank per cell (keyed by the pool's language), multilingual AP, R@10, rank distance. */
export interface PerQueryEntry {
  id: string;
  lang: string;
  rr: Record<string, number>;
  ap: number | null;
  r10: number | null;
  rank_distance: number | null;
  /** Multilingual nDCG@10 and Recall@100; absent in reports written before they existed. */
  ndcg10?: number | null;
  r100?: number | null;
}

export type EvalReportJson = Omit<EvalReport, 'perQuery'> & { per_query?: PerQueryEntry[]; dataset_fingerprint?: string };

/** The report as written to report.json: per-query values only when asked for. */
export function evalReportJson(report: EvalReport, withPerQuery: boolean): EvalReportJson {
  const { perQuery, ...rest } = report;
  if (!withPerQuery) return rest;
  if (!perQuery) throw new Error('This report has no per-query values');
  return { ...rest, per_query: perQueryEntries(perQuery), dataset_fingerprint: perQuery.datasetFingerprint };
}

export function perQueryEntries(values: PerQueryValues): PerQueryEntry[] {
  const { languages, ids, lang, rr, ap, r10, rankDistance, ndcg10, r100 } = values;
  const L = languages.length;
  const orNull = (v: number) => (Number.isNaN(v) ? null : v);
  return ids.map((id, q) => {
    const cells: Record<string, number> = {};
    for (let y = 0; y < L; y++) if (!Number.isNaN(rr[q * L + y])) cells[languages[y]] = rr[q * L + y];
    const entry: PerQueryEntry = { id, lang: languages[lang[q]], rr: cells, ap: orNull(ap[q]), r10: orNull(r10[q]), rank_distance: orNull(rankDistance[q]) };
    if (ndcg10) entry.ndcg10 = orNull(ndcg10[q]);
    if (r100) entry.r100 = orNull(r100[q]);
    return entry;
  });
}

/**
 * The per-query values of a parsed report file: an eval report, or a train report (its `after`),
 * written with `--per-query`. `name` says which file in error messages.
 */
export function perQueryFromJson(json: unknown, name: string): PerQueryValues {
  const report = isRecord(json) && isRecord(json.after) ? json.after : json;
  if (!isRecord(report) || !isRecord(report.cells)) throw new Error(`${name} is not an eval report or a train report`);
  if (!Array.isArray(report.per_query) || typeof report.dataset_fingerprint !== 'string') {
    throw new Error(`${name} has no per-query values: write it with --per-query`);
  }
  const languages = Object.keys(report.cells);
  const languageIndex = new Map(languages.map((l, i) => [l, i]));
  const entries = report.per_query as unknown[];
  const L = languages.length;
  const values: PerQueryValues = {
    datasetFingerprint: report.dataset_fingerprint,
    languages,
    ids: [],
    lang: new Uint16Array(entries.length),
    rr: new Float64Array(entries.length * L).fill(NaN),
    ap: new Float64Array(entries.length),
    r10: new Float64Array(entries.length),
    rankDistance: new Float64Array(entries.length),
  };
  const number = (v: unknown) => (typeof v === 'number' ? v : NaN);
  entries.forEach((entry, q) => {
    const x = isRecord(entry) ? languageIndex.get(String(entry.lang)) : undefined;
    if (!isRecord(entry) || typeof entry.id !== 'string' || x === undefined || !isRecord(entry.rr)) {
      throw new Error(`${name}: per_query[${q}] is not a query entry of one of the report's languages`);
    }
    values.ids.push(entry.id);
    values.lang[q] = x;
    for (const [lang, v] of Object.entries(entry.rr)) {
      const y = languageIndex.get(lang);
      if (y === undefined || typeof v !== 'number') throw new Error(`${name}: per_query[${q}].rr has '${lang}', not a language of the report`);
      values.rr[q * L + y] = v;
    }
    values.ap[q] = number(entry.ap);
    values.r10[q] = number(entry.r10);
    values.rankDistance[q] = number(entry.rank_distance);
  });
  // nDCG@10 and Recall@100 only when every entry has them (reports written before they existed have none).
  for (const key of ['ndcg10', 'r100'] as const) {
    if (entries.every((entry) => isRecord(entry) && key in entry)) values[key] = Float64Array.from(entries, (entry) => number((entry as Record<string, unknown>)[key]));
  }
  return values;
}
