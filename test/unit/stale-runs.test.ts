/**
 * When a run is stale (src/app/state/selectors.ts runChanges): an evaluation when its dataset,
 * encoder, candidate text or scoring changed; a trained run also when the Batch Mix or Train
 * settings it was trained with changed, except what a "Compare mixes" experiment or a sweep chose
 * for it. And which running tasks a reload would interrupt.
 */
import { describe, expect, it } from 'vitest';
import type { Action, AppState } from '../../src/app/state/app-state';
import { initialState, reducer } from '../../src/app/state/reducer';
import type { Run } from '../../src/app/state/runs';
import { datasetView, runChanges, runningTasks } from '../../src/app/state/selectors';
import type { MixSettings, Settings, TrainSettings } from '../../src/app/state/settings';

const mix: MixSettings = {
  preset: 'hybrid',
  weights: { mono: 0.5, mixed: 0, cross: 0.5 },
  languageWeighting: 'uniform',
  excludeLanguages: [],
  batchSize: 32,
  seed: 1,
  trainFraction: 0.5,
};
const train: TrainSettings = {
  steps: 300,
  headKind: 'linear',
  rank: 64,
  tune: 'head',
  layers: 1,
  learningRate: 0.0001,
  weightDecay: 0.01,
  warmupSteps: 30,
  temperature: 0.05,
  heldOutEvery: 25,
  heldOutQuestions: 200,
  device: 'auto',
};

/** XQuAD-R's folder with two languages, loaded whole, and these settings. */
function notebook(settings: Partial<Settings>): AppState {
  const index = { folders: [{ name: 'xquad-r', files: [{ name: 'en.json', size: 1 }, { name: 'de.json', size: 1 }] }] };
  const start = initialState(null);
  const state = reducer(start, { type: 'folderIndexLoaded', index } as Action);
  return { ...state, settings: { ...state.settings, mix, train, ...settings } };
}

const selection = { source: { kind: 'folder' as const, folder: 'xquad-r' }, languages: null, articles: null };

function evaluationRun(): Run {
  const { settings } = notebook({});
  return { kind: 'evaluation', id: 'e', number: 1, selection, encoder: settings.encoder, candidateText: 'sentence', scoring: 'auto' } as unknown as Run;
}

function trainedRun(training: { mix?: MixSettings; train?: TrainSettings; experimentId?: string | null; sweep?: { id: string; alpha: number; seed: number } }): Run {
  return { ...evaluationRun(), kind: 'trained', training: { mix, train, experimentId: null, ...training } } as unknown as Run;
}

describe('stale runs', () => {
  it('an evaluation goes stale with its inputs, not with the training settings', () => {
    expect(runChanges(notebook({}), evaluationRun())).toEqual([]);
    expect(runChanges(notebook({ scoring: 'js' }), evaluationRun())).toEqual(['scoring: auto → js']);
    expect(runChanges(notebook({ mix: { ...mix, batchSize: 64 }, train: { ...train, steps: 10 } }), evaluationRun())).toEqual([]);
  });

  it('a trained run goes stale when the mix it was trained with changes', () => {
    const run = trainedRun({});
    expect(runChanges(notebook({}), run)).toEqual([]);
    const xy = { ...mix, preset: 'x-y' as const, weights: { mono: 0, mixed: 0, cross: 1 } };
    expect(runChanges(notebook({ mix: xy }), run)).toEqual(['mix: Hybrid → X-Y']);
    expect(runChanges(notebook({ mix: { ...mix, preset: null, weights: { mono: 1, mixed: 0, cross: 3 } } }), run)).toEqual(['mix: Hybrid → mono 0.25 + cross 0.75']);
    expect(runChanges(notebook({ mix: { ...mix, batchSize: 64, seed: 2, excludeLanguages: ['de'] } }), run)).toEqual([
      'left out of training: none → de',
      'batch size: 32 → 64',
      'seed: 1 → 2',
    ]);
    expect(runChanges(notebook({ mix: { ...mix, trainFraction: 0.7, languageWeighting: 'size' } }), run)).toEqual([
      'language weighting: uniform → size',
      'training side: 0.5 → 0.7',
    ]);
  });

  it('a trained run goes stale when the training settings change, but not for where it ran or how it was watched', () => {
    const run = trainedRun({});
    expect(runChanges(notebook({ train: { ...train, steps: 500, headKind: 'adapter', rank: 8 } }), run)).toEqual(['what is trained: linear head → adapter r8', 'steps: 300 → 500']);
    expect(runChanges(notebook({ train: { ...train, tune: 'layers', layers: 2 } }), run)).toEqual(['what is trained: linear head → top 2 layers']);
    expect(runChanges(notebook({ train: { ...train, learningRate: 0.001, weightDecay: 0, warmupSteps: 0, temperature: 0.1 } }), run)).toEqual([
      'learning rate: 0.0001 → 0.001',
      'weight decay: 0.01 → 0',
      'warmup steps: 30 → 0',
      'temperature: 0.05 → 0.1',
    ]);
    // A linear head has no rank: changing it changes nothing trained.
    expect(runChanges(notebook({ train: { ...train, rank: 8 } }), run)).toEqual([]);
    expect(runChanges(notebook({ train: { ...train, device: 'cpu', heldOutEvery: 0, heldOutQuestions: 0 } }), run)).toEqual([]);
  });

  it('names the dataset and training changes together', () => {
    expect(runChanges(notebook({ candidateText: 'sentence+paragraph', train: { ...train, steps: 100 } }), trainedRun({}))).toEqual([
      'candidate text: sentence → sentence+paragraph',
      'steps: 300 → 100',
    ]);
  });

  it('a run of "Compare mixes" keeps the mix the experiment chose, and still goes stale with the rest', () => {
    const xxMono = { ...mix, preset: 'x-x-mono' as const, weights: { mono: 1, mixed: 0, cross: 0 } };
    const run = trainedRun({ mix: xxMono, experimentId: 'experiment-1' });
    expect(runChanges(notebook({}), run)).toEqual([]);
    expect(runChanges(notebook({ mix: { ...mix, seed: 3 } }), run)).toEqual(['seed: 1 → 3']);
  });

  it('a run of a sweep keeps the mix and seed of its point of the grid', () => {
    const point = { ...mix, preset: null, weights: { mono: 0.25, mixed: 0, cross: 0.75 }, seed: 2 };
    const run = trainedRun({ mix: point, sweep: { id: 'sweep-1', alpha: 0.25, seed: 2 } });
    expect(runChanges(notebook({}), run)).toEqual([]);
    expect(runChanges(notebook({ train: { ...train, steps: 50 } }), run)).toEqual(['steps: 300 → 50']);
  });
});

describe('running tasks', () => {
  it('are the evaluation and the training that a reload would interrupt, in words', () => {
    const idle = initialState(null);
    expect(runningTasks(idle)).toEqual([]);
    const training = { startedAt: 20, label: 'X-Y', steps: 300, controllable: true, experiment: null };
    const busy = [
      { type: 'evaluationStarted', id: 1, startedAt: 10 },
      { type: 'trainingStarted', id: 2, training },
      { type: 'mixPreviewStarted', id: 3 },
    ].reduce((state, action) => reducer(state, action as Action), idle);
    expect(runningTasks(busy)).toEqual([
      { what: 'An evaluation', startedAt: 10 },
      { what: 'Training (X-Y)', startedAt: 20 },
    ]);
    const cancelled = reducer(busy, { type: 'evaluationFailed', id: 1, error: { name: 'AbortError', message: '' } });
    expect(runningTasks(cancelled)).toEqual([{ what: 'Training (X-Y)', startedAt: 20 }]);
  });
});

describe('datasetView: languages the source does not have', () => {
  it('names the languages asked for (by a link, say) that the folder lacks, and keeps the rest', () => {
    const base = initialState(null);
    const state = {
      ...base,
      settings: { ...base.settings, dataset: { ...base.settings.dataset, source: 'folder' as const, folder: 'xquad-r', languages: ['xx', 'de', 'yy'] } },
      folderIndex: { folders: [{ name: 'xquad-r', files: [{ name: 'de.json', size: 1 }, { name: 'en.json', size: 1 }] }] },
    };
    const view = datasetView(state);
    expect(view.available).toEqual(['de', 'en']);
    expect(view.missing).toEqual(['xx', 'yy']);
    expect(view.selection?.languages).toEqual(['de']);
    expect(datasetView({ ...state, settings: { ...state.settings, dataset: { ...state.settings.dataset, languages: null } } }).missing).toEqual([]);
  });
});
