/// <reference lib="webworker" />
/** Entry of a scoring worker: sparse score rows against the index the lab worker shares, or encode texts lexically (protocol.ts). */
import { encodeLexicalRows } from '../../src/core/encoders/lexical';
import { sparseRowScorer, type SparseRowScorer } from '../../src/core/linalg/sparse-matmul';
import { serve } from '../rpc';
import type { ScoringProtocol } from './protocol';

const scorers = new Map<number, SparseRowScorer>();

serve<ScoringProtocol>(self as unknown as DedicatedWorkerGlobalScope, (post) => ({
  async run(command) {
    if (command.type === 'index') {
      scorers.set(command.key, sparseRowScorer(command.index));
      post({ type: 'indexed', id: command.id });
    } else if (command.type === 'encodeLexical') {
      encodeLexicalRows(command.texts, command.options, command.out.subarray(command.row * command.options.dim));
      post({ type: 'encoded', id: command.id });
    } else if (command.type === 'drop') {
      scorers.delete(command.key);
      post({ type: 'dropped', id: command.id });
    } else {
      const scorer = scorers.get(command.key);
      if (!scorer) throw new Error(`Scoring worker: no index ${command.key} to score against`);
      scorer.score(command.queries, command.from, command.to, command.out);
      post({ type: 'scored', id: command.id });
    }
  },
}));
