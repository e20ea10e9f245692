/** Entry of one Node scoring thread (src/node/sparse-threads.ts): sparse score rows against the indexes it is handed. */
import { parentPort } from 'node:worker_threads';
import { scoreSparseRows, type InvertedIndex } from '../core/linalg/sparse-matmul';
import type { ThreadReply, ThreadRequest } from './sparse-threads';

const indexes = new Map<number, { index: InvertedIndex; sums: Float64Array }>();
const port = parentPort!;

port.on('message', (request: ThreadRequest) => {
  let reply: ThreadReply = { id: request.id };
  try {
    if (request.type === 'index') {
      indexes.set(request.key, { index: request.index, sums: new Float64Array(request.index.candidateCount) });
    } else if (request.type === 'drop') {
      indexes.delete(request.key);
    } else {
      const held = indexes.get(request.key);
      if (!held) throw new Error(`no index ${request.key} to score against`);
      scoreSparseRows(held.index, request.queries, request.from, request.to, request.out, held.sums);
    }
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
