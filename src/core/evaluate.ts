import type { Dataset } from './dataset/types';
import { candidateTexts, type CandidateTextMode } from './dataset/texts';
import type { SentenceEncoder } from './encoders/types';
import type { ScoreMatmulFactory } from './linalg/types';
import { buildRetrievalTask, rankAndMeasure } from './metrics/ranking';
import { streamAndMeasure } from './metrics/streaming';
import type { EvalReport } from './metrics/types';

/** What an evaluation is doing now, for progress bars. `done`/`total` count texts or queries. */
export interface EvalProgress {
  phase: 'encode-queries' | 'encode-candidates' | 'score';
  done: number;
  total: number;
}

export interface EvaluateOptions {
  matmul: ScoreMatmulFactory;
  candidateText?: CandidateTextMode;
  /** Progress of the `score` phase counts queries, or candidates when streaming. */
  onProgress?: (progress: EvalProgress) => void;
  signal?: AbortSignal;
  /**
   * Score block by block against the candidates (metrics/streaming.ts): the same report, memory
   * for queries + one block. The command line streams where that pays (job-size.ts, streamingPays),
   * the notebook beyond its job limit or by choice (notebookStreams).
   */
  streaming?: boolean;
  /** Candidates per streamed block (metrics/streaming.ts, DEFAULT_CANDIDATE_BLOCK when absent). */
  candidateBlock?: number;
}

/** The embeddings an evaluation produced, row order = dataset.queries / dataset.candidates. */
export interface EvalEmbeddings {
  queries: Float32Array;
  candidates: Float32Array;
  dim: number;
}

/**
 * Encodes a dataset's queries and candidates, then scores and measures them: the one pipeline
 * shared by the browser worker and the command line. `encode_s` covers both encodings, `score_s`
 * the scoring and metrics from ready embeddings (design.md).
 */
export async function evaluateDataset(
  dataset: Dataset,
  encoder: SentenceEncoder,
  options: EvaluateOptions,
): Promise<{ report: EvalReport; embeddings: EvalEmbeddings }> {
  const { onProgress, signal } = options;
  const encodeStart = performance.now();
  const queries = await encoder.encode(
    dataset.queries.map((q) => q.text),
    'query',
    { signal, onProgress: (done, total) => onProgress?.({ phase: 'encode-queries', done, total }) },
  );
  const candidates = await encoder.encode(
    candidateTexts(dataset, options.candidateText ?? 'sentence'),
    'passage',
    { signal, onProgress: (done, total) => onProgress?.({ phase: 'encode-candidates', done, total }) },
  );
  const encodeSeconds = (performance.now() - encodeStart) / 1000;

  const scoreStart = performance.now();
  const measure = options.streaming ? streamAndMeasure : rankAndMeasure;
  const measured = await measure(buildRetrievalTask(dataset), queries, candidates, encoder.dim, {
    matmul: options.matmul,
    candidateBlock: options.candidateBlock,
    signal,
    onProgress: (done, total) => onProgress?.({ phase: 'score', done, total }),
  });
  const scoreSeconds = (performance.now() - scoreStart) / 1000;

  return {
    report: { ...measured, timings: { encode_s: encodeSeconds, score_s: scoreSeconds } },
    embeddings: { queries, candidates, dim: encoder.dim },
  };
}
