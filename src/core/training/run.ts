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
 *    learning curve only, every `heldOutEvery` steps when asked: on a seeded sample of
 *    `heldOutQuestions` of its questions against its whole candidate pools (sampleQuestions), which
 *    estimates the same mAP at a fraction of the cost.
 *
 * A run is a TrainingSession: `run()` goes through the phases and emits typed events; `pause`,
 * `resume`, `step` (one step while paused) and `stop` (end training now, keep the best head so far and
 * measure it) steer it from outside; it keeps its own time (steps alone, checks alone, pauses left
 * out). `trainHead` is a session run to the end.
 */
import type { ScoreMatmulFactory } from '../linalg/types';
import { buildRetrievalTask, rankAndMeasure } from '../metrics/ranking';
import type { EvalReport, EvalSummary } from '../metrics/types';
import { applyHead, type ProjectionHead } from './head';
import { RateMeter } from '../progress';
import { gatherRows } from './kernels';
import type { BatchMix, BatchType, LanguageWeighting } from './mix';
import { buildTrainingExamples, createBatchSampler, type Batch, type SamplerSettings } from './sampler';
import { sampleQuestions, type DataSplit, type DatasetPart } from './split';
import { createCpuTrainer, type HeadSettings, type HeadTrainerFactory, type TrainerSettings } from './trainer';

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
  /** Questions (with all their translations) sampled for each held-out check; 0 = all. */
  heldOutQuestions: number;
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
  heldOutQuestions: 100,
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

/**
 * What a run trains, behind one interface: a projection head on cached embeddings (headModel, below)
 * or the encoder's top layers on cached hidden states (src/core/tuning/layer-model.ts). `P` is a copy
 * of its parameters: what the run keeps as the best so far, and what it measures.
 */
export interface TrainableModel<P> {
  /** e.g. 'cpu', 'webgpu', 'ort-node'. */
  readonly backend: string;
  /** One optimisation step on the batch's pairs (rows of split.trainSource); the loss before the update. */
  step(batch: Batch): Promise<number>;
  /** A copy of the current parameters. */
  snapshot(): Promise<P>;
  /**
   * L2-normalised embeddings of `rows` of the training or evaluation source's queries or candidates,
   * with `params`, or as the untrained starting point (the frozen encoder) when `params` is undefined.
   */
  embed(side: 'train' | 'evaluation', kind: 'queries' | 'candidates', rows: Int32Array, params: P | undefined): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Inputs of a run of any trainable model: the split, the embedding dimension and how to make the model. */
export interface ModelTrainingInputs<P> {
  split: DataSplit;
  dim: number;
  createModel: (settings: TrainerSettings) => Promise<TrainableModel<P>>;
}

export type TrainingEvent =
  | { type: 'phase'; phase: 'before' | 'train' | 'after' }
  /** `stepsPerSecond`: optimisation steps alone; `secondsLeft`: to the last step, checks included. */
  | { type: 'step'; step: number; loss: number; batchType: BatchType; stepsPerSecond: number; secondsLeft: number | null }
  | { type: 'validation'; step: number; summary: EvalSummary; score: number; best: boolean }
  /** A held-out check: `report` on `questions` of the evaluation side's `ofQuestions` questions. */
  | { type: 'held-out'; step: number; report: MeasuredReport; questions: number; ofQuestions: number; seconds: number }
  | { type: 'paused'; paused: boolean };

export interface TrainingRunOptions {
  /** Scoring backend (ortNodeMatmul() in Node, an onnxruntime-web one or jsMatmul in the browser). */
  matmul: ScoreMatmulFactory;
  /** Head trainer backend, for TrainingInputs; the CPU trainer by default. */
  trainer?: HeadTrainerFactory;
  onEvent?: (event: TrainingEvent) => void;
  /** Checked between steps; aborting rejects with an AbortError (nothing is kept: see `stop`). */
  signal?: AbortSignal;
}

export type MeasuredReport = Omit<EvalReport, 'timings'> & { timings: { encode_s: number; score_s: number } };

export interface HeldOutCheck {
  step: number;
  summary: EvalSummary;
  questions: number;
  ofQuestions: number;
  seconds: number;
}

export interface TrainingResult<P = ProjectionHead> {
  /** The evaluation side, frozen encoder. */
  before: MeasuredReport;
  /** The evaluation side, with the kept head. */
  after: MeasuredReport;
  /** One value per step run. */
  loss: number[];
  /** The batch type of each step (its loss is `loss` at the same index): mono batches have an easier loss than cross ones. */
  batchTypes: BatchType[];
  validation: Array<{ step: number; summary: EvalSummary; score: number }>;
  heldOut: HeldOutCheck[];
  /** The step whose head was kept (0 = the untrained head won on validation). */
  bestStep: number;
  stepsRun: number;
  stoppedEarly: boolean;
  /** `stop()` ended training before its last step (the best head so far was kept and measured). */
  stopped: boolean;
  /** The parameters kept: the best on validation (or the last step's, without validation). */
  kept: P;
  trainerBackend: string;
  /**
   * Wall-clock seconds of the optimisation steps alone, of all validation passes and of all held-out
   * checks; pauses count in none of them.
   */
  timings: { train_s: number; steps_per_s: number; validation_s: number; held_out_s: number };
}

/** mean(mono, cross, multi) mAP: the validation score early stopping maximises. */
export function validationScore(summary: EvalSummary): number {
  return (summary.mono_map + summary.cross_map + summary.multi_map) / 3;
}

export function trainHead(inputs: TrainingInputs, config: TrainingConfig, options: TrainingRunOptions): Promise<TrainingResult> {
  return new TrainingSession(inputs, config, options).run();
}

/**
 * A head trained on cached embeddings as a TrainableModel: batches gathered from the embeddings,
 * steps by the HeadTrainer, embeddings = the cached rows, through the head when there is one.
 */
export function headModelInputs(inputs: TrainingInputs, trainer: HeadTrainerFactory, matmul: ScoreMatmulFactory): ModelTrainingInputs<ProjectionHead> {
  const { split, dim } = inputs;
  return {
    split,
    dim,
    async createModel(settings) {
      const head = await trainer(settings, dim, inputs.encoder);
      let buffer = new Float32Array(0);
      const source = (side: 'train' | 'evaluation') => (side === 'train' ? inputs.trainEmbeddings : inputs.evaluationEmbeddings);
      return {
        backend: head.backend,
        async step(batch) {
          const n = batch.size;
          if (buffer.length < 2 * n * dim) buffer = new Float32Array(2 * n * dim);
          const x = buffer.subarray(0, 2 * n * dim);
          gatherRows(inputs.trainEmbeddings.queries, dim, batch.queryRows, x, 0);
          gatherRows(inputs.trainEmbeddings.candidates, dim, batch.answerRows, x, n);
          return head.step(x, n);
        },
        snapshot: () => head.getHead(),
        async embed(side, kind, rows, params) {
          const rowsOf = gather(source(side)[kind], dim, rows);
          return params ? applyHead(params, rowsOf, rows.length, { matmul }) : rowsOf;
        },
        dispose: () => head.dispose(),
      };
    },
  };
}

/** One training run, steerable while it runs. */
export class TrainingSession<P = ProjectionHead> {
  private paused = false;
  private stepCredits = 0;
  private stopRequested = false;
  private wake: (() => void) | null = null;
  private readonly emit: (event: TrainingEvent) => void;

  private readonly inputs: ModelTrainingInputs<P>;

  /** A head run (TrainingInputs, with options.trainer) or a run of any model (ModelTrainingInputs). */
  constructor(
    inputs: TrainingInputs | ModelTrainingInputs<P>,
    private readonly config: TrainingConfig,
    private readonly options: TrainingRunOptions,
  ) {
    checkConfig(config);
    this.inputs = 'createModel' in inputs
      ? inputs
      : (headModelInputs(inputs, options.trainer ?? createCpuTrainer, options.matmul) as unknown as ModelTrainingInputs<P>);
    this.emit = options.onEvent ?? (() => {});
    options.signal?.addEventListener('abort', () => this.release());
  }

  pause(): void {
    this.setPaused(true);
  }

  resume(): void {
    this.setPaused(false);
  }

  /** While paused: let exactly one more step run. */
  step(): void {
    this.stepCredits++;
    this.release();
  }

  /** Ends training after the current step; the run still keeps the best head and measures it. */
  stop(): void {
    this.stopRequested = true;
    this.release();
  }

  async run(): Promise<TrainingResult<P>> {
    const { inputs, config, options, emit } = this;
    const { split, dim } = inputs;
    const model = await inputs.createModel({
      head: config.head,
      temperature: config.temperature,
      seed: config.seed,
      optimizer: { learningRate: config.learningRate, weightDecay: config.weightDecay, warmupSteps: config.warmupSteps, totalSteps: config.steps },
    });
    /** Scores a part with `params` (undefined: the frozen encoder), its rows embedded by the model. */
    const measure = (part: DatasetPart, side: 'train' | 'evaluation', params: P | undefined) =>
      measureEmbedded(part, dim, (kind, rows) => model.embed(side, kind, rows, params), params !== undefined, options.matmul);

    const loss: number[] = [];
    const batchTypes: BatchType[] = [];
    const validation: TrainingResult['validation'] = [];
    const heldOut: HeldOutCheck[] = [];
    const heldOutPart = config.heldOutEvery > 0 ? sampleQuestions(split.evaluation, config.heldOutQuestions, config.seed) : null;
    const ofQuestions = new Set(split.evaluation.dataset.queries.map((q) => q.id)).size;
    let best = { step: 0, score: -Infinity, params: undefined as P | undefined };
    let validatedStep = -1;
    let sinceBest = 0;
    let stoppedEarly = false;
    const time = { train: 0, validation: 0, heldOut: 0 };
    const pace = new RateMeter(0);
    const useValidation = config.evalEvery > 0 && split.validation.dataset.queries.length > 0;

    /** Returns true when early stopping says to stop. */
    const validate = async (step: number): Promise<boolean> => {
      const start = performance.now();
      const params = await model.snapshot();
      const report = await measure(split.validation, 'train', step === 0 ? undefined : params);
      const score = validationScore(report.summary);
      const improved = score > best.score;
      if (improved) {
        best = { step, score, params };
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      validatedStep = step;
      validation.push({ step, summary: report.summary, score });
      time.validation += (performance.now() - start) / 1000;
      emit({ type: 'validation', step, summary: report.summary, score, best: improved });
      return config.patience > 0 && sinceBest >= config.patience;
    };

    const checkHeldOut = async (step: number, part: DatasetPart): Promise<void> => {
      const start = performance.now();
      const report = await measure(part, 'evaluation', await model.snapshot());
      const seconds = (performance.now() - start) / 1000;
      time.heldOut += seconds;
      const questions = new Set(part.dataset.queries.map((q) => q.id)).size;
      heldOut.push({ step, summary: report.summary, questions, ofQuestions, seconds });
      emit({ type: 'held-out', step, report, questions, ofQuestions, seconds });
    };

    let before: MeasuredReport;
    let kept: P;
    try {
      emit({ type: 'phase', phase: 'before' });
      before = await measure(split.evaluation, 'evaluation', undefined);
      const sampler = createBatchSampler(buildTrainingExamples(split.train), samplerSettingsOf(config));
      best.params = await model.snapshot();

      emit({ type: 'phase', phase: 'train' });
      if (useValidation) await validate(0);
      for (let step = 1; step <= config.steps; step++) {
        pace.skip(await this.gate());
        this.throwIfAborted();
        if (this.stopRequested) break;
        const batch = sampler.next();
        const start = performance.now();
        const value = await model.step(batch);
        time.train += (performance.now() - start) / 1000;
        if (!Number.isFinite(value)) throw new Error(`Training diverged at step ${step} (loss ${value}); try a lower learning rate`);
        loss.push(value);
        batchTypes.push(batch.type);
        const left = pace.update('train', step, config.steps, performance.now());
        emit({ type: 'step', step, loss: value, batchType: batch.type, stepsPerSecond: step / Math.max(time.train, 1e-9), secondsLeft: left.secondsLeft });
        if (heldOutPart && step % config.heldOutEvery === 0) await checkHeldOut(step, heldOutPart);
        if (useValidation && (step % config.evalEvery === 0 || step === config.steps)) {
          if (await validate(step)) {
            stoppedEarly = step < config.steps;
            break;
          }
        }
        // Give progress messages and control requests a turn between steps.
        if (step % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      // A stop between checks: the parameters of the last step compete too.
      if (useValidation && this.stopRequested && loss.length > 0 && validatedStep !== loss.length) await validate(loss.length);
      if (!useValidation) best = { step: loss.length, score: NaN, params: await model.snapshot() };
      kept = best.params as P;

      emit({ type: 'phase', phase: 'after' });
      const after = await measure(split.evaluation, 'evaluation', best.step === 0 ? undefined : kept);
      return {
        before,
        after,
        loss,
        batchTypes,
        validation,
        heldOut,
        bestStep: best.step,
        stepsRun: loss.length,
        stoppedEarly,
        stopped: this.stopRequested && loss.length < config.steps && !stoppedEarly,
        kept,
        trainerBackend: model.backend,
        timings: {
          train_s: time.train,
          steps_per_s: loss.length / Math.max(time.train, 1e-9),
          validation_s: time.validation,
          held_out_s: time.heldOut,
        },
      };
    } finally {
      await model.dispose();
    }
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.emit({ type: 'paused', paused });
    this.release();
  }

  /** Waits while paused (a step credit lets one step through); returns the milliseconds waited. */
  private async gate(): Promise<number> {
    const start = performance.now();
    while (this.paused && !this.stopRequested && !this.options.signal?.aborted) {
      if (this.stepCredits > 0) {
        this.stepCredits--;
        break;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    return performance.now() - start;
  }

  private release(): void {
    this.wake?.();
    this.wake = null;
  }

  private throwIfAborted(): void {
    if (this.options.signal?.aborted) throw new DOMException('Training was aborted', 'AbortError');
  }
}

function samplerSettingsOf(config: TrainingConfig): SamplerSettings {
  const { mix, languageWeighting, excludeLanguages, trainLanguages, batchSize, seed } = config;
  return { mix, languageWeighting, excludeLanguages, trainLanguages, batchSize, seed };
}

/**
 * Scores one side of a split: its rows of the cached embeddings, through the head when there is one
 * (then L2-normalised), ranked and measured exactly as an evaluation. `encode_s` is the time spent
 * applying the head (0 without one); `score_s` the scoring and metrics.
 */
export function measurePart(
  part: DatasetPart,
  embeddings: CachedEmbeddings,
  dim: number,
  head: ProjectionHead | undefined,
  matmul: ScoreMatmulFactory,
): Promise<MeasuredReport> {
  return measureEmbedded(part, dim, async (kind, rows) => {
    const frozen = gather(embeddings[kind], dim, rows);
    return head ? applyHead(head, frozen, rows.length, { matmul }) : frozen;
  }, head !== undefined, matmul);
}

/**
 * Scores one side of a split from embeddings of its rows (`embed`), ranked and measured exactly as an
 * evaluation. `encode_s` is the time `embed` took when `timed` (a head or tuned layers applied; 0
 * for the frozen encoder's cached rows); `score_s` the scoring and metrics.
 */
export async function measureEmbedded(
  part: DatasetPart,
  dim: number,
  embed: (kind: 'queries' | 'candidates', rows: Int32Array) => Promise<Float32Array>,
  timed: boolean,
  matmul: ScoreMatmulFactory,
): Promise<MeasuredReport> {
  const start = performance.now();
  const queries = await embed('queries', part.queryRows);
  const candidates = await embed('candidates', part.candidateRows);
  const embedded = performance.now();
  const report = await rankAndMeasure(buildRetrievalTask(part.dataset), queries, candidates, dim, { matmul });
  return { ...report, timings: { encode_s: timed ? (embedded - start) / 1000 : 0, score_s: (performance.now() - embedded) / 1000 } };
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
  positiveInt('heldOutQuestions', c.heldOutQuestions, 0);
  positiveInt('warm-up steps', c.warmupSteps, 0);
  if (!(c.temperature > 0)) throw new RangeError(`Training: temperature must be positive, got ${c.temperature}`);
  if (!(c.learningRate > 0)) throw new RangeError(`Training: learning rate must be positive, got ${c.learningRate}`);
  if (!(c.weightDecay >= 0)) throw new RangeError(`Training: weight decay must be non-negative, got ${c.weightDecay}`);
}
