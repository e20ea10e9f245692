/**
 * The sparse scoring backend on several threads: the lab worker builds one inverted index in shared
 * memory, and scoring workers (workers/scoring/) each score a share of every query block into one
 * shared score block. The scores are the single-threaded sparseMatmul's bit for bit (each row is
 * computed by the same kernel); only the rows' thread differs.
 */
import { buildInvertedIndex, checkQueries, sparseMatmul } from '../../src/core/linalg/sparse-matmul';
import type { ScoreMatmulFactory } from '../../src/core/linalg/types';
import { connect, type RpcClient } from '../rpc';
import { SCORING_REPLIES, type ScoringProtocol } from '../scoring/protocol';
import { workerThreads } from '../threads';

type ScoringClient = RpcClient<ScoringProtocol>;

let pool: { worker: Worker; client: ScoringClient }[] | null = null;

/** The pool, started on first use; a worker that dies fails its calls and the next scoring starts a fresh pool. */
function scoringWorkers(count: number): ScoringClient[] {
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

/** Names each matmul's index in the scoring workers, so that jobs scoring at once never share one. */
let nextIndexKey = 1;

export const pooledSparseMatmul: ScoreMatmulFactory = async (candidates, candidateCount, dim) => {
  const threads = sparseThreads();
  if (threads === 1) return sparseMatmul(candidates, candidateCount, dim);
  const shared = (bytes: number) => new SharedArrayBuffer(bytes);
  const index = buildInvertedIndex(candidates, candidateCount, dim, shared);
  const key = nextIndexKey++;
  const workers = scoringWorkers(threads);
  await Promise.all(workers.map((w) => w.call('index', { key, index }).reply));
  let queries = new Float32Array(shared(0));
  let out = new Float32Array(shared(0));
  return {
    async scores(block, rows) {
      checkQueries(block, rows, dim);
      if (queries.length < rows * dim) queries = new Float32Array(shared(rows * dim * 4));
      if (out.length < rows * candidateCount) out = new Float32Array(shared(rows * candidateCount * 4));
      queries.set(block.subarray(0, rows * dim));
      const share = Math.ceil(rows / workers.length);
      await Promise.all(
        workers.map((w, i) => w.call('score', { key, queries, from: Math.min(rows, i * share), to: Math.min(rows, (i + 1) * share), out }).reply),
      );
      return out.subarray(0, rows * candidateCount);
    },
    async dispose() {
      queries = new Float32Array(shared(0));
      out = new Float32Array(shared(0));
      // A pool that died meanwhile holds no index any more: nothing to drop.
      await Promise.all(workers.map((w) => w.call('drop', { key }).reply.catch(() => undefined)));
    },
  };
};
