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
  deviceOfAdapter,
  sampleBatches,
  serializeHead,
  splitByArticles,
  TrainingSession,
  webgpuTrainer,
  type DataSplit,
  type HeadTrainerFactory,
  type SamplerSettings,
  type TrainingConfig,
  type WgAdapter,
} from '../../src/core/training';
import type { GpuChoice } from '../../src/core/devices';
import { RateMeter } from '../../src/core/progress';
import { chooseGpu } from '../webgpu';
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
import { layerEngine, layerInputsKey, prepareLayerTuning, type LayerTuningInputs } from './layer-tuning';
import type { LayerWeights } from '../../src/core/tuning/layer';
import { layerModelInputs } from '../../src/core/tuning/layer-model';
import { layerTuningPlan, layerTuningProblem } from '../../src/core/tuning/plan';

export interface CachedEncoding {
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
  /** The hidden states and starting weights of the last layer run's dataset, model and K. */
  private layerInputs: { dataset: Dataset; inputs: LayerTuningInputs } | null = null;
  /** Running trainings, by command id, for pause / step / stop. */
  private readonly sessions = new Map<number, Pick<TrainingSession, 'pause' | 'resume' | 'step' | 'stop'>>();

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
  ): Promise<{ outcome: TrainingOutcome; head: string | null; layers?: LayerWeights[] }> {
    if (request.tune?.kind === 'layers') return this.trainLayers(dataset, request, request.tune.layers, id, signal, report);
    const encoding = await this.encodingOf(dataset, request.encoder, request.candidateText, signal, report);
    const split = this.splitOf(dataset, request.split);
    const [scoring, trainer] = await Promise.all([scoringBackend(request.scoring), chooseTrainer(request.device)]);
    const embeddings = { queries: encoding.embeddings.queries, candidates: encoding.embeddings.candidates };
    const session = new TrainingSession(
      { split, trainEmbeddings: embeddings, evaluationEmbeddings: embeddings, dim: encoding.embeddings.dim, encoder: encoding.encoderId },
      request.config,
      {
        matmul: scoring.matmul,
        trainer: trainer.factory,
        signal,
        onEvent: (event) => {
          report(event);
          // The frozen side is scored by now, so the scoring backend's name says what it used.
          if (event.type === 'phase' && event.phase === 'train') report({ type: 'backend', trainer: trainer.name, note: trainer.note, scoring: scoring.name() });
        },
      },
    );
    this.sessions.set(id, session);
    try {
      const { kept: head, ...result } = await session.run();
      return { outcome: { ...result, split: split.record, scoringBackend: scoring.name(), trainerDevice: trainer.name, trainerNote: trainer.note }, head: serializeHead(head) };
    } finally {
      this.sessions.delete(id);
    }
  }

  /**
   * Tunes the encoder's top `layers` layers: the hidden states entering them (kept for the dataset and
   * settings), the top layers' weights from the model file, the same session as a head.
   */
  private async trainLayers(
    dataset: Dataset,
    request: TrainingRequest,
    layers: number,
    id: number,
    signal: AbortSignal,
    report: (progress: TrainingProgress) => void,
  ): Promise<{ outcome: TrainingOutcome; head: null; layers: LayerWeights[] }> {
    const spec = request.encoder;
    if (spec.kind !== 'transformer') throw new Error('Only a transformer encoder has layers to tune: choose one in the Encoder cell, or train a head.');
    const { info } = await this.encoders.open(spec, signal, (done, total) => report({ type: 'download-model', done, total }));
    const texts = dataset.queries.length + dataset.candidates.length;
    const problem = info?.architecture ? layerTuningProblem(info.architecture, layerTuningPlan(info.architecture, layers, texts)) : null;
    if (problem) throw new Error(problem);
    const key = layerInputsKey(spec, layers, request.candidateText);
    if (this.layerInputs?.dataset !== dataset || this.layerInputs.inputs.key !== key) {
      this.layerInputs = null;
      const inputs = await prepareLayerTuning(spec, layers, dataset, request.candidateText, (t, role, s) => this.encoders.tokenize(spec, t, role, s), signal, report);
      this.layerInputs = { dataset, inputs };
    }
    const { inputs } = this.layerInputs;
    const split = this.splitOf(dataset, request.split);
    const scoring = await scoringBackend(request.scoring);
    const { engine, note } = await layerEngine(inputs.layers.shape, request.device, inputs.initial);
    const cached = `${inputs.tokens.toLocaleString('en')} tokens of hidden states cached.`;
    const session = new TrainingSession<LayerWeights[]>(
      layerModelInputs(split, { engine, initial: inputs.initial, pooling: spec.pooling, trainStates: inputs.states, evaluationStates: inputs.states }),
      request.config,
      {
        matmul: scoring.matmul,
        signal,
        onEvent: (event) => {
          report(event);
          if (event.type === 'phase' && event.phase === 'train') {
            report({ type: 'backend', trainer: engine.backend, note: note ? `${note} ${cached}` : cached, scoring: scoring.name() });
          }
        },
      },
    );
    this.sessions.set(id, session);
    try {
      const { kept, ...result } = await session.run();
      return {
        outcome: { ...result, split: split.record, scoringBackend: scoring.name(), trainerDevice: engine.backend, trainerNote: note },
        head: null,
        layers: kept,
      };
    } finally {
      this.sessions.delete(id);
    }
  }

  /** Reads an exported head and measures it on the evaluation side of the split, against the frozen encoder. */
  async evaluateHead(
    dataset: Dataset,
    text: string,
    request: Omit<TrainingRequest, 'config' | 'device'>,
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
    return { before, after, split: split.record, head: { kind: head.kind, dim: head.dim, rank: head.rank, encoder: head.encoder }, scoringBackend: scoring.name() };
  }

  control(id: number, control: TrainingControl): void {
    const session = this.sessions.get(id);
    if (!session) return;
    if (control === 'pause') session.pause();
    else if (control === 'resume') session.resume();
    else if (control === 'step') session.step();
    else session.stop();
  }

  splitOf(dataset: Dataset, choice: SplitChoice): DataSplit {
    const key = JSON.stringify(choice);
    if (this.split?.dataset !== dataset || this.split.key !== key) {
      this.split = { dataset, key, split: splitByArticles(dataset, choice) };
    }
    return this.split.split;
  }

  /** The embeddings kept for these settings (the last evaluation's or training's), or null: nothing is encoded. */
  keptEncoding(dataset: Dataset, encoder: EncoderSpec, candidateText: CandidateTextMode): CachedEncoding | null {
    return this.encoding?.dataset === dataset && this.encoding.key === encodingKey(encoder, candidateText) ? this.encoding : null;
  }

  /** The frozen encoder's embeddings of the dataset: the kept ones when there are, else encoded now. */
  async encodingOf(
    dataset: Dataset,
    encoderSpec: EncoderSpec,
    candidateText: CandidateTextMode,
    signal: AbortSignal,
    report: (progress: TrainingProgress) => void,
  ): Promise<CachedEncoding> {
    const kept = this.keptEncoding(dataset, encoderSpec, candidateText);
    if (kept) return kept;
    const { encoder } = await this.encoders.open(encoderSpec, signal, (done, total) => report({ type: 'download-model', done, total }));
    const texts = candidateTexts(dataset, candidateText);
    const total = dataset.queries.length + texts.length;
    const meter = new RateMeter();
    const encoded = (done: number) => report({ type: 'encode', done, total, pace: meter.update('encode', done, total, performance.now()) });
    const queries = await encoder.encode(dataset.queries.map((q) => q.text), 'query', { signal, onProgress: encoded });
    const candidates = await encoder.encode(texts, 'passage', { signal, onProgress: (done) => encoded(dataset.queries.length + done) });
    this.encoding = { dataset, key: encodingKey(encoderSpec, candidateText), embeddings: { queries, candidates, dim: encoder.dim }, encoderId: encoder.id };
    return this.encoding;
  }
}

function samplerSettings(config: TrainingConfig): SamplerSettings {
  const { mix, languageWeighting, excludeLanguages, trainLanguages, batchSize, seed } = config;
  return { mix, languageWeighting, excludeLanguages, trainLanguages, batchSize, seed };
}

/** WebGPU on a hardware adapter (or any adapter when chosen), else the CPU trainer: core/devices.ts. */
async function chooseTrainer(choice: GpuChoice): Promise<{ name: string; note: string | null; factory: HeadTrainerFactory }> {
  const decision = await chooseGpu<WgAdapter>(choice, 'the CPU trainer');
  if (decision.gpu && decision.adapter) {
    try {
      return { name: 'WebGPU', note: decision.note, factory: webgpuTrainer(await deviceOfAdapter(decision.adapter)) };
    } catch (error) {
      return { name: 'CPU', note: `WebGPU failed to start (${error instanceof Error ? error.message : String(error)}): running on the CPU trainer.`, factory: createCpuTrainer };
    }
  }
  return { name: 'CPU', note: decision.note, factory: createCpuTrainer };
}
