import { sparseWhereSparse } from '../core/linalg/sparse-matmul';
import type { ScoreMatmulFactory } from '../core/linalg/types';
import { ortNodeMatmul } from './ort-node-matmul';
import { nodeSparseMatmul } from './sparse-threads';

/**
 * The command line's scoring backend, the notebook's automatic rule (docs/benchmarks.md, "Scoring
 * backends"): the exact sparse kernel on worker threads for sparse vectors (the lexical encoder's),
 * onnxruntime-node's Gemm for dense ones (transformer embeddings, a head's projections).
 */
export function cliScoringMatmul(onChoice?: (sparse: boolean, density: number) => void): ScoreMatmulFactory {
  return sparseWhereSparse(nodeSparseMatmul(), ortNodeMatmul(), onChoice);
}
