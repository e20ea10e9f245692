/**
 * A matrix-product backend for scoring: `S = Q · Cᵀ` for a block of query rows against a fixed
 * candidate matrix. The evaluation core is written against this interface so that the same ranking
 * code runs on a pure-JS kernel (tests, fallback), onnxruntime-node (CLI) and onnxruntime-web (browser).
 */
export interface ScoreMatmul {
  /**
   * Scores `rows` query vectors (row-major, `rows x dim`) against all candidates.
   * Returns row-major `rows x candidateCount` scores. The returned array may be reused by the next call.
   */
  scores(queries: Float32Array, rows: number): Promise<Float32Array>;
  /**
   * The array a call returns stays valid until the call after next (two buffers in turn), so a caller
   * may ask for the next block while it reads this one; a call must still wait for the one before.
   */
  readonly keepsTwoBlocks?: boolean;
  /** Frees backend resources (sessions, tensors). */
  dispose(): Promise<void>;
}

/** Creates a backend bound to one candidate matrix (row-major `candidateCount x dim`). */
export type ScoreMatmulFactory = (
  candidates: Float32Array,
  candidateCount: number,
  dim: number,
) => Promise<ScoreMatmul>;
