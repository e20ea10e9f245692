/**
 * The notebook's explicit runs (Load, Evaluate, preview a mix, Train, Compare mixes, Cancel): each talks to the lab worker and reports
 * through reducer actions, so components only render state and call these.
 */
import { downloadBlob, downloadText } from '../download';
import type { Dispatch } from 'react';
import type { LoadOptions } from '../../core/dataset/types';
import { type FileSource, type TrainingControl } from '../../../workers/lab/protocol';
import { toWireError } from '../../../workers/rpc';
import { fileSourceOf } from '../datasets/sources';
import type { LabClient } from '../worker-client';
import type { Action, AppState } from './app-state';
import { allocateRunNumber } from './run-store';
import { saveHead, loadHead, loadTunedLayers, saveTunedLayers } from './heads';
import { frozenSideOf, matchingRuns, type Run, type RunBase, type SweepPoint, type TrainedRun } from './runs';
import type { EvalReport } from '../../core/metrics/types';
import type { DatasetSelection, Settings } from './settings';
import { classroomSelection, classroomSettings } from './classroom';
import { COMPARED_MIXES, mixLabel, splitChoice, trainingConfig, tuneChoice, withPreset } from './training';

export interface LabActions {
  loadSelection(selection: DatasetSelection): void;
  /** A fresh pick loads in full: its languages are not known before parsing. */
  loadPickedFiles(files: { name: string; blob: Blob }[]): void;
  cancelDatasetLoad(): void;
  evaluate(): void;
  cancelEvaluation(): void;
  /** Recomputes the Batch Mix preview for the current settings (in the worker). */
  previewMix(): void;
  /** Trains a head with the current settings; the result becomes a trained run. */
  train(): void;
  /** Trains X-X-mono, X-Y and hybrid one after another with the same seed and split. */
  compareMixes(): void;
  /**
   * Trains mono = alpha, cross = 1 - alpha for every alpha and seed (the seed picks the split and the
   * batches, as `xling sweep` does), each an ordinary trained run; Stop keeps the finished runs.
   * `resumeId`: finish that sweep, training only the points it has no run for.
   */
  sweep(alphas: number[], seeds: number[], resumeId?: string): void;
  controlTraining(control: TrainingControl): void;
  stopTraining(): void;
  /** The classroom preset: a small XQuAD-R subset, loaded, evaluated and trained with three mixes (classroom.ts). */
  classroomDemo(): void;
  /** Stops the classroom preset where it is: a load or evaluation is cancelled, a training keeps its best head so far, no further mix. */
  stopClassroom(): void;
  /**
   * Adds the frozen encoder on `run`'s evaluation side (its `before`, already measured) as a run of
   * its own and shows `run` against it: a comparison of like with like.
   */
  addFrozenSide(run: Run): void;
  /** Downloads a trained run's head (the JSON of serializeHead). */
  exportHead(run: TrainedRun): void;
  /** Downloads a layer run's tuned encoder as a zipped model folder. */
  exportTunedModel(run: TrainedRun): void;
  /** Measures an exported head on the evaluation side of the current split; the result becomes a run. */
  importHead(file: File): void;
}

const NOTHING_TRAINED = 'Stopped before the first step: nothing was trained, so no run was kept.';
const STOPPED_WHILE_STOPPING = 'Stopped again while the head was being measured: no run was kept.';

export function createLabActions(client: LabClient, dispatch: Dispatch<Action>, getState: () => AppState): LabActions {
  // Task ids tag reducer actions; the worker call ids are kept here for Cancel.
  let nextTask = 1;
  let datasetCall: number | null = null;
  let evaluationCall: number | null = null;
  let trainingCall: number | null = null;
  /** Set by Stop: a "Compare mixes" experiment trains no further mix. */
  let stopRequested = false;
  /** Set by the classroom preset's Stop: its chain (load, evaluate, mixes) goes no further. */
  let classroomStopped = false;

  /** The fields every kind of run shares: what it was computed on and with, numbered after the last run. */
  async function newRun(loaded: NonNullable<AppState['loaded']>, settings: Settings, startedAt: number, backend: string, report: EvalReport): Promise<RunBase> {
    const { encoder, candidateText, scoring } = settings;
    return {
      id: crypto.randomUUID(),
      number: await allocateRunNumber(getState().runs),
      createdAt: startedAt,
      selection: loaded.selection,
      datasetName: loaded.dataset.summary.name,
      languages: loaded.dataset.summary.languages.map((l) => l.lang),
      encoder,
      candidateText,
      scoring,
      backend,
      report,
    };
  }

  /** One training run with these settings; resolves true when it finished and was added as a run. */
  async function trainOnce(settings: Settings, experiment: { id: string; index: number; count: number } | null, sweep?: SweepPoint): Promise<boolean> {
    const { loaded } = getState();
    if (!loaded) return false;
    const { encoder, candidateText, scoring, mix, train } = settings;
    const config = trainingConfig(settings);
    const id = nextTask++;
    const startedAt = Date.now();
    dispatch({
      type: 'trainingStarted',
      id,
      training: {
        startedAt,
        label: mixLabel(mix),
        steps: config.steps,
        controllable: true,
        experiment: experiment && { index: experiment.index, count: experiment.count },
      },
    });
    const call = client.call('train', { request: { encoder, candidateText, scoring, device: train.device, split: splitChoice(mix), config, tune: tuneChoice(train) } }, (progress) =>
      dispatch({ type: 'trainingProgress', id, progress }),
    );
    trainingCall = call.id;
    try {
      const { outcome, head, layers } = await call.reply;
      // A Stop that reached the trainer before its first step: no head was trained, so there is no run.
      if (outcome.stepsRun === 0) {
        dispatch({ type: 'trainingStoppedEmpty', id, note: NOTHING_TRAINED });
        return false;
      }
      const run: Run = {
        kind: 'trained',
        ...(await newRun(loaded, settings, startedAt, outcome.scoringBackend, outcome.after)),
        training: { mix, train, config, outcome, experimentId: experiment?.id ?? null, ...(sweep ? { sweep } : {}) },
      };
      if (head !== null) await saveHead(run.id, head);
      if (layers) await saveTunedLayers(run.id, layers);
      dispatch({ type: 'trainingFinished', id, run });
      return true;
    } catch (error) {
      dispatch({ type: 'trainingFailed', id, error: toWireError(error) });
      return false;
    } finally {
      // A Stop that cancels ends the task at once, so a newer training may hold the call by now.
      if (trainingCall === call.id) trainingCall = null;
    }
  }

  function canTrain(): boolean {
    const state = getState();
    return state.loaded !== null && state.training.status !== 'running';
  }

  /**
   * Resolves true once the rendered state satisfies `ready` (false after 10 s): getState() reads the
   * state of the last render, so a chain of runs waits for each result to land before the next.
   */
  async function settled(ready: (state: AppState) => boolean): Promise<boolean> {
    for (const start = Date.now(); Date.now() - start < 10_000; ) {
      if (ready(getState())) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  /** Resolves true when the dataset loaded. */
  async function load(selection: DatasetSelection | null, source: () => Promise<FileSource>, options: LoadOptions): Promise<boolean> {
    const id = nextTask++;
    dispatch({ type: 'datasetLoadStarted', id, selection });
    try {
      const call = client.call('loadDataset', { source: await source(), options }, (progress) =>
        dispatch({ type: 'datasetLoadProgress', id, progress }),
      );
      datasetCall = call.id;
      const { dataset } = await call.reply;
      const loadedSelection: DatasetSelection = selection ?? {
        source: { kind: 'files', files: dataset.stored ?? [] },
        languages: null,
        articles: null,
      };
      dispatch({ type: 'datasetLoaded', id, selection: loadedSelection, dataset });
      return true;
    } catch (error) {
      dispatch({ type: 'datasetLoadFailed', id, error: toWireError(error) });
      return false;
    }
  }

  function loadSelection(selection: DatasetSelection): Promise<boolean> {
    const options: LoadOptions = {};
    if (selection.languages) options.languages = selection.languages;
    if (selection.articles) options.articles = selection.articles;
    return load(selection, () => fileSourceOf(selection.source), options);
  }

  /** Resolves true when the evaluation finished and became a run. */
  async function evaluate(): Promise<boolean> {
    const state = getState();
    const { loaded } = state;
    if (!loaded || state.evaluation.status === 'running') return false;
    const { encoder, candidateText, scoring, ranking } = state.settings;
    const id = nextTask++;
    const startedAt = Date.now();
    dispatch({ type: 'evaluationStarted', id, startedAt });
    const call = client.call('evaluate', { encoder, candidateText, scoring, ranking }, (progress) =>
      dispatch({ type: 'evaluationProgress', id, progress }),
    );
    evaluationCall = call.id;
    try {
      const { report, backend, model } = await call.reply;
      const run: Run = { kind: 'evaluation', ...(await newRun(loaded, state.settings, startedAt, backend, report)), model };
      dispatch({ type: 'evaluationFinished', id, run });
      return true;
    } catch (error) {
      dispatch({ type: 'evaluationFailed', id, error: toWireError(error) });
      return false;
    }
  }

  /** Trains each mix of the paper's tables in turn, with the same seed and split; Stop ends the series. */
  async function compareMixes(): Promise<void> {
    if (!canTrain()) return;
    stopRequested = false;
    const experimentId = crypto.randomUUID();
    const base = getState().settings;
    for (const [index, preset] of COMPARED_MIXES.entries()) {
      const settings: Settings = { ...base, mix: withPreset(base.mix, preset) };
      const finished = await trainOnce(settings, { id: experimentId, index, count: COMPARED_MIXES.length });
      if (!finished || stopRequested) return;
    }
  }

  function stopTraining(): void {
    stopRequested = true;
    if (trainingCall === null) return;
    const { training } = getState();
    if (training.status !== 'running') return;
    const { job, progress } = training;
    // A training keeps its best head so far. Before its first step there is none, and a second Stop
    // while the kept head is measured asks for no more waiting: both end now with nothing kept
    // (before, the first saved a "0 steps" run or, during encoding, was lost; the second did nothing).
    if (job.controllable && progress.loss.length > 0 && !progress.stopping) {
      client.controlTraining(trainingCall, 'stop');
      dispatch({ type: 'trainingStopping', id: training.id });
      return;
    }
    if (job.controllable) dispatch({ type: 'trainingStoppedEmpty', id: training.id, note: progress.stopping ? STOPPED_WHILE_STOPPING : NOTHING_TRAINED });
    client.cancel(trainingCall);
  }

  /** The frozen side of `run` as a run, unless one is there already; resolves with the run compared with. */
  async function addFrozenSide(run: Run): Promise<void> {
    const frozen = frozenSideOf(run);
    if (!frozen) return;
    const existing = matchingRuns(getState().runs, run).find((other) => other.kind === 'evaluation');
    if (existing) {
      dispatch({ type: 'runSelected', id: run.id });
      dispatch({ type: 'compareRunChosen', id: existing.id });
      return;
    }
    const { selection, datasetName, languages, encoder, candidateText, scoring, backend, model } = run;
    const added: Run = {
      kind: 'evaluation',
      id: crypto.randomUUID(),
      number: await allocateRunNumber(getState().runs),
      createdAt: Date.now(),
      selection,
      datasetName,
      languages,
      encoder,
      candidateText,
      scoring,
      backend,
      ...(model === undefined ? {} : { model }),
      report: frozen.report,
      side: frozen.side,
    };
    dispatch({ type: 'frozenSideAdded', run: added, shownRunId: run.id });
  }

  return {
    addFrozenSide(run) {
      void addFrozenSide(run);
    },

    loadSelection(selection) {
      void loadSelection(selection);
    },

    loadPickedFiles(files) {
      void load(null, async () => ({ kind: 'picked', files }), {});
    },

    cancelDatasetLoad() {
      if (datasetCall !== null) client.cancel(datasetCall);
    },

    evaluate() {
      void evaluate();
    },

    cancelEvaluation() {
      if (evaluationCall !== null) client.cancel(evaluationCall);
    },

    previewMix() {
      const { settings, loaded } = getState();
      if (!loaded) return;
      const id = nextTask++;
      dispatch({ type: 'mixPreviewStarted', id });
      client.call('previewMix', { split: splitChoice(settings.mix), config: trainingConfig(settings) }).reply.then(
        ({ preview }) => dispatch({ type: 'mixPreviewReady', id, preview }),
        (error: unknown) => dispatch({ type: 'mixPreviewFailed', id, error: toWireError(error) }),
      );
    },

    train() {
      if (!canTrain()) return;
      stopRequested = false;
      void trainOnce(getState().settings, null);
    },

    compareMixes() {
      void compareMixes();
    },

    classroomDemo() {
      const state = getState();
      if (state.classroom || state.datasetTask.status === 'running' || state.evaluation.status === 'running' || state.training.status === 'running') return;
      const folder = state.folderIndex?.folders.some((f) => f.name === 'xquad-r') ? 'xquad-r' : null;
      dispatch({ type: 'settingsReplaced', settings: classroomSettings(state.settings, folder) });
      dispatch({ type: 'classroomStarted', startedAt: Date.now() });
      classroomStopped = false;
      const selection = classroomSelection(folder);
      void (async () => {
        try {
          const previous = getState().loaded;
          if (!(await loadSelection(selection)) || !(await settled((next) => next.loaded !== previous && next.loaded !== null)) || classroomStopped) return;
          const runs = getState().runs.length;
          if (!(await evaluate()) || !(await settled((next) => next.runs.length > runs)) || classroomStopped) return;
          await compareMixes();
          // The frozen encoder on the mixes' evaluation side, as a run: the tour's comparison is like with like.
          const last = getState().runs.at(-1);
          if (last?.kind === 'trained' && last.training.experimentId !== null) await addFrozenSide(last);
        } finally {
          dispatch({ type: 'classroomEnded' });
        }
      })();
    },

    stopClassroom() {
      classroomStopped = true;
      dispatch({ type: 'classroomStopping' });
      if (datasetCall !== null) client.cancel(datasetCall);
      if (evaluationCall !== null) client.cancel(evaluationCall);
      stopTraining();
    },

    sweep(alphas, seeds, resumeId) {
      if (!canTrain() || alphas.length === 0 || seeds.length === 0) return;
      stopRequested = false;
      const id = nextTask++;
      const sweepId = resumeId ?? crypto.randomUUID();
      const done = (alpha: number, seed: number) =>
        getState().runs.some((run) => run.kind === 'trained' && run.training.sweep?.id === sweepId && run.training.sweep.alpha === alpha && run.training.sweep.seed === seed);
      const base = getState().settings;
      const doneAtStart = seeds.flatMap((seed) => alphas.filter((alpha) => done(alpha, seed))).length;
      dispatch({ type: 'sweepStarted', id, sweepId, total: alphas.length * seeds.length, doneAtStart, startedAt: Date.now() });
      void (async () => {
        try {
          for (const seed of seeds) {
            for (const alpha of alphas) {
              // Finishing a sweep trains only the points it misses.
              if (done(alpha, seed)) continue;
              const mix = { ...base.mix, preset: null, weights: { mono: alpha, mixed: 0, cross: 1 - alpha }, seed };
              const finished = await trainOnce({ ...base, mix }, null, { id: sweepId, alpha, seed, alphas, seeds });
              if (!finished || stopRequested) return;
            }
          }
        } finally {
          dispatch({ type: 'sweepEnded', id });
        }
      })();
    },

    controlTraining(control) {
      if (trainingCall !== null) client.controlTraining(trainingCall, control);
    },

    stopTraining,

    exportHead(run) {
      void loadHead(run.id).then(
        (head) => {
          if (!head) {
            dispatch({ type: 'headExportFailed', message: `The head of Run ${run.number} is no longer stored in this browser.` });
            return;
          }
          downloadText(`xling-head-run-${run.number}.json`, head);
        },
        (error: unknown) => dispatch({ type: 'headExportFailed', message: error instanceof Error ? error.message : String(error) }),
      );
    },

    exportTunedModel(run) {
      void (async () => {
        const layers = await loadTunedLayers(run.id);
        if (!layers) throw new Error(`The tuned layers of Run ${run.number} are no longer stored in this browser.`);
        if (run.encoder.kind !== 'transformer') throw new Error(`Run ${run.number} did not tune a transformer encoder.`);
        const { zip } = await client.call('exportModel', { spec: run.encoder, layers }).reply;
        downloadBlob(new Blob([zip.slice()], { type: 'application/zip' }), `xling-tuned-run-${run.number}.zip`);
      })().catch((error: unknown) => dispatch({ type: 'headExportFailed', message: error instanceof Error ? error.message : String(error) }));
    },

    importHead(file) {
      const { loaded, settings } = getState();
      if (!loaded || !canTrain()) return;
      const { encoder, candidateText, scoring, mix } = settings;
      const id = nextTask++;
      const startedAt = Date.now();
      dispatch({ type: 'trainingStarted', id, training: { startedAt, label: `head from ${file.name}`, steps: 0, controllable: false, experiment: null } });
      void (async () => {
        try {
          const call = client.call('evaluateHead', { head: await file.text(), request: { encoder, candidateText, scoring, split: splitChoice(mix) } }, (progress) =>
            dispatch({ type: 'trainingProgress', id, progress }),
          );
          trainingCall = call.id;
          const { evaluation } = await call.reply;
          const run: Run = {
            kind: 'head',
            ...(await newRun(loaded, settings, startedAt, evaluation.scoringBackend, evaluation.after)),
            head: { fileName: file.name, ...evaluation.head, split: evaluation.split, before: evaluation.before },
          };
          dispatch({ type: 'trainingFinished', id, run });
        } catch (error) {
          dispatch({ type: 'trainingFailed', id, error: toWireError(error) });
        } finally {
          trainingCall = null;
        }
      })();
    },
  };
}
