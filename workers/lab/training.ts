/**
 * The lab worker's training side: the frozen encoder's embeddings cached per dataset and encoder
 * settings (so a preview, a training run or a second run never re-encodes), the Batch Mix preview,
 * and training runs that can be paused, stepped and stopped.
 */
import { candidateTexts, type CandidateTextMode } from '../../src/core/dataset/texts';
import type { Dataset } from '../../src/core/dataset/types';
import type { EvalEmbeddings } from '../../src/core/evaluate';
import {
  buildTrainingExamples,
  createCpuTrainer,
  describeBatch,
  measurePart,
  mixStatistics,
  parseHead,
  requestWebGpuDevice,
  sampleBatches,
  serializeHead,
  splitByArticles,
  trainHead,
  webgpuTrainer,
  type DataSplit,
  type HeadTrainer,
  type HeadTrainerFactory,
  type SamplerSettings,
  type TrainingConfig,
  type WgGpu,
} from '../../src/core/training';
import {
  PREVIEW_BATCHES,
  PREVIEW_PAIRS,
  STATISTICS_BATCHES,
  type EncoderSpec,
  type HeadEvaluation,
  type MixPreview,
  type SplitChoice,
  type TrainingControl,
  type TrainingOutcome,
  type TrainingProgress,
  type TrainingRequest,
} from './protocol';
import type { LabEncoders } from './encoders';
import { scoringBackend } from './scoring-backend';

interface CachedEncoding {
  dataset: Dataset;
  key: string;
  embeddings: EvalEmbeddings;
  encoderId: string;
}

/** Identifies the embeddings of one encoder configuration and candidate text. */
export function encodingKey(encoder: EncoderSpec, candidateText: CandidateTextMode): string {
  return JSON.stringify({ encoder, candidateText });
}

/** Holds at most one split (the last asked for) and one encoding per dataset. */
export class TrainingLab {
  private encoding: CachedEncoding | null = null;
  private split: { dataset: Dataset; key: string; split: DataSplit } | null = null;
  /** Pause gates of running trainings, by command id. */
  private readonly gates = new Map<number, PauseGate>();

  constructor(private readonly encoders: LabEncoders) {}

  /** Keeps an evaluation's embeddings, so training on the same settings needs no encoding. */
  rememberEncoding(dataset: Dataset, encoder: EncoderSpec, candidateText: CandidateTextMode, embeddings: EvalEmbeddings, encoderId: string): void {
    this.encoding = { dataset, key: encodingKey(encoder, candidateText), embeddings, encoderId };
  }

  preview(dataset: Dataset, choice: SplitChoice, config: TrainingConfig): MixPreview {
    const split = this.splitOf(dataset, choice);
    const examples = buildTrainingExamples(split.train);
    const settings = samplerSettings(config);
    const source = split.trainSource;
    const batches = sampleBatches(examples, settings, PREVIEW_BATCHES).map((batch) => {
      const described = describeBatch(batch, examples, source);
      return { type: described.type, size: batch.size, pairs: described.pairs.slice(0, PREVIEW_PAIRS) };
    });
    return { split: split.record, batches, statistics: mixStatistics(examples, settings, STATISTICS_BATCHES) };
  }

  async train(
    dataset: Dataset,
    request: TrainingRequest,
    id: number,
    signal: AbortSignal,
    report: (progress: TrainingProgress) => void,
  ): Promise<{ outcome: TrainingOutcome; head: string }> {
    const encoding = await this.encodingOf(dataset, request.encoder, request.candidateText, signal, report);
    const split = this.splitOf(dataset, request.split);
    const [scoring, trainer] = await Promise.all([scoringBackend(request.scoring), chooseTrainer()]);
    report({ type: 'backend', trainer: trainer.name, scoring: scoring.name });
    const gate = new PauseGate(signal, (paused) => report({ type: 'paused', paused }));
    this.gates.set(id, gate);
    const embeddings = { queries: encoding.embeddings.queries, candidates: encoding.embeddings.candidates };
    const { dim } = encoding.embeddings;
    // The held-out checks are made here rather than by the core, to send whole reports (for the live heatmap).
    const heldOut: TrainingOutcome['heldOut'] = [];
    const every = request.config.heldOutEvery;
    const measureHeldOut = async (step: number, trainer: HeadTrainer) => {
      if (every === 0 || step % every !== 0) return;
      const measured = await measurePart(split.evaluation, embeddings, dim, await trainer.getHead(), scoring.matmul);
      heldOut.push({ step, summary: measured.summary });
      report({ type: 'held-out', step, summary: measured.summary, report: measured });
    };
    const observed = observedTrainer(trainer.factory, { beforeStep: () => gate.pass(), afterStep: measureHeldOut });
    try {
      const { head, heldOut: _coreHeldOut, ...result } = await trainHead(
        { split, trainEmbeddings: embeddings, evaluationEmbeddings: embeddings, dim, encoder: encoding.encoderId },
        { ...request.config, heldOutEvery: 0 },
        {
          matmul: scoring.matmul,
          trainer: observed.factory,
          signal,
          onEvent: (event) => {
            if (event.type !== 'held-out') report(event);
          },
        },
      );
      // The core times whole steps: pauses and held-out checks are not training time.
      const trainSeconds = Math.max(0, result.timings.train_s - observed.hookSeconds());
      const timings = { ...result.timings, train_s: trainSeconds, steps_per_s: result.stepsRun / Math.max(trainSeconds, 1e-9) };
      return { outcome: { ...result, timings, heldOut, split: split.record, scoringBackend: scoring.name }, head: serializeHead(head) };
    } finally {
      this.gates.delete(id);
    }
  }

  /** Reads an exported head and measures it on the evaluation side of the split, against the frozen encoder. */
  async evaluateHead(
    dataset: Dataset,
    text: string,
    request: Omit<TrainingRequest, 'config'>,
    signal: AbortSignal,
    report: (progress: TrainingProgress) => void,
  ): Promise<HeadEvaluation> {
    const encoding = await this.encodingOf(dataset, request.encoder, request.candidateText, signal, report);
    const { dim } = encoding.embeddings;
    const head = parseHead(text, { dim, encoder: encoding.encoderId });
    const split = this.splitOf(dataset, request.split);
    const scoring = await scoringBackend(request.scoring);
    const embeddings = { queries: encoding.embeddings.queries, candidates: encoding.embeddings.candidates };
    report({ type: 'phase', phase: 'before' });
    const before = await measurePart(split.evaluation, embeddings, dim, undefined, scoring.matmul);
    report({ type: 'phase', phase: 'after' });
    const after = await measurePart(split.evaluation, embeddings, dim, head, scoring.matmul);
    return { before, after, split: split.record, head: { kind: head.kind, dim: head.dim, rank: head.rank, encoder: head.encoder }, scoringBackend: scoring.name };
  }

  control(id: number, control: TrainingControl): void {
    this.gates.get(id)?.control(control);
  }

  private splitOf(dataset: Dataset, choice: SplitChoice): DataSplit {
    const key = JSON.stringify(choice);
    if (this.split?.dataset !== dataset || this.split.key !== key) {
      this.split = { dataset, key, split: splitByArticles(dataset, choice) };
    }
    return this.split.split;
  }

  private async encodingOf(
    dataset: Dataset,
    encoderSpec: EncoderSpec,
    candidateText: CandidateTextMode,
    signal: AbortSignal,
    report: (progress: TrainingProgress) => void,
  ): Promise<CachedEncoding> {
    const key = encodingKey(encoderSpec, candidateText);
    if (this.encoding?.dataset === dataset && this.encoding.key === key) return this.encoding;
    const { encoder } = await this.encoders.open(encoderSpec, signal, (done, total) => report({ type: 'download-model', done, total }));
    const texts = candidateTexts(dataset, candidateText);
    const total = dataset.queries.length + texts.length;
    const queries = await encoder.encode(dataset.queries.map((q) => q.text), 'query', {
      signal,
      onProgress: (done) => report({ type: 'encode', done, total }),
    });
    const candidates = await encoder.encode(texts, 'passage', {
      signal,
      onProgress: (done) => report({ type: 'encode', done: dataset.queries.length + done, total }),
    });
    this.encoding = { dataset, key, embeddings: { queries, candidates, dim: encoder.dim }, encoderId: encoder.id };
    return this.encoding;
  }
}

function samplerSettings(config: TrainingConfig): SamplerSettings {
  const { mix, languageWeighting, excludeLanguages, trainLanguages, batchSize, seed } = config;
  return { mix, languageWeighting, excludeLanguages, trainLanguages, batchSize, seed };
}

/** WebGPU where `navigator.gpu` gives an adapter, else the CPU trainer. */
async function chooseTrainer(): Promise<{ name: string; factory: HeadTrainerFactory }> {
  const gpu = (navigator as Navigator & { gpu?: WgGpu }).gpu;
  if (gpu) {
    try {
      return { name: 'WebGPU', factory: webgpuTrainer(await requestWebGpuDevice(gpu)) };
    } catch (error) {
      return { name: `CPU (WebGPU unavailable: ${error instanceof Error ? error.message : String(error)})`, factory: createCpuTrainer };
    }
  }
  return { name: 'CPU (no WebGPU in this browser)', factory: createCpuTrainer };
}

/**
 * A trainer whose every step waits for `beforeStep` and is followed by `afterStep` (1-based step
 * count); `hookSeconds` is the time spent in the hooks, to take out of the step timings.
 */
function observedTrainer(
  factory: HeadTrainerFactory,
  hooks: { beforeStep(): Promise<void>; afterStep(step: number, trainer: HeadTrainer): Promise<void> },
): { factory: HeadTrainerFactory; hookSeconds(): number } {
  let hookSeconds = 0;
  const timed = async (hook: () => Promise<void>) => {
    const start = performance.now();
    await hook();
    hookSeconds += (performance.now() - start) / 1000;
  };
  return {
    hookSeconds: () => hookSeconds,
    factory: async (settings, dim, encoder) => {
      const trainer = await factory(settings, dim, encoder);
      let steps = 0;
      return {
        backend: trainer.backend,
        step: async (inputs, n) => {
          await timed(() => hooks.beforeStep());
          const loss = await trainer.step(inputs, n);
          const step = ++steps;
          await timed(() => hooks.afterStep(step, trainer));
          return loss;
        },
        getHead: () => trainer.getHead(),
        setHead: (head) => trainer.setHead(head),
        dispose: () => trainer.dispose(),
      };
    },
  };
}

/**
 * Holds a trainer's steps while paused: `step` lets exactly one through, `resume` all. An abort
 * releases a held step so that training can end.
 */
class PauseGate {
  private paused = false;
  private credits = 0;
  private release: (() => void) | null = null;

  constructor(
    private readonly signal: AbortSignal,
    private readonly onChange: (paused: boolean) => void,
  ) {
    signal.addEventListener('abort', () => this.open());
  }

  control(control: TrainingControl): void {
    if (control === 'step') {
      this.credits++;
    } else {
      this.paused = control === 'pause';
      this.onChange(this.paused);
    }
    this.open();
  }

  /** Resolves when the next step may run. */
  async pass(): Promise<void> {
    while (this.paused && !this.signal.aborted) {
      if (this.credits > 0) {
        this.credits--;
        return;
      }
      await new Promise<void>((resolve) => {
        this.release = resolve;
      });
    }
  }

  private open(): void {
    this.release?.();
    this.release = null;
  }
}
