/**
 * The whole conversation between the notebook and the lab worker. Every command carries an `id`;
 * the worker answers with any number of `progress` events for that id, then exactly one terminal
 * event (`datasetLoaded`, `result` or `error`). `cancel` aborts the command with that id.
 */
import type { CandidateTextMode, DatasetSummary } from '../../src/core/dataset/texts';
import type { DatasetIssue, LoadOptions } from '../../src/core/dataset/types';
import type { LexicalOptions } from '../../src/core/encoders/lexical';
import type { ModelInfo, TransformerSpec } from '../../src/core/encoders/model-spec';
import type { WireError } from '../rpc';
import type { EvalProgress } from '../../src/core/evaluate';
import type { GpuChoice } from '../../src/core/devices';
import type { Pace } from '../../src/core/progress';
import type { RankingChoice } from '../../src/core/job-size';
import type { EvalReport, PerQueryValues } from '../../src/core/metrics/types';
import type { ComparisonReport } from '../../src/core/stats/paired';
import type { OwnLanguageShare } from '../../src/core/projection/neighbours';
import type { MapRowKind } from '../../src/core/projection/sample';
import type { LayerWeights, TuneChoice } from '../../src/core/tuning/layer';
import type {
  BatchPreviewPair,
  BatchType,
  HeadKind,
  MeasuredReport,
  MixStatistics,
  SplitRecord,
  TrainingConfig,
  TrainingEvent,
  TrainingResult,
} from '../../src/core/training';

/**
 * The built-in lexical encoder (runs in the lab worker), a transformer (runs in the encoder worker),
 * or embeddings computed elsewhere, picked as files and stored in this browser (workers/lab/embedding-files.ts).
 */
export type EncoderSpec = ({ kind: 'lexical' } & LexicalOptions) | TransformerSpec | EmbeddingFilesSpec;

/** A set of embedding files (the CLI's export format) stored in this browser's IndexedDB, by content. */
export interface StoredEmbeddings {
  /** SHA-256 of the four files. */
  key: string;
  /** The picked folder's name (or the file names' common part). */
  name: string;
  dim: number;
  queries: number;
  candidates: number;
}

/** "Embeddings from files": `set` is null until a set is picked. */
export interface EmbeddingFilesSpec {
  kind: 'files';
  set: StoredEmbeddings | null;
}

/** How a stored set fits the loaded dataset: rows it lacks (an error for a run), and notes (unused rows, normalised rows). */
export interface EmbeddingFit {
  key: string;
  dataset: string;
  missing: DatasetIssue[];
  missingCount: number;
  notes: string[];
}

/**
 * An evaluation's progress: the core's phases, and a transformer's download before them; each with
 * its pace (rate and time left) and what it runs on (e.g. "lexical encoder, lab worker CPU",
 * "sparse exact, 2 threads").
 */
export type EvaluateProgress = (EvalProgress | { phase: 'download-model'; done: number; total: number }) & {
  pace?: Pace;
  device?: string;
  /** Set while the `score` phase streams: it counts candidates, this many a block (core/metrics/streaming.ts). */
  candidateBlock?: number;
};

/**
 * Score-matrix backend: `auto` (the exact sparse kernel on scoring workers for sparse vectors,
 * onnxruntime-web for dense ones), onnxruntime-web's float32 Gemm alone, or the JS kernel (float64
 * accumulation, slow). The sparse kernel's and the JS kernel's scores match the Node core's
 * `jsMatmul` bit for bit.
 */
export type ScoringChoice = 'auto' | 'onnxruntime' | 'js';
export const SCORING_CHOICES: readonly ScoringChoice[] = ['auto', 'onnxruntime', 'js'];

/** A user's file kept in IndexedDB under a key derived from its content. */
export interface StoredFile {
  name: string;
  key: string;
  size: number;
}

/** Where a dataset's files come from. */
export type FileSource =
  /** Fetched; with `cacheName`, read from and saved to that Cache API cache. */
  | { kind: 'urls'; files: { name: string; url: string }[]; cacheName?: string }
  /** Picked or dropped by the user (`name` keeps a picked folder's path); stored in IndexedDB once they load. */
  | { kind: 'picked'; files: { name: string; blob: Blob }[] }
  /** Picked earlier and stored in IndexedDB. */
  | { kind: 'stored'; files: StoredFile[] };

export type LoadProgress =
  | { phase: 'download'; done: number; total: number | null }
  | { phase: 'parse' };

export interface LoadedDataset {
  summary: DatasetSummary;
  /** Every language the files hold, whatever subset was asked for: the choices for the next load. */
  available: string[];
  warnings: DatasetIssue[];
  /** For a `picked` source: where the files now live, to load them again after a reload. */
  stored?: StoredFile[];
}

/** The article split of the loaded dataset that training uses (validation is part of the training side). */
export interface SplitChoice {
  /** Fraction of the article groups on the training side, in (0, 1). */
  train: number;
  /** Fraction of the training side held out for validation (early stopping), in [0, 1). */
  validation: number;
  seed: number;
}

/** What the Batch Mix cell shows: the split, a few batches in words, and proportions over many batches. */
export interface MixPreview {
  split: SplitRecord;
  /** The first batches as training will draw them; `pairs` holds at most PREVIEW_PAIRS of each. */
  batches: { type: BatchType; size: number; pairs: BatchPreviewPair[] }[];
  statistics: MixStatistics;
}

export const PREVIEW_BATCHES = 3;
export const PREVIEW_PAIRS = 8;
export const STATISTICS_BATCHES = 1000;

export interface TrainingRequest {
  encoder: EncoderSpec;
  candidateText: CandidateTextMode;
  scoring: ScoringChoice;
  /** Where the trainer runs: auto never picks a software WebGPU adapter (core/devices.ts). */
  device: GpuChoice;
  split: SplitChoice;
  config: TrainingConfig;
  /** A head (the default) or the encoder's top layers (transformer encoders only). */
  tune?: TuneChoice;
}

/**
 * Training progress: the core session's events (a held-out check carries its whole report, heatmap
 * cells included), plus the encoding of the frozen embeddings and the devices chosen (`note` says
 * why the trainer is not the obvious one, e.g. a software WebGPU adapter passed over).
 */
export type TrainingProgress =
  | TrainingEvent
  | { type: 'encode'; done: number; total: number; pace?: Pace }
  | { type: 'download-model'; done: number; total: number }
  | { type: 'backend'; trainer: string; note: string | null; scoring: string };

/** A finished training run: everything of the core's result except the head's tensors, plus the split. */
export type TrainingOutcome = Omit<TrainingResult, 'kept'> & {
  split: SplitRecord;
  scoringBackend: string;
  trainerDevice: string;
  /** Why the trainer is not the obvious one (e.g. a software WebGPU adapter passed over); null when nothing to say. */
  trainerNote: string | null;
};

/** An exported head measured on the evaluation side of a split, before (frozen encoder) and after. */
export interface HeadEvaluation {
  before: MeasuredReport;
  after: MeasuredReport;
  split: SplitRecord;
  head: { kind: HeadKind; dim: number; rank: number; encoder?: string };
  scoringBackend: string;
}

/**
 * Pause, resume or take one step of a running `train` command (`id` is that command's); `stop` ends
 * its training and keeps the best head so far as a run (`cancel` keeps nothing).
 */
export type TrainingControl = 'pause' | 'resume' | 'step' | 'stop';

/** Resamples and permutations done of a `compareRuns`. */
export interface CompareProgress {
  phase: 'compare';
  done: number;
  total: number;
}

/**
 * The embedding map of a run: about `size` points sampled with `seed` (core/projection/sample.ts),
 * laid out for the frozen encoder and, for a trained run, with its head applied.
 */
export interface MapRequest {
  encoder: EncoderSpec;
  candidateText: CandidateTextMode;
  scoring: ScoringChoice;
  size: number;
  seed: number;
  /** A trained run's head (serializeHead's JSON) and split: the sample comes from the split's evaluation side. */
  trained: { head: string; split: SplitChoice } | null;
}

/** One view of the map: the frozen encoder's vectors, or the same with the trained head applied. */
export interface MapView {
  kind: 'encoder' | 'head';
  /** Point i at `[2i, 2i + 1]`. */
  layout: Float32Array;
  share: OwnLanguageShare;
  /** Neighbours and layout of this view. */
  seconds: number;
}

export interface EmbeddingMap {
  /** The sampled languages, in dataset order (the colours' order). */
  languages: string[];
  points: { kind: MapRowKind; language: string; text: string }[];
  /** Neighbours per point, of the share and the layout's graph. */
  neighbours: number;
  views: MapView[];
  scoringBackend: string;
}

/** Encoding (when the embeddings are not cached), then per view the neighbour search and the layout epochs. */
export interface MapProgress {
  phase: 'download-model' | 'encode' | 'neighbours' | 'layout';
  view: MapView['kind'] | null;
  done: number;
  total: number;
  pace?: Pace;
}

export type LabCommand =
  | { type: 'loadDataset'; id: number; source: FileSource; options: LoadOptions }
  | { type: 'evaluate'; id: number; encoder: EncoderSpec; candidateText: CandidateTextMode; scoring: ScoringChoice; ranking: RankingChoice }
  | { type: 'previewMix'; id: number; split: SplitChoice; config: TrainingConfig }
  | { type: 'train'; id: number; request: TrainingRequest }
  /** `head` is an exported head document (serializeHead's JSON); `request.config` is not used. */
  | { type: 'evaluateHead'; id: number; head: string; request: Omit<TrainingRequest, 'config' | 'device'> }
  /** The encoder of `spec` with its top layers replaced by `layers` (a layer run's), as a zipped model folder. */
  | { type: 'exportModel'; id: number; spec: TransformerSpec; layers: LayerWeights[] }
  /** Reads, checks and stores the four files of a pick; `name` names the set. */
  | { type: 'storeEmbeddings'; id: number; name: string; files: { name: string; blob: Blob }[] }
  | { type: 'listEmbeddings'; id: number }
  | { type: 'removeEmbeddings'; id: number; key: string }
  /** How a stored set fits the loaded dataset (null fit: no dataset is loaded). */
  | { type: 'checkEmbeddings'; id: number; key: string }
  /** Paired statistics of two runs' per-query values, delta = b - a (src/core/stats/paired.ts). */
  | { type: 'compareRuns'; id: number; a: PerQueryValues; b: PerQueryValues; resamples: number; seed: number }
  | { type: 'projectMap'; id: number; request: MapRequest }
  | { type: 'cancel'; id: number };

/**
 * Messages with no reply: a control of a running `train` (its `id` is that command's), and the
 * port to the encoder worker that the page hands over once at start.
 */
export type LabNotice =
  | { type: 'controlTraining'; id: number; control: TrainingControl }
  /** `lost`: why the encoder worker before this port's stopped (the lab's calls to it end with that); null at start. */
  | { type: 'connectEncoder'; lost: string | null };
export const LAB_NOTICES = ['controlTraining', 'connectEncoder'] as const satisfies readonly LabNotice['type'][];

export type LabEvent =
  | { type: 'progress'; id: number; progress: LoadProgress | EvaluateProgress | TrainingProgress | CompareProgress | MapProgress }
  | { type: 'datasetLoaded'; id: number; dataset: LoadedDataset }
  /** `model`: what the encoder worker ran (device, dtype), for a transformer encoder. */
  | { type: 'result'; id: number; report: EvalReport; backend: string; model: ModelInfo | null }
  | { type: 'mixPreview'; id: number; preview: MixPreview }
  /** `head`: the kept head (serializeHead's JSON); a layer run keeps `layers` instead (the tuned layers, bottom first). */
  | { type: 'trained'; id: number; outcome: TrainingOutcome; head: string | null; layers?: LayerWeights[] }
  | { type: 'headEvaluated'; id: number; evaluation: HeadEvaluation }
  | { type: 'modelExported'; id: number; zip: Uint8Array }
  | { type: 'embeddingsStored'; id: number; set: StoredEmbeddings; fit: EmbeddingFit | null }
  | { type: 'embeddingsListed'; id: number; sets: StoredEmbeddings[] }
  | { type: 'embeddingsChecked'; id: number; fit: EmbeddingFit | null }
  | { type: 'compared'; id: number; comparison: ComparisonReport }
  | { type: 'mapProjected'; id: number; map: EmbeddingMap }
  | { type: 'error'; id: number; error: WireError };

/** Which event ends each command: lets the client type its promises. */
export const LAB_REPLIES = {
  loadDataset: 'datasetLoaded',
  evaluate: 'result',
  previewMix: 'mixPreview',
  train: 'trained',
  evaluateHead: 'headEvaluated',
  exportModel: 'modelExported',
  storeEmbeddings: 'embeddingsStored',
  listEmbeddings: 'embeddingsListed',
  removeEmbeddings: 'embeddingsListed',
  checkEmbeddings: 'embeddingsChecked',
  compareRuns: 'compared',
  projectMap: 'mapProjected',
} as const;

/** Which progress each command reports. */
export interface LabProgress {
  loadDataset: LoadProgress;
  evaluate: EvaluateProgress;
  previewMix: never;
  train: TrainingProgress;
  evaluateHead: TrainingProgress;
  exportModel: never;
  storeEmbeddings: never;
  listEmbeddings: never;
  removeEmbeddings: never;
  checkEmbeddings: never;
  compareRuns: CompareProgress;
  projectMap: MapProgress;
}

export interface LabProtocol {
  command: LabCommand;
  event: LabEvent;
  replies: typeof LAB_REPLIES;
  progress: LabProgress;
  notice: LabNotice;
}

