/**
 * The notebook's state and its reducer. `settings` is what the user chose; `dataset` and
 * `evaluation` are what the worker is doing or did; `runs` are finished evaluations. Results are
 * never recomputed on a settings change: the cells compare settings with what was loaded or run
 * and mark the difference stale.
 */
import type { Pace } from '../../core/progress';
import type { DataFolderIndex } from '../../node/data-server';
import type { EvalReport, EvalSummary } from '../../core/metrics/types';
import type { EmbeddingFit, EvaluateProgress, LoadedDataset, LoadProgress, MixPreview, StoredEmbeddings, TrainingProgress, WireError } from '../../../workers/lab/protocol';
import type { CachedModel, ModelInfo, TransformerSpec } from '../../../workers/encoder/protocol';
import type { ModelFolderIndex } from '../../node/model-server';
import type { ImportedRuns } from './run-files';
import type { Run } from './runs';
import type { ComparisonReport } from '../../core/stats/paired';
import type { SignificanceTask } from './significance';
import { INITIAL_MAP, isMapAction, mapReducer, type MapAction, type MapState } from './map';
import { DEFAULT_SETTINGS, normalizeLanguages, type DatasetSelection, type DatasetSettings, type Settings } from './settings';

export type DatasetTask =
  | { status: 'idle' }
  /** `selection` is null for a fresh pick of files, known only once they are stored. */
  | { status: 'loading'; id: number; selection: DatasetSelection | null; progress: LoadProgress | null }
  | { status: 'failed'; error: WireError };

export type EvaluationTask =
  | { status: 'idle' }
  | { status: 'running'; id: number; startedAt: number; progress: EvaluateProgress | null }
  | { status: 'cancelled' }
  | { status: 'failed'; error: WireError };

/** The Batch Mix cell's preview: the last one computed stays shown while the next is computed. */
export interface MixPreviewState {
  /** The request whose answer is awaited; null when none is. */
  pendingId: number | null;
  preview: MixPreview | null;
  error: WireError | null;
}

/** A training in progress, as the Train cell shows it. */
export interface LiveTraining {
  id: number;
  startedAt: number;
  /** The mix trained, in words. */
  label: string;
  steps: number;
  phase: 'download' | 'encode' | 'before' | 'train' | 'after';
  encode: { done: number; total: number; pace?: Pace } | null;
  backend: { trainer: string; note: string | null; scoring: string } | null;
  loss: number[];
  /** Optimisation steps per second, and seconds to the last step (checks included). */
  pace: { stepsPerSecond: number; secondsLeft: number | null } | null;
  validation: { step: number; score: number; best: boolean }[];
  heldOut: { step: number; summary: EvalSummary; questions: number; ofQuestions: number; seconds: number }[];
  /** The evaluation side at the last held-out check, in full (the live heatmap). */
  heldOutReport: EvalReport | null;
  paused: boolean;
  /** Stop was pressed: training ends after this step and the best head so far is measured. */
  stopping: boolean;
  /** Training can be paused and stepped; measuring an imported head cannot. */
  controllable: boolean;
  /** Within a "Compare mixes" experiment: this is mix `index` (0-based) of `count`. */
  experiment: { index: number; count: number } | null;
}

export type TrainingTask =
  | { status: 'idle' }
  | ({ status: 'running' } & LiveTraining)
  | { status: 'stopped' }
  | { status: 'failed'; error: WireError };

/** The Encoder cell's explicit "Load model": download and start a transformer before a run needs it. */
export type ModelTask =
  | { status: 'idle' }
  | { status: 'loading'; id: number; spec: TransformerSpec; loaded: number; total: number; file: string | null }
  | { status: 'ready'; spec: TransformerSpec; info: ModelInfo }
  | { status: 'failed'; spec: TransformerSpec; error: WireError };

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

export interface AppState {
  settings: Settings;
  embeddingFiles: EmbeddingFilesView;
  /** Model folders the dev or preview server serves (/models/index.json); null until fetched. */
  modelIndex: ModelFolderIndex | null;
  model: ModelTask;
  modelCache: ModelCacheView | null;
  /** Why the last cache operation or folder pick failed. */
  modelCacheError: WireError | null;
  /** The local data folder's listing; null until fetched. */
  folderIndex: DataFolderIndex | null;
  /** The dataset the worker holds, with the selection it was loaded from. */
  loaded: { selection: DatasetSelection; dataset: LoadedDataset } | null;
  datasetTask: DatasetTask;
  evaluation: EvaluationTask;
  mixPreview: MixPreviewState;
  training: TrainingTask;
  /** Why the last head export failed; null when it did not. */
  headExportError: string | null;
  runs: Run[];
  selectedRunId: string | null;
  compareRunId: string | null;
  /** Paired statistics by comparisonKey (not persisted: recomputed in seconds). */
  significance: Record<string, SignificanceTask>;
  /** The sweep being trained (its runs carry `training.sweep.id`); null when none is. */
  sweep: { id: string; total: number; startedAt: number } | null;
  /** What the last "Import runs" did, or why it failed; null before one. */
  runsImport: { ok: boolean; message: string } | null;
  /** The Results cell's map of the embedding space (map.ts). */
  map: MapState;
}

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
  | { type: 'datasetSettingsChanged'; patch: Partial<DatasetSettings> }
  | { type: 'encoderChanged'; encoder: Settings['encoder'] }
  | { type: 'encoderKindChosen'; kind: Settings['encoder']['kind'] }
  | { type: 'modelIndexLoaded'; index: ModelFolderIndex }
  | { type: 'modelLoadStarted'; id: number; spec: TransformerSpec }
  | { type: 'modelLoadProgress'; id: number; loaded: number; total: number; file: string }
  | { type: 'modelLoaded'; id: number; info: ModelInfo }
  | { type: 'modelLoadFailed'; id: number; error: WireError }
  | { type: 'modelCacheListed'; cache: ModelCacheView }
  | { type: 'modelCacheFailed'; error: WireError }
  | { type: 'embeddingsListed'; sets: StoredEmbeddings[] }
  | { type: 'embeddingsStoring' }
  | { type: 'embeddingsStored'; set: StoredEmbeddings; fit: EmbeddingFit | null }
  | { type: 'embeddingsChecked'; fit: EmbeddingFit | null }
  | { type: 'embeddingsFailed'; error: WireError }
  | { type: 'candidateTextChanged'; candidateText: Settings['candidateText'] }
  | { type: 'scoringChanged'; scoring: Settings['scoring'] }
  | { type: 'mixChanged'; mix: Settings['mix'] }
  | { type: 'trainSettingsChanged'; patch: Partial<Settings['train']> }
  /** A preset (the classroom one) sets many settings at once. */
  | { type: 'settingsReplaced'; settings: Settings }
  | { type: 'mixPreviewStarted'; id: number }
  | { type: 'mixPreviewReady'; id: number; preview: MixPreview }
  | { type: 'mixPreviewFailed'; id: number; error: WireError }
  | { type: 'trainingStarted'; training: Omit<LiveTraining, 'phase' | 'encode' | 'backend' | 'loss' | 'validation' | 'heldOut' | 'heldOutReport' | 'paused' | 'pace' | 'stopping'> }
  | { type: 'trainingProgress'; id: number; progress: TrainingProgress }
  | { type: 'trainingStopping'; id: number }
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
  | { type: 'compareRunChosen'; id: string | null }
  | { type: 'runDeleted'; id: string }
  | { type: 'sweepStarted'; id: string; total: number; startedAt: number }
  | { type: 'sweepEnded'; id: string }
  | { type: 'significanceStarted'; id: number; key: string }
  | { type: 'significanceProgress'; id: number; key: string; progress: { done: number; total: number } }
  | { type: 'significanceFinished'; id: number; key: string; comparison: ComparisonReport }
  | { type: 'significanceFailed'; id: number; key: string; error: WireError }
  | { type: 'runsImported'; fileName: string; imported: ImportedRuns }
  | { type: 'runsImportFailed'; message: string }
  /** Runs another tab saved: added in number order (a run already here is left as it is). */
  | { type: 'runsArrived'; runs: Run[] }
  | MapAction;

export function initialState(persisted: PersistedState | null): AppState {
  return {
    settings: persisted?.settings ?? DEFAULT_SETTINGS,
    embeddingFiles: { sets: null, storing: false, fit: null, error: null },
    folderIndex: null,
    modelIndex: null,
    model: { status: 'idle' },
    modelCache: null,
    modelCacheError: null,
    loaded: null,
    datasetTask: { status: 'idle' },
    evaluation: { status: 'idle' },
    mixPreview: { pendingId: null, preview: null, error: null },
    training: { status: 'idle' },
    headExportError: null,
    runs: persisted?.runs ?? [],
    selectedRunId: persisted?.selectedRunId ?? null,
    compareRunId: persisted?.compareRunId ?? null,
    significance: {},
    sweep: null,
    runsImport: null,
    map: INITIAL_MAP,
  };
}

export function reducer(state: AppState, action: Action): AppState {
  if (isMapAction(action)) return { ...state, map: mapReducer(state.map, action) };
  switch (action.type) {
    case 'folderIndexLoaded': {
      const names = action.index.folders.map((f) => f.name);
      const { folder } = state.settings.dataset;
      // Default to XQuAD-R, the benchmark the notebook is built around, when the folder has it.
      const chosen = folder && names.includes(folder) ? folder : names.includes('xquad-r') ? 'xquad-r' : (names[0] ?? null);
      const dataset = { ...state.settings.dataset, folder: chosen };
      return { ...state, folderIndex: action.index, settings: { ...state.settings, dataset } };
    }
    case 'datasetSettingsChanged': {
      const dataset = { ...state.settings.dataset, ...action.patch };
      // A failed load's problems belong to the source that failed, not to the one chosen now.
      const leftFailure = state.datasetTask.status === 'failed' && dataset.source !== state.settings.dataset.source;
      return { ...state, settings: { ...state.settings, dataset }, datasetTask: leftFailure ? { status: 'idle' } : state.datasetTask };
    }
    case 'encoderChanged': {
      const { encoder } = action;
      const drafts = state.settings.encoderDrafts;
      const encoderDrafts = encoder.kind === 'lexical'
        ? { ...drafts, lexical: { dim: encoder.dim, minN: encoder.minN, maxN: encoder.maxN } }
        : encoder.kind === 'transformer' ? { ...drafts, transformer: encoder } : { ...drafts, files: encoder };
      return { ...state, settings: { ...state.settings, encoder, encoderDrafts } };
    }
    case 'encoderKindChosen': {
      const drafts = state.settings.encoderDrafts;
      const encoder = action.kind === 'lexical' ? { kind: 'lexical' as const, ...drafts.lexical } : drafts[action.kind];
      return { ...state, settings: { ...state.settings, encoder } };
    }
    case 'modelIndexLoaded':
      return { ...state, modelIndex: action.index };
    case 'modelLoadStarted':
      return { ...state, model: { status: 'loading', id: action.id, spec: action.spec, loaded: 0, total: 0, file: null } };
    case 'modelLoadProgress':
      if (state.model.status !== 'loading' || state.model.id !== action.id) return state;
      return { ...state, model: { ...state.model, loaded: action.loaded, total: action.total, file: action.file } };
    case 'modelLoaded':
      if (state.model.status !== 'loading' || state.model.id !== action.id) return state;
      return { ...state, model: { status: 'ready', spec: state.model.spec, info: action.info } };
    case 'modelLoadFailed':
      if (state.model.status !== 'loading' || state.model.id !== action.id) return state;
      return { ...state, model: action.error.name === 'AbortError' ? { status: 'idle' } : { status: 'failed', spec: state.model.spec, error: action.error } };
    case 'modelCacheListed':
      return { ...state, modelCache: action.cache, modelCacheError: null };
    case 'modelCacheFailed':
      return { ...state, modelCacheError: action.error };
    case 'embeddingsListed':
      return { ...state, embeddingFiles: { ...state.embeddingFiles, sets: action.sets, error: null } };
    case 'embeddingsStoring':
      return { ...state, embeddingFiles: { ...state.embeddingFiles, storing: true, error: null } };
    case 'embeddingsStored': {
      const encoder = { kind: 'files' as const, set: action.set };
      const sets = [...(state.embeddingFiles.sets ?? []).filter((s) => s.key !== action.set.key), action.set].sort((a, b) => a.name.localeCompare(b.name));
      return {
        ...state,
        embeddingFiles: { sets, storing: false, fit: action.fit, error: null },
        settings: { ...state.settings, encoder, encoderDrafts: { ...state.settings.encoderDrafts, files: encoder } },
      };
    }
    case 'embeddingsChecked':
      return { ...state, embeddingFiles: { ...state.embeddingFiles, fit: action.fit } };
    case 'embeddingsFailed':
      return { ...state, embeddingFiles: { ...state.embeddingFiles, storing: false, error: action.error } };
    case 'candidateTextChanged':
      return { ...state, settings: { ...state.settings, candidateText: action.candidateText } };
    case 'scoringChanged':
      return { ...state, settings: { ...state.settings, scoring: action.scoring } };

    case 'mixChanged':
      return { ...state, settings: { ...state.settings, mix: action.mix } };
    case 'trainSettingsChanged':
      return { ...state, settings: { ...state.settings, train: { ...state.settings.train, ...action.patch } } };
    case 'settingsReplaced':
      return { ...state, settings: action.settings };

    case 'mixPreviewStarted':
      return { ...state, mixPreview: { ...state.mixPreview, pendingId: action.id } };
    case 'mixPreviewReady':
      if (state.mixPreview.pendingId !== action.id) return state;
      return { ...state, mixPreview: { pendingId: null, preview: action.preview, error: null } };
    case 'mixPreviewFailed':
      if (state.mixPreview.pendingId !== action.id) return state;
      return { ...state, mixPreview: { pendingId: null, preview: null, error: action.error } };

    case 'headExportFailed':
      return { ...state, headExportError: action.message };
    case 'trainingStarted':
      return {
        ...state,
        headExportError: null,
        training: {
          status: 'running',
          ...action.training,
          phase: 'encode',
          encode: null,
          backend: null,
          loss: [],
          validation: [],
          heldOut: [],
          heldOutReport: null,
          pace: null,
          paused: false,
          stopping: false,
        },
      };
    case 'trainingProgress':
      return isCurrentTraining(state, action.id) ? { ...state, training: withProgress(state.training, action.progress) } : state;
    case 'trainingStopping':
      return isCurrentTraining(state, action.id) ? { ...state, training: { ...state.training, stopping: true, paused: false } } : state;
    case 'trainingFinished':
      if (!isCurrentTraining(state, action.id)) return state;
      return { ...state, training: { status: 'idle' }, runs: [...state.runs, action.run], selectedRunId: action.run.id };
    case 'trainingFailed':
      if (!isCurrentTraining(state, action.id)) return state;
      return { ...state, training: action.error.name === 'AbortError' ? { status: 'stopped' } : { status: 'failed', error: action.error } };

    case 'datasetLoadStarted':
      return { ...state, datasetTask: { status: 'loading', id: action.id, selection: action.selection, progress: null } };
    case 'datasetLoadProgress':
      return isCurrentLoad(state, action.id)
        ? { ...state, datasetTask: { ...state.datasetTask, progress: action.progress } }
        : state;
    case 'datasetLoaded': {
      if (!isCurrentLoad(state, action.id)) return state;
      // Spelled as datasetView will spell it, now that the source's languages are known for sure.
      const selection = { ...action.selection, languages: normalizeLanguages(action.selection.languages, action.dataset.available) };
      const { source, languages, articles } = selection;
      // A fresh pick (no selection until stored) becomes the remembered files once it has loaded, in full.
      const picked = state.datasetTask.selection === null && source.kind === 'files' ? { files: source.files, languages, articles } : {};
      return {
        ...state,
        settings: { ...state.settings, dataset: { ...state.settings.dataset, ...picked } },
        loaded: { selection, dataset: action.dataset },
        datasetTask: { status: 'idle' },
      };
    }
    case 'datasetLoadFailed':
      // The dataset loaded before stays loaded: a failed load loses nothing.
      if (!isCurrentLoad(state, action.id)) return state;
      return { ...state, datasetTask: action.error.name === 'AbortError' ? { status: 'idle' } : { status: 'failed', error: action.error } };

    case 'evaluationStarted':
      return { ...state, evaluation: { status: 'running', id: action.id, startedAt: action.startedAt, progress: null } };
    case 'evaluationProgress':
      return isCurrentEvaluation(state, action.id)
        ? { ...state, evaluation: { ...state.evaluation, progress: action.progress } }
        : state;
    case 'evaluationFinished':
      if (!isCurrentEvaluation(state, action.id)) return state;
      return {
        ...state,
        evaluation: { status: 'idle' },
        runs: [...state.runs, action.run],
        selectedRunId: action.run.id,
      };
    case 'evaluationFailed':
      if (!isCurrentEvaluation(state, action.id)) return state;
      return { ...state, evaluation: action.error.name === 'AbortError' ? { status: 'cancelled' } : { status: 'failed', error: action.error } };

    case 'runSelected':
      return { ...state, selectedRunId: action.id, compareRunId: state.compareRunId === action.id ? null : state.compareRunId };
    case 'compareRunChosen':
      return { ...state, compareRunId: action.id };
    case 'runsImported': {
      const { runs, alreadyHere, selectedRunId, compareRunId } = action.imported;
      const added = runs.length === 0 ? 'no new runs' : `${runs.map((run) => `Run ${run.number}`).join(', ')}`;
      const skipped = alreadyHere > 0 ? `; ${alreadyHere} already here` : '';
      return {
        ...state,
        runs: [...state.runs, ...runs],
        selectedRunId: selectedRunId ?? state.selectedRunId,
        compareRunId: selectedRunId ? compareRunId : state.compareRunId,
        runsImport: { ok: true, message: `Imported from ${action.fileName}: ${added}${skipped}.` },
      };
    }
    case 'runsImportFailed':
      return { ...state, runsImport: { ok: false, message: action.message } };
    case 'runsArrived': {
      const known = new Set(state.runs.map((run) => run.id));
      const added = action.runs.filter((run) => !known.has(run.id));
      if (added.length === 0) return state;
      return { ...state, runs: [...state.runs, ...added].sort((a, b) => a.number - b.number || a.createdAt - b.createdAt) };
    }
    case 'runDeleted': {
      const runs = state.runs.filter((run) => run.id !== action.id);
      return {
        ...state,
        runs,
        selectedRunId: state.selectedRunId === action.id ? (runs.at(-1)?.id ?? null) : state.selectedRunId,
        compareRunId: state.compareRunId === action.id ? null : state.compareRunId,
      };
    }

    case 'sweepStarted':
      return { ...state, sweep: { id: action.id, total: action.total, startedAt: action.startedAt } };
    case 'sweepEnded':
      return state.sweep?.id === action.id ? { ...state, sweep: null } : state;
    case 'significanceStarted':
      return { ...state, significance: { ...state.significance, [action.key]: { status: 'running', id: action.id, progress: null } } };
    case 'significanceProgress':
    case 'significanceFinished':
    case 'significanceFailed': {
      const task = state.significance[action.key];
      if (task?.status !== 'running' || task.id !== action.id) return state;
      const next: SignificanceTask =
        action.type === 'significanceProgress' ? { ...task, progress: action.progress }
        : action.type === 'significanceFinished' ? { status: 'done', comparison: action.comparison }
        : { status: 'failed', error: action.error };
      return { ...state, significance: { ...state.significance, [action.key]: next } };
    }
  }
}

type RunningTraining = Extract<TrainingTask, { status: 'running' }>;

function withProgress(training: RunningTraining, progress: TrainingProgress): RunningTraining {
  switch (progress.type) {
    case 'download-model':
      return { ...training, phase: 'download', encode: { done: progress.done, total: progress.total } };
    case 'encode':
      return { ...training, phase: 'encode', encode: { done: progress.done, total: progress.total, pace: progress.pace } };
    case 'backend':
      return { ...training, backend: { trainer: progress.trainer, note: progress.note, scoring: progress.scoring } };
    case 'paused':
      return { ...training, paused: progress.paused };
    case 'phase':
      return { ...training, phase: progress.phase };
    case 'step':
      return { ...training, loss: [...training.loss, progress.loss], pace: { stepsPerSecond: progress.stepsPerSecond, secondsLeft: progress.secondsLeft } };
    case 'validation':
      return { ...training, validation: [...training.validation, { step: progress.step, score: progress.score, best: progress.best }] };
    case 'held-out':
      return {
        ...training,
        heldOut: [...training.heldOut, { step: progress.step, summary: progress.report.summary, questions: progress.questions, ofQuestions: progress.ofQuestions, seconds: progress.seconds }],
        heldOutReport: progress.report,
      };
  }
}

function isCurrentTraining(state: AppState, id: number): state is AppState & { training: RunningTraining } {
  return state.training.status === 'running' && state.training.id === id;
}

function isCurrentLoad(state: AppState, id: number): state is AppState & { datasetTask: Extract<DatasetTask, { status: 'loading' }> } {
  return state.datasetTask.status === 'loading' && state.datasetTask.id === id;
}

function isCurrentEvaluation(
  state: AppState,
  id: number,
): state is AppState & { evaluation: Extract<EvaluationTask, { status: 'running' }> } {
  return state.evaluation.status === 'running' && state.evaluation.id === id;
}
