/**
 * The whole conversation between the notebook and the lab worker. Every command carries an `id`;
 * the worker answers with any number of `progress` events for that id, then exactly one terminal
 * event (`datasetLoaded`, `result` or `error`). `cancel` aborts the command with that id.
 */
import type { CandidateTextMode, DatasetSummary } from '../../src/core/dataset/texts';
import type { DatasetIssue, LoadOptions } from '../../src/core/dataset/types';
import type { LexicalOptions } from '../../src/core/encoders/lexical';
import type { ModelInfo, TransformerSpec } from '../encoder/protocol';
import type { WireError } from '../rpc';
import type { EvalProgress } from '../../src/core/evaluate';
import type { EvalReport, EvalSummary } from '../../src/core/metrics/types';
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

/** The built-in lexical encoder (runs in the lab worker) or a transformer (runs in the encoder worker). */
export type EncoderSpec = ({ kind: 'lexical' } & LexicalOptions) | TransformerSpec;

/** An evaluation's progress: the core's phases, and a transformer's download before them. */
export type EvaluateProgress = EvalProgress | { phase: 'download-model'; done: number; total: number };

/**
 * Score-matrix backend: onnxruntime-web's float32 Gemm (fast, multi-threaded), or the JS kernel
 * (float64 accumulation, slower) whose scores match the Node core's `jsMatmul` bit for bit.
 */
export type ScoringChoice = 'onnxruntime' | 'js';

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
  split: SplitChoice;
  config: TrainingConfig;
}

/**
 * Training progress: the core's events, plus the encoding of the frozen embeddings and the trainer
 * chosen. A held-out check carries the whole report (heatmap cells included), not only the summary.
 */
export type TrainingProgress =
  | Exclude<TrainingEvent, { type: 'held-out' }>
  | { type: 'held-out'; step: number; summary: EvalSummary; report: MeasuredReport }
  | { type: 'encode'; done: number; total: number }
  | { type: 'download-model'; done: number; total: number }
  | { type: 'backend'; trainer: string; scoring: string }
  | { type: 'paused'; paused: boolean };

/** A finished training run: everything of the core's result except the head's tensors, plus the split. */
export type TrainingOutcome = Omit<TrainingResult, 'head'> & { split: SplitRecord; scoringBackend: string };

/** An exported head measured on the evaluation side of a split, before (frozen encoder) and after. */
export interface HeadEvaluation {
  before: MeasuredReport;
  after: MeasuredReport;
  split: SplitRecord;
  head: { kind: HeadKind; dim: number; rank: number; encoder?: string };
  scoringBackend: string;
}

/** Pause, resume or take one step of a running `train` command (`id` is that command's). */
export type TrainingControl = 'pause' | 'resume' | 'step';

export type LabCommand =
  | { type: 'loadDataset'; id: number; source: FileSource; options: LoadOptions }
  | { type: 'evaluate'; id: number; encoder: EncoderSpec; candidateText: CandidateTextMode; scoring: ScoringChoice }
  | { type: 'previewMix'; id: number; split: SplitChoice; config: TrainingConfig }
  | { type: 'train'; id: number; request: TrainingRequest }
  | { type: 'controlTraining'; id: number; control: TrainingControl }
  /** `head` is an exported head document (serializeHead's JSON); `request.config` is not used. */
  | { type: 'evaluateHead'; id: number; head: string; request: Omit<TrainingRequest, 'config'> }
  | { type: 'cancel'; id: number };

export type LabEvent =
  | { type: 'progress'; id: number; progress: LoadProgress | EvaluateProgress | TrainingProgress }
  | { type: 'datasetLoaded'; id: number; dataset: LoadedDataset }
  /** `model`: what the encoder worker ran (device, dtype), for a transformer encoder. */
  | { type: 'result'; id: number; report: EvalReport; backend: string; model: ModelInfo | null }
  | { type: 'mixPreview'; id: number; preview: MixPreview }
  /** `head`: the kept head, exported (serializeHead's JSON). */
  | { type: 'trained'; id: number; outcome: TrainingOutcome; head: string }
  | { type: 'headEvaluated'; id: number; evaluation: HeadEvaluation }
  | { type: 'error'; id: number; error: WireError };

/** Which event ends each command: lets the client type its promises. */
export const LAB_REPLIES = { loadDataset: 'datasetLoaded', evaluate: 'result', previewMix: 'mixPreview', train: 'trained', evaluateHead: 'headEvaluated' } as const;

/** Which progress each command reports. */
export interface LabProgress {
  loadDataset: LoadProgress;
  evaluate: EvaluateProgress;
  previewMix: never;
  train: TrainingProgress;
  evaluateHead: TrainingProgress;
}
export type LabReplies = typeof LAB_REPLIES;

/** The wire-error codec lives in workers/rpc.ts; re-exported for the page's existing imports. */
export { fromWireError, toWireError, type WireError } from '../rpc';
