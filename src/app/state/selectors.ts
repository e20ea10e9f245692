/** Values derived from the state that several cells need: what a Load would read, what is stale, what is running. */
import { formatOfFileNames, languagesFromFileNames, type DatasetFormat } from '../../core/dataset/load';
import { sourceFileNames } from '../datasets/sources';
import type { AppState } from './app-state';
import type { RunningTask } from './interrupted';
import { runningJob } from './task';
import { inputChanges, trainingChanges, type Run, type RunInputs } from './runs';
import { chosenSelection, chosenSource, sameSelection, sameSource, type DatasetSelection, type DatasetSource } from './settings';

export interface DatasetView {
  source: DatasetSource | null;
  /** The source's languages, when known before loading (LAReQA file names) or from loading it. */
  available: string[] | null;
  /** The source's format, when its file names say (the articles subset is LAReQA's alone). */
  format: DatasetFormat | null;
  selection: DatasetSelection | null;
  /** A dataset is loaded but the settings now ask for another one or another subset. */
  stale: boolean;
  /** Languages the settings ask for (from a link, say) that the source does not have. */
  missing: string[];
}

export function datasetView(state: AppState): DatasetView {
  const source = chosenSource(state.settings.dataset);
  const { loaded } = state;
  const names = source ? sourceFileNames(source, state.folderIndex) : null;
  const fromLoad = loaded && source && sameSource(loaded.selection.source, source) ? loaded.dataset.available : null;
  const available = (names && languagesFromFileNames(names)) ?? fromLoad;
  const format = names && formatOfFileNames(names);
  const selection = chosenSelection(state.settings.dataset, available, format);
  const stale = loaded !== null && (selection === null || !sameSelection(loaded.selection, selection));
  const wanted = state.settings.dataset.languages;
  const missing = wanted && available ? wanted.filter((lang) => !available.includes(lang)) : [];
  return { source, available, format, selection, stale, missing };
}

function currentInputs(state: AppState): RunInputs {
  const { encoder, candidateText, scoring } = state.settings;
  return { selection: datasetView(state).selection, encoder, candidateText, scoring };
}

/** How the settings now differ from what a run was computed with, in words; empty when the run is current. */
export function runChanges(state: AppState, run: Run): string[] {
  const changes = inputChanges(run, currentInputs(state));
  return run.kind === 'trained' ? [...changes, ...trainingChanges(run.training, state.settings)] : changes;
}

/** The tasks a reload would interrupt (evaluations and trainings: the ones that take minutes), in words. */
export function runningTasks(state: AppState): RunningTask[] {
  const evaluation = runningJob(state.evaluation);
  const training = runningJob(state.training);
  return [
    ...(evaluation ? [{ what: 'An evaluation', startedAt: evaluation.startedAt }] : []),
    ...(training ? [{ what: `Training (${training.label})`, startedAt: training.startedAt }] : []),
  ];
}

/** Why no run may start while a number field shows an invalid value; null when none does. */
export function invalidFieldsBlocker(state: AppState): string | null {
  const labels = [...new Set(Object.values(state.invalidFields))];
  if (labels.length === 0) return null;
  return `Fix ${labels.map((label) => `"${label}"`).join(', ')} first: a run would not use the value shown.`;
}
