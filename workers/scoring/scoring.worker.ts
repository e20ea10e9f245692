/// <reference lib="webworker" />
/** Entry of a scoring worker: sparse score rows against the index the lab worker shares, or encode texts lexically (protocol.ts). */
import { encodeLexicalRows } from '../../src/core/encoders/lexical';
import { scoreSparseRows, type InvertedIndex } from '../../src/core/linalg/sparse-matmul';
import { serve } from '../rpc';
import type { ScoringProtocol } from './protocol';

const indexes = new Map<number, { index: InvertedIndex; sums: Float64Array }>();

serve<ScoringProtocol>(self as unknown as DedicatedWorkerGlobalScope, (post) => ({
  async run(command) {
    if (command.type === 'index') {
      indexes.set(command.key, { index: command.index, sums: new Float64Array(command.index.candidateCount) });
      post({ type: 'indexed', id: command.id });
    } else if (command.type === 'encodeLexical') {
      encodeLexicalRows(command.texts, command.options, command.out.subarray(command.row * command.options.dim));
      post({ type: 'encoded', id: command.id });
    } else if (command.type === 'drop') {
      indexes.delete(command.key);
      post({ type: 'dropped', id: command.id });
    } else {
      const held = indexes.get(command.key);
      if (!held) throw new Error(`Scoring worker: no index ${command.key} to score against`);
      scoreSparseRows(held.index, command.queries, command.from, command.to, command.out, held.sums);
      post({ type: 'scored', id: command.id });
    }
  },
}));
