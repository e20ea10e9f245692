/// <reference lib="webworker" />
/** Entry of a scoring worker: sparse score rows against the index the lab worker shares (protocol.ts). */
import { scoreSparseRows, type InvertedIndex } from '../../src/core/linalg/sparse-matmul';
import { serveCommands } from '../rpc';
import type { ScoringCommand, ScoringEvent } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: ScoringEvent) => scope.postMessage(event);
let index: { index: InvertedIndex; sums: Float64Array } | null = null;

const serve = serveCommands<ScoringCommand>(async (command) => {
  if (command.type === 'index') {
    index = { index: command.index, sums: new Float64Array(command.index.candidateCount) };
    post({ type: 'indexed', id: command.id });
  } else {
    if (!index) throw new Error('Scoring worker: score before index');
    scoreSparseRows(index.index, command.queries, command.from, command.to, command.out, index.sums);
    post({ type: 'scored', id: command.id });
  }
}, (id, error) => post({ type: 'error', id, error }));
scope.onmessage = (message: MessageEvent<ScoringCommand>) => serve(message.data);
