/** The evaluation report, exactly the `report.json` shape of design.md (plus `own_share10`). */
export interface CellMetrics {
  /** mAP over queries of language X (whose id exists in Y) against the pool of language Y. */
  map: number;
  /** Fraction of those queries whose top-1 in Y's pool is relevant. */
  r1: number;
  /** Number of queries in the cell; 0 means the cell is empty and excluded from macro means. */
  n: number;
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
}

export interface EvalSummary {
  mono_map: number;
  cross_map: number;
  multi_map: number;
  multi_r10: number;
  rank_distance: number | null;
  own_share10: number;
}

export interface EvalReport {
  summary: EvalSummary;
  cells: Record<string, Record<string, CellMetrics>>;
  multilingual: Record<string, MultilingualMetrics>;
  timings: { encode_s: number; score_s: number };
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
}
