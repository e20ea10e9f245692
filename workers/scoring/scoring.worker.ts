/// <reference lib="webworker" />
/** Entry of a scoring worker: sparse score rows against the index the lab worker shares (protocol.ts). */
import { scoreSparseRows, type InvertedIndex } from '../../src/core/linalg/sparse-matmul';
import { serve } from '../rpc';
import type { ScoringProtocol } from './protocol';

let index: { index: InvertedIndex; sums: Float64Array } | null = null;

serve<ScoringProtocol>(self as unknown as DedicatedWorkerGlobalScope, (post) => ({
  async run(command) {
    if (command.type === 'index') {
      index = { index: command.index, sums: new Float64Array(command.index.candidateCount) };
      post({ type: 'indexed', id: command.id });
    } else {
      if (!index) throw new Error('Scoring worker: score before index');
      scoreSparseRows(index.index, command.queries, command.from, command.to, command.out, index.sums);
      post({ type: 'scored', id: command.id });
    }
  },
}));
