/// <reference lib="webworker" />
/** Entry of a scoring worker: rows through the row kernels the lab worker shares (an index to score against, a matrix), or texts encoded lexically (protocol.ts). */
import { encodeLexicalRows } from '../../src/core/encoders/lexical';
import { rowKernel, type RowKernel } from '../../src/core/linalg/row-kernels';
import { serve } from '../rpc';
import type { ScoringProtocol } from './protocol';

const scorers = new Map<number, RowKernel>();

serve<ScoringProtocol>(self as unknown as DedicatedWorkerGlobalScope, (post) => ({
  async run(command) {
    if (command.type === 'install') {
      scorers.set(command.key, rowKernel(command.source));
      post({ type: 'installed', id: command.id });
    } else if (command.type === 'encodeLexical') {
      encodeLexicalRows(command.texts, command.options, command.out.subarray(command.row * command.options.dim));
      post({ type: 'encoded', id: command.id });
    } else if (command.type === 'drop') {
      scorers.delete(command.key);
      post({ type: 'dropped', id: command.id });
    } else {
      const scorer = scorers.get(command.key);
      if (!scorer) throw new Error(`Scoring worker: no kernel ${command.key} to compute with`);
      scorer.score(command.queries, command.from, command.to, command.out);
      post({ type: 'scored', id: command.id });
    }
  },
}));
