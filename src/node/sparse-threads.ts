/**
 * The exact sparse scoring kernel on Node worker_threads, for the command line: the browser's
 * scoring pool (workers/lab/sparse-pool.ts) in Node, through the same `threadedSparseMatmul`.
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RowKernelSource } from '../core/linalg/row-kernels';
import { sparseMatmul, threadedSparseMatmul, type SparseScoringThreads } from '../core/linalg/sparse-matmul';
import type { ScoreMatmulFactory } from '../core/linalg/types';

type ThreadJob =
  | { type: 'install'; key: number; source: RowKernelSource }
  | { type: 'score'; key: number; queries: Float32Array; from: number; to: number; out: Float32Array }
  | { type: 'drop'; key: number };
export type ThreadRequest = ThreadJob & { id: number };
export type ThreadReply = { id: number; error?: string };

type Waiting = { resolve: () => void; reject: (error: Error) => void };

interface ScoringThread {
  worker: Worker;
  waiting: Map<number, Waiting>;
}

/** At most this many threads, as in the browser (workers/threads.ts). */
const MAX_THREADS = 8;

/** Scoring threads for this machine: one per available core, at most 8. */
export function nodeSparseThreads(): number {
  return Math.max(1, Math.min(os.availableParallelism(), MAX_THREADS));
}

/**
 * The entry runs through tsx's loader: Node 20 does not hand the `--import` hooks of the command
 * line (or vitest's transforms) to worker threads, so each thread registers tsx itself.
 */
function startThread(): Worker {
  // tsx's ESM API (its CommonJS build cannot find its own loader from an eval'd worker).
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./sparse-thread.worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(boot, { eval: true, name: 'xling scoring' });
}

let threads: ScoringThread[] | null = null;
let nextRequest = 1;
let pending = 0;

/**
 * The threads, started on first use. They are unref'd while idle, so an idle pool never keeps the
 * command from exiting, and ref'd while a request waits (else Node could exit mid-scoring). A
 * thread that fails ends the pool: its waiting calls reject and the next scoring starts afresh.
 */
function scoringThreads(count: number): ScoringThread[] {
  if (threads) return threads;
  const started: ScoringThread[] = Array.from({ length: count }, () => ({ worker: startThread(), waiting: new Map() }));
  const fail = (error: Error) => {
    for (const thread of started) {
      pending -= thread.waiting.size;
      for (const waiting of thread.waiting.values()) waiting.reject(error);
      thread.waiting.clear();
      void thread.worker.terminate();
    }
    if (threads === started) threads = null;
  };
  for (const thread of started) {
    thread.worker.unref();
    thread.worker.on('message', (reply: ThreadReply) => {
      const waiting = thread.waiting.get(reply.id);
      if (!waiting) return;
      thread.waiting.delete(reply.id);
      if (--pending === 0) for (const t of started) t.worker.unref();
      if (reply.error === undefined) waiting.resolve();
      else waiting.reject(new Error(`A scoring thread failed: ${reply.error}`));
    });
    thread.worker.on('error', (error: Error) => fail(new Error(`A scoring thread stopped: ${error.message}`)));
    thread.worker.on('exit', (code) => fail(new Error(`A scoring thread exited (code ${code})`)));
  }
  threads = started;
  return started;
}

function request(thread: ScoringThread, message: ThreadJob): Promise<void> {
  const id = nextRequest++;
  if (pending++ === 0) for (const t of threads ?? [thread]) t.worker.ref();
  return new Promise((resolve, reject) => {
    thread.waiting.set(id, { resolve, reject });
    thread.worker.postMessage({ ...message, id });
  });
}

function poolOf(count: number): SparseScoringThreads {
  const pool = scoringThreads(count);
  return {
    count: pool.length,
    async install(key, source) {
      await Promise.all(pool.map((thread) => request(thread, { type: 'install', key, source })));
    },
    async score(i, job) {
      await request(pool[i], { type: 'score', ...job });
    },
    async drop(key) {
      await Promise.all(pool.map((thread) => request(thread, { type: 'drop', key }).catch(() => undefined)));
    },
  };
}

/** `sparseMatmul` on `threads` worker threads (default: one per core); the plain kernel on one. */
export function nodeSparseMatmul(options: { threads?: number } = {}): ScoreMatmulFactory {
  const count = options.threads ?? nodeSparseThreads();
  if (count <= 1) return sparseMatmul;
  return threadedSparseMatmul(() => poolOf(count));
}
