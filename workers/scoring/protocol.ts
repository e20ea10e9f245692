/**
 * The lab worker's conversation with each of its scoring workers: `index` hands over one inverted
 * index of the candidates (shared memory, so nothing is copied), `score` a range of query rows of a
 * shared query block to write into a shared score block.
 */
import type { InvertedIndex } from '../../src/core/linalg/sparse-matmul';
import type { WireError } from '../rpc';

export type ScoringCommand =
  | { type: 'index'; id: number; index: InvertedIndex }
  | { type: 'score'; id: number; queries: Float32Array; from: number; to: number; out: Float32Array }
  | { type: 'cancel'; id: number };

export type ScoringEvent =
  | { type: 'indexed'; id: number }
  | { type: 'scored'; id: number }
  | { type: 'progress'; id: number; progress: never }
  | { type: 'error'; id: number; error: WireError };

export const SCORING_REPLIES = { index: 'indexed', score: 'scored' } as const;

export interface ScoringProtocol {
  command: ScoringCommand;
  event: ScoringEvent;
  replies: typeof SCORING_REPLIES;
  progress: { index: never; score: never };
  notice: never;
}
