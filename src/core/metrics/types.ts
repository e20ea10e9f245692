/** The evaluation report, exactly the `report.json` shape of design.md (plus `own_share10`). */
export interface CellMetrics {
  /** mAP over queries of language X (whose id exists in Y) against the pool of language Y. */
  map: number;
  /** Fraction of those queries whose top-1 in Y's pool is relevant. */
  r1: number;
  /** Number of queries in the cell; 0 means the cell is empty and excluded from macro means. */
  n: number;
  /**
   * Mean nDCG@10 (binary relevance: DCG = sum over relevant items at rank r <= 10 of 1 / log2(r + 1),
   * over the ideal DCG of min(|R|, 10) relevant items on top). Optional: absent in runs stored
   * before it existed; every report measured now has it (also `r100`, and the summary's *_ndcg10 / *_r100).
   */
  ndcg10?: number;
  /** Mean Recall@100: |relevant in the top 100| / |relevant|. Optional as `ndcg10`. */
  r100?: number;
}

export interface MultilingualMetrics {
  map: number;
  /** Mean over queries of |relevant in top 10| / |relevant|. */
  r10: number;
  /** Mean of (max rank - min rank) over queries with |R| >= 2; null when there are none. */
  rank_distance: number | null;
  /** Mean fraction of the multilingual top 10 in the query's own language. */
  own_share10: number;
  n: number;
  /** Mean nDCG@10 in the multilingual ranking (as in CellMetrics). Optional: absent in older runs. */
  ndcg10?: number;
  /** Mean Recall@100 in the multilingual ranking. Optional: absent in older runs. */
  r100?: number;
}

export interface EvalSummary {
  mono_map: number;
  cross_map: number;
  multi_map: number;
  multi_r10: number;
  rank_distance: number | null;
  own_share10: number;
  /**
   * Mean over queries with |R| >= 2 of (1 if the best-ranked relevant item is in the query's own
   * language, else 0) - 1/|R|, per query language, then macro mean: 0 for a language-blind encoder.
   * Null when no query has |R| >= 2; absent in runs stored before it existed.
   */
  own_first_excess: number | null;
  /** Macro means of the cells' / query languages' nDCG@10 and Recall@100 (as mono_map etc.). Optional: absent in older runs. */
  mono_ndcg10?: number;
  mono_r100?: number;
  cross_ndcg10?: number;
  cross_r100?: number;
  multi_ndcg10?: number;
  multi_r100?: number;
}

export interface EvalReport {
  summary: EvalSummary;
  cells: Record<string, Record<string, CellMetrics>>;
  multilingual: Record<string, MultilingualMetrics>;
  /**
   * `first_language[X][Y]`: share of X's queries with |R| >= 2 whose best-ranked relevant item (in the
   * multilingual ranking) is in language Y; rows sum to 1 (all 0 for a language without such queries).
   */
  first_language: Record<string, Record<string, number>>;
  timings: { encode_s: number; score_s: number };
  /**
   * Every query's values, what `compare` pairs runs with (src/core/stats). Always measured; absent
   * in runs stored before per-query values existed.
   */
  perQuery?: PerQueryValues;
}

/**
 * Per-query metric values of one run, in the dataset's query order (design.md, "Statistics"). NaN
 * marks a value that does not exist: a cell the query is not in, a query with no relevant item, a
 * rank distance of a query with |R| < 2.
 */
export interface PerQueryValues {
  /** Fingerprint of the measured data (query ids and languages, candidate keys): runs pair only when equal. */
  datasetFingerprint: string;
  languages: string[];
  /** Question id of each query. */
  ids: string[];
  /** Language index of each query. */
  lang: Uint16Array;
  /** `[q * languages.length + y]`: reciprocal rank (AP within the pool) of query q in cell (lang[q], y). */
  rr: Float64Array;
  /** Multilingual AP. */
  ap: Float64Array;
  /** Multilingual R@10. */
  r10: Float64Array;
  /** Multilingual max rank - min rank of the relevant items. */
  rankDistance: Float64Array;
  /** Multilingual nDCG@10 and Recall@100; absent in runs stored before they existed. */
  ndcg10?: Float64Array;
  r100?: Float64Array;
}

/**
 * A dataset reduced to what ranking needs, as compact typed arrays (structured-clone friendly).
 * Languages are indices into `languages`; candidates are in pool order, so each language's pool is
 * the contiguous range `languageStart[l] .. languageStart[l + 1]`.
 */
export interface RetrievalTask {
  languages: string[];
  queryCount: number;
  candidateCount: number;
  /** Language index of each query. */
  queryLang: Uint16Array;
  /** Language index of each candidate. */
  candidateLang: Uint16Array;
  /** Length `languages.length + 1`: language l owns candidates `[languageStart[l], languageStart[l + 1])`. */
  languageStart: Int32Array;
  /** CSR offsets, length `queryCount + 1`: query q's relevant candidates are `relevant[relevantStart[q] .. relevantStart[q + 1])`. */
  relevantStart: Int32Array;
  /** Relevant candidate indices, ascending within each query. */
  relevant: Int32Array;
  /** Question id of each query (per-query values are paired by it). */
  queryIds: string[];
  /** `datasetFingerprint(dataset)` of src/core/stats/fingerprint.ts. */
  datasetFingerprint: string;
}
