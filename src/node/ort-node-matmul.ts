import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { ortMatmul } from '../core/linalg/ort-matmul';
import type { ScoreMatmulFactory } from '../core/linalg/types';

/** The onnxruntime-node scoring backend (CPU), one intra-op thread per available core by default. */
export function ortNodeMatmul(options: { threads?: number } = {}): ScoreMatmulFactory {
  return ortMatmul(ort, { executionProviders: ['cpu'], threads: options.threads ?? os.availableParallelism() });
}
