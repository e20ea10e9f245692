/** Entry of one Node scoring thread (src/node/sparse-threads.ts): sparse score rows against the indexes it is handed. */
import { parentPort } from 'node:worker_threads';
import { sparseRowScorer, type SparseRowScorer } from '../core/linalg/sparse-matmul';
import type { ThreadReply, ThreadRequest } from './sparse-threads';

const scorers = new Map<number, SparseRowScorer>();
const port = parentPort!;

port.on('message', (request: ThreadRequest) => {
  let reply: ThreadReply = { id: request.id };
  try {
    if (request.type === 'index') {
      scorers.set(request.key, sparseRowScorer(request.index));
    } else if (request.type === 'drop') {
      scorers.delete(request.key);
    } else {
      const scorer = scorers.get(request.key);
      if (!scorer) throw new Error(`no index ${request.key} to score against`);
      scorer.score(request.queries, request.from, request.to, request.out);
    }
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
