/**
 * The notebook's state, one slice per cell, and the actions that change it. `settings` is what the
 * user chose; the other slices are what the workers are doing or did, and `runs` are finished
 * evaluations and trainings. Results are never recomputed on a settings change: selectors.ts
 * compares settings with what was loaded or run and marks the difference stale. Each slice has its
 * reducer in slices/; reducer.ts combines them. Every long job is a `Task` (task.ts).
 */
import type { Pace } from '../../core/progress';
import type { DataFolderIndex } from '../../core/dataset/types';
import type { EvalReport, EvalSummary } from '../../core/metrics/types';
import type { BatchType } from '../../core/training';
import type { EmbeddingFit, EmbeddingMap, EvaluateProgress, LoadedDataset, LoadProgress, MapProgress, MixPreview, StoredEmbeddings, TrainingProgress } from '../../../workers/lab/protocol';
import type { WireError } from '../../../workers/rpc';
import type { CachedModel } from '../../../workers/encoder/protocol';
import type { ModelInfo, TransformerSpec } from '../../core/encoders/model-spec';
import type { ModelFolderIndex } from '../../core/encoders/model-folder';
import type { CatalogId } from '../datasets/catalog';
import type { ImportedRuns } from './run-files';
import type { Run } from './runs';
import type { ComparisonReport } from '../../core/stats/paired';
import type { DatasetSelection, DatasetSettings, Settings } from './settings';
import type { SignificanceTask } from './significance';
import type { Task } from './task';

/** The settings of every cell: persisted, and written to the address bar (link.ts). */
export interface SettingsSlice {
  settings: Settings;
  /**
   * Number fields whose text is not a valid value (by field id, their labels): the settings keep the
   * last valid value, so a run started now would not use what the field shows. Runs wait for them.
   */
  invalidFields: Record<string, string>;
}

/** Loading a dataset; `selection` is null for a fresh pick of files, known only once they are stored. */
export type DatasetTask = Task<{ selection: DatasetSelection | null }, LoadProgress | null>;

/** The Dataset cell. */
export interface DatasetSlice {
  /** The local data folder's listing; null until fetched. */
  folderIndex: DataFolderIndex | null;
  /** How many files of each catalog entry the browser's Cache API holds; asked again after every load. */
  catalogCache: Partial<Record<CatalogId, number>>;
  /** The dataset the worker holds, with the selection it was loaded from. A failed load keeps it. */
  loaded: { selection: DatasetSelection; dataset: LoadedDataset } | null;
  datasetTask: DatasetTask;
}

/** The Encoder cell's explicit "Load model": download and start a transformer before a run needs it. */
export type ModelTask = Task<{ spec: TransformerSpec }, { loaded: number; total: number; file: string | null }, ModelInfo>;

/** The browser's model cache and embedding cache, as last listed. */
export interface ModelCacheView {
  models: CachedModel[];
  embeddings: number;
}

/** The Encoder cell's embedding files: the sets kept in this browser, a pick being read, how the chosen set fits the loaded dataset. */
export interface EmbeddingFilesView {
  /** null until listed. */
  sets: StoredEmbeddings[] | null;
  storing: boolean;
  fit: EmbeddingFit | null;
  /** Why the last pick (or list, or removal) failed. */
  error: WireError | null;
}

/** The Encoder cell. */
export interface EncoderSlice {
  /** Model folders the dev or preview server serves (/models/index.json); null until fetched. */
  modelIndex: ModelFolderIndex | null;
  model: ModelTask;
  modelCache: ModelCacheView | null;
  /** Why the last cache operation or folder pick failed. */
  modelCacheError: WireError | null;
  embeddingFiles: EmbeddingFilesView;
}

export type EvaluationTask = Task<{ startedAt: number }, EvaluateProgress | null>;

/** The Evaluate cell. */
export interface EvaluationSlice {
  evaluation: EvaluationTask;
}

/** The Batch Mix cell's preview: the last outcome (a preview or why it failed) stays shown while the next is computed. */
export interface MixPreviewState {
  task: Task<null, null, MixPreview>;
  preview: MixPreview | null;
  error: WireError | null;
}

/** The Batch Mix cell. */
export interface MixSlice {
  mixPreview: MixPreviewState;
}

/** What a training is, from its start to its end. */
export interface TrainingJob {
  startedAt: number;
  /** The mix trained, in words. */
  label: string;
  steps: number;
  /** Training can be paused and stepped; measuring an imported head cannot. */
  controllable: boolean;
  /** Within a "Compare mixes" experiment: this is mix `index` (0-based) of `count`. */
  experiment: { index: number; count: number } | null;
}

/** How far a training is, as the Train cell shows it live. */
export interface TrainingLive {
  phase: 'download' | 'encode' | 'before' | 'train' | 'after';
  encode: { done: number; total: number; pace?: Pace } | null;
  backend: { trainer: string; note: string | null; scoring: string } | null;
  loss: number[];
  /** The batch type of each step of `loss`. */
  batchTypes: BatchType[];
  /** Optimisation steps per second, and seconds to the last step (checks included). */
  pace: { stepsPerSecond: number; secondsLeft: number | null } | null;
  validation: { step: number; score: number; best: boolean }[];
  heldOut: { step: number; summary: EvalSummary; questions: number; ofQuestions: number; seconds: number }[];
  /** The evaluation side at the last held-out check, in full (the live heatmap). */
  heldOutReport: EvalReport | null;
  paused: boolean;
  /** Stop was pressed: training ends after this step and the best head so far is measured. */
  stopping: boolean;
}

/** A training in progress, as the Train cell shows it. */
export type LiveTraining = TrainingJob & TrainingLive;

/** Training a head, or measuring an imported one; its result is a run, added to the Results slice. */
export type TrainingTask = Task<TrainingJob, TrainingLive>;

/** The Train cell. */
export interface TrainingSlice {
  training: TrainingTask;
  /** Why the last head export failed; null when it did not. */
  headExportError: string | null;
  /** What a Stop that kept nothing ended, in words (shown once the training is cancelled); null otherwise. */
  stopNote: string | null;
}

/** The Results cell: the runs, which are shown, their paired statistics, run files. */
export interface ResultsSlice {
  runs: Run[];
  selectedRunId: string | null;
  compareRunId: string | null;
  /** Paired statistics by comparisonKey (not persisted: recomputed in seconds). */
  significance: Record<string, SignificanceTask>;
  /** What the last "Import runs" did, or why it failed; null before one. */
  runsImport: { ok: boolean; message: string } | null;
}

/** A sweep: its runs carry `training.sweep.id` = `sweepId`. */
export type SweepTask = Task<{ sweepId: string; total: number; startedAt: number; doneAtStart: number }>;

/** The Sweep cell; and the classroom preset (load, evaluate, three mixes) while it runs, for its progress beside its button. */
export interface SweepSlice {
  sweep: SweepTask;
  classroom: { startedAt: number; stopping: boolean } | null;
}

/** Drawing one run's embedding map (not persisted: it takes seconds to draw again). */
export type MapTask = Task<{ runId: string }, MapProgress | null, EmbeddingMap>;

/** The Results cell's map of the embedding space: the sample size asked for, the language highlighted, the map. */
export interface MapSlice {
  map: { size: number; highlighted: string | null; task: MapTask };
}

export type AppState = SettingsSlice & DatasetSlice & EncoderSlice & EvaluationSlice & MixSlice & TrainingSlice & ResultsSlice & SweepSlice & MapSlice;

/** The part of the state that survives a reload (see persistence.ts). */
export interface PersistedState {
  settings: Settings;
  /** Loaded again on startup, so the notebook comes back as it was left. */
  loadedSelection: DatasetSelection | null;
  runs: Run[];
  selectedRunId: string | null;
  compareRunId: string | null;
}

export type Action =
  | { type: 'folderIndexLoaded'; index: DataFolderIndex }
  | { type: 'catalogCacheCounted'; counts: Partial<Record<CatalogId, number>> }
  | { type: 'datasetSettingsChanged'; patch: Partial<DatasetSettings> }
  | { type: 'encoderChanged'; encoder: Settings['encoder'] }
  | { type: 'encoderKindChosen'; kind: Settings['encoder']['kind'] }
  | { type: 'modelIndexLoaded'; index: ModelFolderIndex }
  | { type: 'modelLoadStarted'; id: number; spec: TransformerSpec }
  | { type: 'modelLoadProgress'; id: number; loaded: number; total: number; file: string }
  | { type: 'modelLoaded'; id: number; info: ModelInfo }
  | { type: 'modelLoadFailed'; id: number; error: WireError }
  /** The encoder worker stopped and a fresh one took its place, without the model loaded before. */
  | { type: 'encoderWorkerReplaced'; failure: string }
  | { type: 'modelCacheListed'; cache: ModelCacheView }
  | { type: 'modelCacheFailed'; error: WireError }
  | { type: 'embeddingsListed'; sets: StoredEmbeddings[] }
  | { type: 'embeddingsStoring' }
  | { type: 'embeddingsStored'; set: StoredEmbeddings; fit: EmbeddingFit | null }
  | { type: 'embeddingsChecked'; fit: EmbeddingFit | null }
  | { type: 'embeddingsFailed'; error: WireError }
  | { type: 'candidateTextChanged'; candidateText: Settings['candidateText'] }
  | { type: 'scoringChanged'; scoring: Settings['scoring'] }
  | { type: 'rankingChanged'; patch: Partial<Settings['ranking']> }
  | { type: 'mixChanged'; mix: Settings['mix'] }
  | { type: 'trainSettingsChanged'; patch: Partial<Settings['train']> }
  /** A preset (the classroom one) sets many settings at once. */
  | { type: 'settingsReplaced'; settings: Settings }
  /** A number field's text became invalid (`label`) or valid again (null). */
  | { type: 'fieldValidityChanged'; field: string; label: string | null }
  | { type: 'mixPreviewStarted'; id: number }
  | { type: 'mixPreviewReady'; id: number; preview: MixPreview }
  | { type: 'mixPreviewFailed'; id: number; error: WireError }
  | { type: 'trainingStarted'; id: number; training: TrainingJob }
  | { type: 'trainingProgress'; id: number; progress: TrainingProgress }
  | { type: 'trainingStopping'; id: number }
  /** Stop ended the training with nothing to keep (no step run yet, or Stop again while stopping): it is cancelled. */
  | { type: 'trainingStoppedEmpty'; id: number; note: string }
  | { type: 'trainingFinished'; id: number; run: Run }
  | { type: 'trainingFailed'; id: number; error: WireError }
  | { type: 'headExportFailed'; message: string }
  | { type: 'datasetLoadStarted'; id: number; selection: DatasetSelection | null }
  | { type: 'datasetLoadProgress'; id: number; progress: LoadProgress }
  | { type: 'datasetLoaded'; id: number; selection: DatasetSelection; dataset: LoadedDataset }
  | { type: 'datasetLoadFailed'; id: number; error: WireError }
  | { type: 'evaluationStarted'; id: number; startedAt: number }
  | { type: 'evaluationProgress'; id: number; progress: EvaluateProgress }
  | { type: 'evaluationFinished'; id: number; run: Run }
  | { type: 'evaluationFailed'; id: number; error: WireError }
  | { type: 'runSelected'; id: string }
  /** The frozen encoder on a run's evaluation side became a run of its own; `shownRunId` is shown against it. */
  | { type: 'frozenSideAdded'; run: Run; shownRunId: string }
  | { type: 'compareRunChosen'; id: string | null }
  | { type: 'runDeleted'; id: string }
  /** `doneAtStart`: runs of the sweep already trained (finishing a sweep cut short). */
  | { type: 'sweepStarted'; id: number; sweepId: string; total: number; doneAtStart: number; startedAt: number }
  | { type: 'sweepEnded'; id: number }
  | { type: 'classroomStarted'; startedAt: number }
  | { type: 'classroomStopping' }
  | { type: 'classroomEnded' }
  | { type: 'significanceStarted'; id: number; key: string }
  | { type: 'significanceProgress'; id: number; key: string; progress: { done: number; total: number } }
  | { type: 'significanceFinished'; id: number; key: string; comparison: ComparisonReport }
  | { type: 'significanceFailed'; id: number; key: string; error: WireError }
  | { type: 'runsImported'; fileName: string; imported: ImportedRuns }
  | { type: 'runsImportFailed'; message: string }
  /** Runs another tab saved: added in number order (a run already here is left as it is). */
  | { type: 'runsArrived'; runs: Run[] }
  | { type: 'mapSizeChanged'; size: number }
  | { type: 'mapLanguageHighlighted'; language: string | null }
  | { type: 'mapStarted'; id: number; runId: string }
  | { type: 'mapProgress'; id: number; progress: MapProgress }
  | { type: 'mapFinished'; id: number; map: EmbeddingMap }
  | { type: 'mapFailed'; id: number; error: WireError };
