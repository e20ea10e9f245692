/**
 * The sparse kernels on several threads in the browser: the lab worker puts an inverted index (or a
 * dense matrix) in shared memory, and scoring workers (workers/scoring/) each compute a share of
 * every block of rows into one shared output block (`threadedSparseMatmul`, `threadedSparseDense`).
 */
import { sparseDense, sparseMatmul, threadedSparseDense, threadedSparseMatmul, type SparseScoringThreads } from '../../src/core/linalg/sparse-matmul';
import type { ScoreMatmul, ScoreMatmulFactory } from '../../src/core/linalg/types';
import { connect, type RpcClient } from '../rpc';
import { SCORING_REPLIES, type ScoringProtocol } from '../scoring/protocol';
import { workerThreads } from '../threads';

export type ScoringClient = RpcClient<ScoringProtocol>;

let pool: { worker: Worker; client: ScoringClient }[] | null = null;

/** The pool, started on first use; a worker that dies fails its calls and the next scoring starts a fresh pool. */
export function scoringWorkers(count: number): ScoringClient[] {
  if (pool) return pool.map((p) => p.client);
  const started = Array.from({ length: count }, (_, i) => {
    const worker = new Worker(new URL('../scoring/scoring.worker.ts', import.meta.url), { type: 'module', name: `scoring-${i + 1}` });
    const client: ScoringClient = connect(worker, SCORING_REPLIES, 'scoring worker');
    return { worker, client };
  });
  for (const { worker } of started) {
    worker.onerror = (event) => {
      const error = new Error(`A scoring worker stopped: ${event.message || 'no reason given'}`);
      for (const member of started) {
        member.client.fail(error);
        member.worker.terminate();
      }
      if (pool === started) pool = null;
    };
  }
  pool = started;
  return started.map((p) => p.client);
}

/** How many threads the sparse backend uses here: 1 (no pool) where memory cannot be shared. */
export function sparseThreads(): number {
  return typeof SharedArrayBuffer === 'function' && self.crossOriginIsolated ? workerThreads() : 1;
}

function scoringThreads(count: number): SparseScoringThreads {
  const workers = scoringWorkers(count);
  return {
    count: workers.length,
    async install(key, source) {
      await Promise.all(workers.map((w) => w.call('install', { key, source }).reply));
    },
    async score(thread, job) {
      await workers[thread].call('score', job).reply;
    },
    async drop(key) {
      // A pool that died meanwhile holds no index any more: nothing to drop.
      await Promise.all(workers.map((w) => w.call('drop', { key }).reply.catch(() => undefined)));
    },
  };
}

const threaded = threadedSparseMatmul(() => scoringThreads(sparseThreads()));

export const pooledSparseMatmul: ScoreMatmulFactory = (candidates, candidateCount, dim) =>
  sparseThreads() === 1 ? sparseMatmul(candidates, candidateCount, dim) : threaded(candidates, candidateCount, dim);

const threadedDense = threadedSparseDense(() => scoringThreads(sparseThreads()));

/** Mostly-zero rows times a dense matrix on the pool (`x · matrix`, matrix `inner x width`). */
export function pooledSparseDense(matrix: Float32Array, inner: number, width: number): Promise<ScoreMatmul> {
  return sparseThreads() === 1 ? sparseDense(matrix, inner, width) : threadedDense(matrix, inner, width);
}
