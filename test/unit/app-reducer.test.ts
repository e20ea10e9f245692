/**
 * The notebook's reducer, slice by slice (src/app/state/slices/): what each action does to its
 * cell's state and to the others', checked against states written out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { LoadedDataset, MixPreview } from '../../workers/lab/protocol';
import type { Action, AppState } from '../../src/app/state/app-state';
import { initialState, reducer } from '../../src/app/state/reducer';
import { invalidFieldsBlocker } from '../../src/app/state/selectors';
import type { Run } from '../../src/app/state/runs';
import { DEFAULT_SETTINGS, type DatasetSelection } from '../../src/app/state/settings';
import { WORKER_STOPPED } from '../../workers/supervised';
import type { ComparisonReport } from '../../src/core/stats/paired';

const fresh = (): AppState => initialState(null);
const after = (state: AppState, ...actions: Action[]): AppState => actions.reduce(reducer, state);
const run = (id: string, number: number, createdAt = number): Run => ({ id, number, createdAt }) as unknown as Run;
const aborted = { name: 'AbortError', message: 'The task was cancelled.' };

const folderSelection: DatasetSelection = { source: { kind: 'folder', folder: 'xquad-r' }, languages: ['en', 'de'], articles: 2 };
const dataset = (available: string[]): LoadedDataset => ({ summary: { name: 'x' }, available, warnings: [] }) as unknown as LoadedDataset;

describe('the reducer', () => {
  it('gives back the very state for an answer to a task that no longer runs', () => {
    const state = after(fresh(), { type: 'evaluationStarted', id: 2, startedAt: 100 });
    expect(reducer(state, { type: 'evaluationFinished', id: 1, run: run('late', 1) })).toBe(state);
    expect(reducer(state, { type: 'evaluationProgress', id: 1, progress: { phase: 'score', done: 1, total: 2 } })).toBe(state);
    expect(reducer(state, { type: 'trainingFinished', id: 2, run: run('no-training', 1) })).toBe(state);
  });
});

describe('evaluation slice', () => {
  it('runs, reports progress and adds its run to the Results, selected', () => {
    const progress = { phase: 'score' as const, done: 3, total: 10 };
    const state = after(fresh(), { type: 'evaluationStarted', id: 1, startedAt: 100 }, { type: 'evaluationProgress', id: 1, progress });
    expect(state.evaluation).toEqual({ status: 'running', id: 1, job: { startedAt: 100 }, progress });
    const done = reducer(state, { type: 'evaluationFinished', id: 1, run: run('a', 1) });
    expect(done.evaluation).toEqual({ status: 'done', job: { startedAt: 100 }, result: null });
    expect(done.runs.map((r) => r.id)).toEqual(['a']);
    expect(done.selectedRunId).toBe('a');
  });

  it('is cancelled by an AbortError; the reply that still comes adds no run', () => {
    const state = after(fresh(), { type: 'evaluationStarted', id: 1, startedAt: 100 }, { type: 'evaluationFailed', id: 1, error: aborted });
    expect(state.evaluation).toEqual({ status: 'cancelled', job: { startedAt: 100 } });
    expect(reducer(state, { type: 'evaluationFinished', id: 1, run: run('late', 1) })).toBe(state);
  });

  it('is interrupted when the lab worker stopped under it', () => {
    const error = { name: WORKER_STOPPED, message: 'The lab worker stopped (it failed: boom): the task it was running ended.' };
    const state = after(fresh(), { type: 'evaluationStarted', id: 1, startedAt: 100 }, { type: 'evaluationFailed', id: 1, error });
    expect(state.evaluation).toEqual({ status: 'interrupted', job: { startedAt: 100 }, error });
  });
});

describe('dataset slice', () => {
  it('keeps the dataset loaded before when a load fails, and forgets the failure when another source is chosen', () => {
    const loaded = after(fresh(), { type: 'datasetLoadStarted', id: 1, selection: folderSelection }, { type: 'datasetLoaded', id: 1, selection: folderSelection, dataset: dataset(['en', 'de', 'es']) });
    const error = { name: 'DatasetError', message: 'bad file' };
    const failed = after(loaded, { type: 'datasetLoadStarted', id: 2, selection: folderSelection }, { type: 'datasetLoadFailed', id: 2, error });
    expect(failed.loaded).toBe(loaded.loaded);
    expect(failed.datasetTask).toEqual({ status: 'failed', job: { selection: folderSelection }, error });
    expect(reducer(failed, { type: 'datasetSettingsChanged', patch: { articles: 3 } }).datasetTask).toBe(failed.datasetTask);
    expect(reducer(failed, { type: 'datasetSettingsChanged', patch: { source: 'catalog' } }).datasetTask).toEqual({ status: 'idle' });
  });

  it('spells a subset of every language as all languages, and remembers a fresh pick of files once loaded', () => {
    const all = { ...folderSelection, languages: ['de', 'en'] };
    const state = after(fresh(), { type: 'datasetLoadStarted', id: 1, selection: all }, { type: 'datasetLoaded', id: 1, selection: all, dataset: dataset(['en', 'de']) });
    expect(state.loaded?.selection.languages).toBeNull();
    expect(state.settings.dataset.files).toEqual([]);

    const files = [{ key: 'k1', name: 'en.json', size: 10 }];
    const picked: DatasetSelection = { source: { kind: 'files', files }, languages: null, articles: null };
    const pickedState = after(fresh(), { type: 'datasetLoadStarted', id: 1, selection: null }, { type: 'datasetLoaded', id: 1, selection: picked, dataset: dataset(['en']) });
    expect(pickedState.settings.dataset).toEqual({ ...DEFAULT_SETTINGS.dataset, files, languages: null, articles: null });
  });

  it('leaves the settings alone when remembered files load again', () => {
    const files = [{ key: 'k1', name: 'en.json', size: 10 }, { key: 'k2', name: 'de.json', size: 10 }];
    const remembered = reducer(fresh(), { type: 'datasetSettingsChanged', patch: { source: 'files', files, languages: ['en'] } });
    const selection: DatasetSelection = { source: { kind: 'files', files }, languages: ['en', 'de'], articles: null };
    const state = after(remembered, { type: 'datasetLoadStarted', id: 1, selection }, { type: 'datasetLoaded', id: 1, selection, dataset: dataset(['en', 'de']) });
    expect(state.settings).toBe(remembered.settings);
  });

  it('a superseded load changes neither the dataset nor the settings', () => {
    const files = [{ key: 'k1', name: 'en.json', size: 10 }];
    const picked: DatasetSelection = { source: { kind: 'files', files }, languages: null, articles: null };
    const state = after(fresh(), { type: 'datasetLoadStarted', id: 1, selection: null }, { type: 'datasetLoadStarted', id: 2, selection: folderSelection });
    expect(reducer(state, { type: 'datasetLoaded', id: 1, selection: picked, dataset: dataset(['en']) })).toBe(state);
  });

  it('chooses XQuAD-R in a data folder that has it, and keeps a choice the folder still has', () => {
    const index = { folders: [{ name: 'a', files: [] }, { name: 'xquad-r', files: [] }] };
    expect(reducer(fresh(), { type: 'folderIndexLoaded', index }).settings.dataset.folder).toBe('xquad-r');
    const chosen = reducer(fresh(), { type: 'datasetSettingsChanged', patch: { folder: 'a' } });
    expect(reducer(chosen, { type: 'folderIndexLoaded', index }).settings.dataset.folder).toBe('a');
    expect(reducer(chosen, { type: 'folderIndexLoaded', index: { folders: [{ name: 'b', files: [] }] } }).settings.dataset.folder).toBe('b');
  });
});

describe('training slice', () => {
  const job = { startedAt: 5, label: 'Hybrid', steps: 3, controllable: true, experiment: null };

  it('collects the live curves, stops after the step, and adds the finished run', () => {
    let state = after(fresh(), { type: 'headExportFailed', message: 'no head' }, { type: 'trainingStarted', id: 4, training: job });
    expect(state.headExportError).toBeNull();
    state = after(
      state,
      { type: 'trainingProgress', id: 4, progress: { type: 'phase', phase: 'train' } },
      { type: 'trainingProgress', id: 4, progress: { type: 'step', step: 1, loss: 2.5, batchType: 'cross', stepsPerSecond: 10, secondsLeft: 0.2 } },
      { type: 'trainingProgress', id: 4, progress: { type: 'paused', paused: true } },
      { type: 'trainingProgress', id: 4, progress: { type: 'step', step: 2, loss: 2.25, batchType: 'mono', stepsPerSecond: 8, secondsLeft: null } },
      { type: 'trainingStopping', id: 4 },
    );
    expect(state.training.status === 'running' && state.training.progress).toMatchObject({
      phase: 'train',
      loss: [2.5, 2.25],
      batchTypes: ['cross', 'mono'],
      pace: { stepsPerSecond: 8, secondsLeft: null },
      paused: false,
      stopping: true,
    });
    const done = reducer(state, { type: 'trainingFinished', id: 4, run: run('t', 1) });
    expect(done.training).toEqual({ status: 'done', job, result: null });
    expect(done.runs.map((r) => r.id)).toEqual(['t']);
  });

  it('is cancelled by an AbortError (an imported head measured no further)', () => {
    const state = after(fresh(), { type: 'trainingStarted', id: 1, training: job }, { type: 'trainingFailed', id: 1, error: aborted });
    expect(state.training).toEqual({ status: 'cancelled', job });
  });
});

describe('field validity', () => {
  it('holds the invalid fields by id until each is valid again, and names them for the run buttons', () => {
    const steps = after(fresh(), { type: 'fieldValidityChanged', field: 'f1', label: 'Steps' });
    const both = reducer(steps, { type: 'fieldValidityChanged', field: 'f2', label: 'Batch size' });
    expect(both.invalidFields).toEqual({ f1: 'Steps', f2: 'Batch size' });
    expect(invalidFieldsBlocker(both)).toBe('Fix "Steps", "Batch size" first: a run would not use the value shown.');
    expect(reducer(both, { type: 'fieldValidityChanged', field: 'f2', label: 'Batch size' })).toBe(both);
    const fixed = after(both, { type: 'fieldValidityChanged', field: 'f1', label: null }, { type: 'fieldValidityChanged', field: 'f2', label: null });
    expect(fixed.invalidFields).toEqual({});
    expect(invalidFieldsBlocker(fixed)).toBeNull();
  });
});

describe('encoder slice', () => {
  const spec = DEFAULT_SETTINGS.encoderDrafts.transformer;

  it('loads a model with download progress; Cancel leaves it cancelled, not failed', () => {
    const state = after(fresh(), { type: 'modelLoadStarted', id: 1, spec }, { type: 'modelLoadProgress', id: 1, loaded: 5, total: 20, file: 'model.onnx' });
    expect(state.model).toEqual({ status: 'running', id: 1, job: { spec }, progress: { loaded: 5, total: 20, file: 'model.onnx' } });
    expect(reducer(state, { type: 'modelLoadFailed', id: 1, error: aborted }).model).toEqual({ status: 'cancelled', job: { spec } });
  });

  it('forgets a loaded model when the encoder worker is replaced, and leaves a running load to its own call', () => {
    const info = { name: 'served:tiny', dim: 8, device: 'wasm', deviceNote: null, dtype: 'fp32', maxTokens: 128 } as const;
    const loaded = after(fresh(), { type: 'modelLoadStarted', id: 1, spec }, { type: 'modelLoaded', id: 1, info });
    const failure = 'The encoder worker stopped (it stopped answering for 16 s): the task it was running ended. A fresh worker was started; try again.';
    expect(reducer(loaded, { type: 'encoderWorkerReplaced', failure }).model).toEqual({ status: 'interrupted', job: { spec }, error: { name: WORKER_STOPPED, message: failure } });
    const loading = after(fresh(), { type: 'modelLoadStarted', id: 2, spec });
    expect(reducer(loading, { type: 'encoderWorkerReplaced', failure })).toBe(loading);
  });

  it('keeps stored embedding sets sorted by name, a set stored again replacing the old one, and chooses it', () => {
    const set = (key: string, name: string) => ({ key, name, dim: 4, rows: 1 }) as never;
    const state = after(fresh(), { type: 'embeddingsListed', sets: [set('k2', 'b'), set('k1', 'x')] }, { type: 'embeddingsStored', set: set('k1', 'a'), fit: null });
    expect(state.embeddingFiles.sets?.map((s) => `${s.key}:${s.name}`)).toEqual(['k1:a', 'k2:b']);
    expect(state.settings.encoder).toEqual({ kind: 'files', set: set('k1', 'a') });
    expect(state.settings.encoderDrafts.files).toEqual({ kind: 'files', set: set('k1', 'a') });
  });
});

describe('mix slice', () => {
  const preview = (n: number) => ({ batches: [], statistics: n }) as unknown as MixPreview;

  it('keeps the last preview shown while the next is computed, and drops a superseded answer', () => {
    const shown = after(fresh(), { type: 'mixPreviewStarted', id: 1 }, { type: 'mixPreviewReady', id: 1, preview: preview(1) });
    const computing = after(shown, { type: 'mixPreviewStarted', id: 2 }, { type: 'mixPreviewStarted', id: 3 });
    expect(computing.mixPreview.preview).toBe(shown.mixPreview.preview);
    expect(computing.mixPreview.task.status).toBe('running');
    expect(reducer(computing, { type: 'mixPreviewReady', id: 2, preview: preview(2) })).toBe(computing);
    const error = { name: 'Error', message: 'all weights are 0' };
    const failed = reducer(computing, { type: 'mixPreviewFailed', id: 3, error });
    expect(failed.mixPreview).toEqual({ task: { status: 'failed', job: null, error }, preview: null, error });
  });
});

describe('results slice', () => {
  it('deletes a run, selecting the last one when the shown one goes, and dropping it as the compared one', () => {
    const state = { ...fresh(), runs: [run('a', 1), run('b', 2), run('c', 3)], selectedRunId: 'b', compareRunId: 'a' };
    expect(reducer(state, { type: 'runDeleted', id: 'b' })).toMatchObject({ selectedRunId: 'c', compareRunId: 'a' });
    expect(reducer(state, { type: 'runDeleted', id: 'a' })).toMatchObject({ selectedRunId: 'b', compareRunId: null });
  });

  it('adds the runs another tab saved in number order, each once', () => {
    // Creation times run the other way (clocks of two tabs): the numbers decide.
    const state = { ...fresh(), runs: [run('a', 1, 30), run('c', 3, 10)] };
    expect(reducer(state, { type: 'runsArrived', runs: [run('b', 2, 20), run('a', 1, 30)] }).runs.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(reducer(state, { type: 'runsArrived', runs: [run('c', 3)] })).toBe(state);
  });

  it('says what an import added', () => {
    const state = reducer(fresh(), { type: 'runsImported', fileName: 'runs.json', imported: { runs: [run('a', 4), run('b', 5)], alreadyHere: 1, selectedRunId: null, compareRunId: null } });
    expect(state.runsImport).toEqual({ ok: true, message: 'Imported from runs.json: Run 4, Run 5; 1 already here.' });
  });

  it('keeps one paired-statistics task per comparison, each with its own current id', () => {
    const comparison = { seed: 1 } as ComparisonReport;
    const state = after(fresh(), { type: 'significanceStarted', id: 1, key: 'a -> b' }, { type: 'significanceStarted', id: 2, key: 'a -> c' });
    expect(reducer(state, { type: 'significanceFinished', id: 2, key: 'a -> b', comparison })).toBe(state);
    expect(reducer(state, { type: 'significanceFinished', id: 1, key: 'x -> y', comparison })).toBe(state);
    const done = reducer(state, { type: 'significanceFinished', id: 1, key: 'a -> b', comparison });
    expect(done.significance['a -> b']).toEqual({ status: 'done', job: null, result: comparison });
    expect(done.significance['a -> c']).toBe(state.significance['a -> c']);
  });
});

describe('sweep slice', () => {
  it('ends only the sweep that is running', () => {
    const state = after(fresh(), { type: 'sweepStarted', id: 2, sweepId: 's2', total: 6, doneAtStart: 0, startedAt: 9 });
    expect(reducer(state, { type: 'sweepEnded', id: 1 })).toBe(state);
    expect(reducer(state, { type: 'sweepEnded', id: 2 }).sweep).toEqual({ status: 'done', job: { sweepId: 's2', total: 6, startedAt: 9, doneAtStart: 0 }, result: null });
  });
});
