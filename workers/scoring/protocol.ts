/**
 * The lab worker's conversation with each of its scoring workers: `install` hands over what a row
 * kernel works against (src/core/linalg/row-kernels.ts: an inverted index of the candidates, or a
 * dense matrix; shared memory, so nothing is copied) under a `key`, `score` a range of rows of a
 * shared block through the kernel of that key into a shared output block, and `drop` lets a kernel
 * go. Keys keep jobs apart: an evaluation and a training scoring at once each use their own. `encodeLexical` encodes texts with the lexical encoder into rows of
 * a shared matrix (the lexical encoder on the pool's threads, workers/lab/lexical-pool.ts).
 */
import type { LexicalOptions } from '../../src/core/encoders/lexical';
import type { RowKernelSource } from '../../src/core/linalg/row-kernels';
import type { WireError } from '../rpc';

export type ScoringCommand =
  | { type: 'install'; id: number; key: number; source: RowKernelSource }
  | { type: 'score'; id: number; key: number; queries: Float32Array; from: number; to: number; out: Float32Array }
  | { type: 'drop'; id: number; key: number }
  /** Texts encoded into `out` (shared, zeros) from row `row` on. */
  | { type: 'encodeLexical'; id: number; options: LexicalOptions; texts: string[]; out: Float32Array; row: number }
  | { type: 'cancel'; id: number };

export type ScoringEvent =
  | { type: 'installed'; id: number }
  | { type: 'scored'; id: number }
  | { type: 'dropped'; id: number }
  | { type: 'encoded'; id: number }
  | { type: 'progress'; id: number; progress: never }
  | { type: 'error'; id: number; error: WireError };

export const SCORING_REPLIES = { install: 'installed', score: 'scored', drop: 'dropped', encodeLexical: 'encoded' } as const;

export interface ScoringProtocol {
  command: ScoringCommand;
  event: ScoringEvent;
  replies: typeof SCORING_REPLIES;
  progress: { install: never; score: never; drop: never; encodeLexical: never };
  notice: never;
}
