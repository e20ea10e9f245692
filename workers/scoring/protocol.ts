/**
 * The lab worker's conversation with each of its scoring workers: `index` hands over an inverted
 * index of the candidates (shared memory, so nothing is copied) under a `key`, `score` a range of
 * query rows of a shared query block against the index of that key into a shared score block, and
 * `drop` lets an index go. Keys keep jobs apart: an evaluation and a training scoring at once each
 * score against their own index. `encodeLexical` encodes texts with the lexical encoder into rows of
 * a shared matrix (the lexical encoder on the pool's threads, workers/lab/lexical-pool.ts).
 */
import type { LexicalOptions } from '../../src/core/encoders/lexical';
import type { InvertedIndex } from '../../src/core/linalg/sparse-matmul';
import type { WireError } from '../rpc';

export type ScoringCommand =
  | { type: 'index'; id: number; key: number; index: InvertedIndex }
  | { type: 'score'; id: number; key: number; queries: Float32Array; from: number; to: number; out: Float32Array }
  | { type: 'drop'; id: number; key: number }
  /** Texts encoded into `out` (shared, zeros) from row `row` on. */
  | { type: 'encodeLexical'; id: number; options: LexicalOptions; texts: string[]; out: Float32Array; row: number }
  | { type: 'cancel'; id: number };

export type ScoringEvent =
  | { type: 'indexed'; id: number }
  | { type: 'scored'; id: number }
  | { type: 'dropped'; id: number }
  | { type: 'encoded'; id: number }
  | { type: 'progress'; id: number; progress: never }
  | { type: 'error'; id: number; error: WireError };

export const SCORING_REPLIES = { index: 'indexed', score: 'scored', drop: 'dropped', encodeLexical: 'encoded' } as const;

export interface ScoringProtocol {
  command: ScoringCommand;
  event: ScoringEvent;
  replies: typeof SCORING_REPLIES;
  progress: { index: never; score: never; drop: never; encodeLexical: never };
  notice: never;
}
