/**
 * The lexical encoder on the scoring pool's threads (`threadedLexicalEncoder`); where memory cannot
 * be shared (no cross-origin isolation), the lab worker encodes alone.
 */
import { createLexicalEncoder, threadedLexicalEncoder, type LexicalOptions } from '../../src/core/encoders/lexical';
import type { SentenceEncoder } from '../../src/core/encoders/types';
import { scoringWorkers, sparseThreads } from './sparse-pool';

export function pooledLexicalEncoder(options: LexicalOptions): { encoder: SentenceEncoder; where: string } {
  const threads = sparseThreads();
  if (threads === 1) return { encoder: createLexicalEncoder(options), where: 'lab worker, 1 thread' };
  const encoder = threadedLexicalEncoder(options, () => {
    const workers = scoringWorkers(threads);
    return {
      count: workers.length,
      async encode(thread, job) {
        await workers[thread].call('encodeLexical', job).reply;
      },
    };
  });
  return { encoder, where: `scoring workers, ${threads} threads` };
}
