/** Entry of one Node scoring thread (src/node/sparse-threads.ts): rows through the row kernels it is handed (an index to score against, a matrix). */
import { parentPort } from 'node:worker_threads';
import { rowKernel, type RowKernel } from '../core/linalg/row-kernels';
import type { ThreadReply, ThreadRequest } from './sparse-threads';

const scorers = new Map<number, RowKernel>();
const port = parentPort!;

port.on('message', (request: ThreadRequest) => {
  let reply: ThreadReply = { id: request.id };
  try {
    if (request.type === 'install') {
      scorers.set(request.key, rowKernel(request.source));
    } else if (request.type === 'drop') {
      scorers.delete(request.key);
    } else {
      const scorer = scorers.get(request.key);
      if (!scorer) throw new Error(`no kernel ${request.key} to compute with`);
      scorer.score(request.queries, request.from, request.to, request.out);
    }
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
