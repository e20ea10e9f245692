/**
 * A training run from cached embeddings to the before / after reports: the one pipeline shared by the
 * command line and the browser worker.
 *
 * 1. The split (split.ts) gives training, validation and evaluation sides that share no article.
 * 2. The sampler (sampler.ts) draws batches from the training side only.
 * 3. The trainer (trainer.ts) takes one step per batch on the frozen encoder's cached embeddings.
 * 4. Every `evalEvery` steps the head is scored on the *validation* side (part of the training side,
 *    other articles); the best head by mean(mono, cross, multi mAP) is kept, and training stops after
 *    `patience` checks without improvement (the paper's early stopping). The evaluation side is never
 *    used to choose anything; it is measured before training, after (with the kept head), and, for a
 *    learning curve only, every `heldOutEvery` steps when asked.
 */
import type { ScoreMatmulFactory } from '../linalg/types';
import { buildRetrievalTask, rankAndMeasure } from '../metrics/ranking';
import type { EvalReport, EvalSummary } from '../metrics/types';
import { applyHead, type ProjectionHead } from './head';
import { gatherRows } from './kernels';
import type { BatchMix, LanguageWeighting } from './mix';
import { buildTrainingExamples, createBatchSampler, type SamplerSettings } from './sampler';
import type { DataSplit, DatasetPart } from './split';
import { createCpuTrainer, type HeadSettings, type HeadTrainerFactory } from './trainer';

export interface TrainingConfig {
  mix: BatchMix;
  languageWeighting: LanguageWeighting;
  excludeLanguages: string[];
  /** Train on these languages only (En-En); absent: all not excluded. */
  trainLanguages?: string[];
  batchSize: number;
  /** Maximum number of steps (early stopping may end sooner). */
  steps: number;
  seed: number;
  head: HeadSettings;
  temperature: number;
  learningRate: number;
  weightDecay: number;
  warmupSteps: number;
  /** Validation every this many steps (and at step 0); 0 turns validation and early stopping off. */
  evalEvery: number;
  /** Validation checks without improvement before stopping; 0 never stops early (the best head is still kept). */
  patience: number;
  /** Also measure the evaluation side every this many steps, for a learning curve; 0 = off. */
  heldOutEvery: number;
}

/** Defaults chosen by measurement on XQuAD-R with the lexical encoder: see docs/training.md. */
export const DEFAULT_TRAINING_CONFIG: Readonly<TrainingConfig> = {
  mix: { mono: 0.5, mixed: 0, cross: 0.5 },
  languageWeighting: 'uniform',
  excludeLanguages: [],
  batchSize: 64,
  steps: 300,
  seed: 1,
  head: { kind: 'linear', rank: 64 },
  temperature: 0.05,
  learningRate: 1e-4,
  weightDecay: 0.01,
  warmupSteps: 30,
  evalEvery: 25,
  patience: 4,
  heldOutEvery: 0,
};

/** Cached (frozen-encoder) embeddings of a dataset's queries and candidates, rows in dataset order. */
export interface CachedEmbeddings {
  queries: Float32Array;
  candidates: Float32Array;
}

export interface TrainingInputs {
  split: DataSplit;
  /** Embeddings of split.trainSource. */
  trainEmbeddings: CachedEmbeddings;
  /** Embeddings of split.evaluationSource (the same object for an article split). */
  evaluationEmbeddings: CachedEmbeddings;
  dim: number;
  encoder: string;
}

export type TrainingEvent =
  | { type: 'step'; step: number; loss: number; learningRate?: number }
  | { type: 'validation'; step: number; summary: EvalSummary; score: number; best: boolean }
  | { type: 'held-out'; step: number; summary: EvalSummary }
  | { type: 'phase'; phase: 'before' | 'train' | 'after' };

export interface TrainingRunOptions {
  /** Scoring backend (ortNodeMatmul() in Node, an onnxruntime-web one or jsMatmul in the browser). */
  matmul: ScoreMatmulFactory;
  /** Trainer backend; the CPU trainer by default. */
  trainer?: HeadTrainerFactory;
  onEvent?: (event: TrainingEvent) => void;
  /** Checked between steps; aborting rejects with an AbortError. */
  signal?: AbortSignal;
}

export type MeasuredReport = Omit<EvalReport, 'timings'> & { timings: { encode_s: number; score_s: number } };

export interface TrainingResult {
  /** The evaluation side, frozen encoder. */
  before: MeasuredReport;
  /** The evaluation side, with the kept head. */
  after: MeasuredReport;
  /** One value per step run. */
  loss: number[];
  validation: Array<{ step: number; summary: EvalSummary; score: number }>;
  heldOut: Array<{ step: number; summary: EvalSummary }>;
  /** The step whose head was kept (0 = the untrained head won on validation). */
  bestStep: number;
  stepsRun: number;
  stoppedEarly: boolean;
  head: ProjectionHead;
  trainerBackend: string;
  /** Wall-clock seconds of the optimisation steps alone, and of all validation passes. */
  timings: { train_s: number; steps_per_s: number; validation_s: number };
}

/** mean(mono, cross, multi) mAP: the validation score early stopping maximises. */
export function validationScore(summary: EvalSummary): number {
  return (summary.mono_map + summary.cross_map + summary.multi_map) / 3;
}

export async function trainHead(inputs: TrainingInputs, config: TrainingConfig, options: TrainingRunOptions): Promise<TrainingResult> {
  const { split, dim } = inputs;
  const emit = options.onEvent ?? (() => {});
  const throwIfAborted = () => {
    if (options.signal?.aborted) throw new DOMException('Training was aborted', 'AbortError');
  };
  checkConfig(config);

  emit({ type: 'phase', phase: 'before' });
  const before = await measurePart(split.evaluation, inputs.evaluationEmbeddings, dim, undefined, options.matmul);

  const examples = buildTrainingExamples(split.train);
  const samplerSettings: SamplerSettings = {
    mix: config.mix,
    languageWeighting: config.languageWeighting,
    excludeLanguages: config.excludeLanguages,
    trainLanguages: config.trainLanguages,
    batchSize: config.batchSize,
    seed: config.seed,
  };
  const sampler = createBatchSampler(examples, samplerSettings);
  const trainer = await (options.trainer ?? createCpuTrainer)(
    {
      head: config.head,
      temperature: config.temperature,
      seed: config.seed,
      optimizer: {
        learningRate: config.learningRate,
        weightDecay: config.weightDecay,
        warmupSteps: config.warmupSteps,
        totalSteps: config.steps,
      },
    },
    dim,
    inputs.encoder,
  );

  const loss: number[] = [];
  const validation: TrainingResult['validation'] = [];
  const heldOut: TrainingResult['heldOut'] = [];
  let best = { step: 0, score: -Infinity, head: await trainer.getHead() };
  let sinceBest = 0;
  let stoppedEarly = false;
  let trainSeconds = 0;
  let validationSeconds = 0;
  const useValidation = config.evalEvery > 0 && split.validation.dataset.queries.length > 0;

  const validate = async (step: number): Promise<boolean> => {
    const start = performance.now();
    const head = await trainer.getHead();
    const report = await measurePart(split.validation, inputs.trainEmbeddings, dim, step === 0 ? undefined : head, options.matmul);
    const score = validationScore(report.summary);
    const improved = score > best.score;
    if (improved) {
      best = { step, score, head };
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    validation.push({ step, summary: report.summary, score });
    validationSeconds += (performance.now() - start) / 1000;
    emit({ type: 'validation', step, summary: report.summary, score, best: improved });
    return config.patience > 0 && sinceBest >= config.patience;
  };

  try {
    emit({ type: 'phase', phase: 'train' });
    if (useValidation) await validate(0);
    const buffer = new Float32Array(2 * config.batchSize * dim);
    for (let step = 1; step <= config.steps; step++) {
      throwIfAborted();
      const batch = sampler.next();
      const n = batch.size;
      const x = buffer.subarray(0, 2 * n * dim);
      gatherRows(inputs.trainEmbeddings.queries, dim, batch.queryRows, x, 0);
      gatherRows(inputs.trainEmbeddings.candidates, dim, batch.answerRows, x, n);
      const start = performance.now();
      const value = await trainer.step(x, n);
      trainSeconds += (performance.now() - start) / 1000;
      if (!Number.isFinite(value)) throw new Error(`Training diverged at step ${step} (loss ${value}); try a lower learning rate`);
      loss.push(value);
      emit({ type: 'step', step, loss: value });
      if (config.heldOutEvery > 0 && step % config.heldOutEvery === 0) {
        const report = await measurePart(split.evaluation, inputs.evaluationEmbeddings, dim, await trainer.getHead(), options.matmul);
        heldOut.push({ step, summary: report.summary });
        emit({ type: 'held-out', step, summary: report.summary });
      }
      if (useValidation && (step % config.evalEvery === 0 || step === config.steps)) {
        if (await validate(step)) {
          stoppedEarly = step < config.steps;
          break;
        }
      }
      // Give progress messages and abort requests a turn between steps.
      if (step % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (!useValidation) best = { step: loss.length, score: NaN, head: await trainer.getHead() };
  } finally {
    await trainer.dispose();
  }

  emit({ type: 'phase', phase: 'after' });
  const after = await measurePart(split.evaluation, inputs.evaluationEmbeddings, dim, best.step === 0 ? undefined : best.head, options.matmul);
  return {
    before,
    after,
    loss,
    validation,
    heldOut,
    bestStep: best.step,
    stepsRun: loss.length,
    stoppedEarly,
    head: best.head,
    trainerBackend: trainer.backend,
    timings: { train_s: trainSeconds, steps_per_s: loss.length / Math.max(trainSeconds, 1e-9), validation_s: validationSeconds },
  };
}

/**
 * Scores one side of a split: its rows of the cached embeddings, through the head when there is one
 * (then L2-normalised), ranked and measured exactly as an evaluation. `encode_s` is the time spent
 * applying the head (0 without one); `score_s` the scoring and metrics.
 */
export async function measurePart(
  part: DatasetPart,
  embeddings: CachedEmbeddings,
  dim: number,
  head: ProjectionHead | undefined,
  matmul: ScoreMatmulFactory,
): Promise<MeasuredReport> {
  const start = performance.now();
  let queries = gather(embeddings.queries, dim, part.queryRows);
  let candidates = gather(embeddings.candidates, dim, part.candidateRows);
  if (head) {
    queries = await applyHead(head, queries, part.queryRows.length, { matmul });
    candidates = await applyHead(head, candidates, part.candidateRows.length, { matmul });
  }
  const projected = performance.now();
  const report = await rankAndMeasure(buildRetrievalTask(part.dataset), queries, candidates, dim, { matmul });
  return { ...report, timings: { encode_s: head ? (projected - start) / 1000 : 0, score_s: (performance.now() - projected) / 1000 } };
}

function gather(source: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  gatherRows(source, dim, rows, out);
  return out;
}

function checkConfig(c: TrainingConfig): void {
  const positiveInt = (name: string, v: number, min = 1) => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`Training: ${name} must be an integer of at least ${min}, got ${v}`);
  };
  positiveInt('steps', c.steps);
  positiveInt('batch size', c.batchSize, 2);
  positiveInt('evalEvery', c.evalEvery, 0);
  positiveInt('patience', c.patience, 0);
  positiveInt('heldOutEvery', c.heldOutEvery, 0);
  positiveInt('warm-up steps', c.warmupSteps, 0);
  if (!(c.temperature > 0)) throw new RangeError(`Training: temperature must be positive, got ${c.temperature}`);
  if (!(c.learningRate > 0)) throw new RangeError(`Training: learning rate must be positive, got ${c.learningRate}`);
  if (!(c.weightDecay >= 0)) throw new RangeError(`Training: weight decay must be non-negative, got ${c.weightDecay}`);
}
