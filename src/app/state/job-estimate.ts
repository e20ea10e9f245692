/**
 * The Evaluate cell's estimate of the job it would start (core/job-size.ts): the loaded dataset's
 * counts, the chosen encoder's dimension, where the dimension is known before a run (the lexical
 * encoder's setting, a catalog model, a model loaded in the Encoder cell, embedding files), and the
 * ranking path the lab worker will take (notebookStreams), with the refusal it would give.
 */
import { catalogModel } from '../../core/encoders/catalog';
import { describeEstimate, notebookEvaluation } from '../../core/job-size';
import { modelKey } from '../../core/encoders/model-spec';
import type { EncoderSpec } from '../../../workers/lab/protocol';
import type { AppState } from './app-state';

function knownDimension(encoder: EncoderSpec, model: AppState['model']): number | null {
  switch (encoder.kind) {
    case 'lexical':
      return encoder.dim;
    case 'files':
      return encoder.set?.dim ?? null;
    case 'transformer':
      if (model.status === 'done' && modelKey(model.job.spec) === modelKey(encoder)) return model.result.dim;
      return encoder.source.kind === 'hub' ? (catalogModel(encoder.source.id)?.dim ?? null) : null;
  }
}

export interface JobEstimateView {
  /** "13,090 queries x 13,014 candidates at 384 dimensions: about 174 MB …" */
  text: string;
  /** Why the lab worker would refuse it (core/job-size.ts, browserJobProblem); null when it fits. */
  problem: string | null;
}

/** Null while the dimension is unknown. */
export function jobEstimate(state: AppState): JobEstimateView | null {
  const dim = state.loaded ? knownDimension(state.settings.encoder, state.model) : null;
  if (!state.loaded || dim === null) return null;
  const { queries, candidates } = state.loaded.dataset.summary;
  const { job, problem } = notebookEvaluation(state.settings.ranking, { queries, candidates, dim });
  return { text: describeEstimate(job), problem };
}
