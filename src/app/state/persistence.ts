/**
 * Keeps the notebook across reloads in IndexedDB: settings and which dataset was loaded (loaded
 * again on startup) in one record, runs one record per run (run-store.ts). Saves are debounced; a
 * pending save is flushed when the page hides. Reading never throws: what cannot be read is
 * reported in `StorageReport` (shown at the top of the page) and the rest loads.
 */
import { createStore, get, set } from 'idb-keyval';
import type { AppState, PersistedState } from './app-state';
import { isRecord } from '../../core/dataset/issues';
import { takeInterruptedTasks } from './interrupted';
import { runningJob } from './task';
import { loadStoredRuns, type SkippedRun } from './run-store';
import { selectionCheck } from './run-schema';
import { sanitizeSettings, type DatasetSelection } from './settings';
import type { Rejection } from './setting-fields';

const store = createStore('xling-lab-state', 'state');
const KEY = 'notebook';
/**
 * 1: runs inside this record (moved to their own records on first read); 2: runs in run-store.ts.
 * A record of a newer version keeps its settings only, with a note.
 */
const VERSION = 2;
const SAVE_DELAY_MS = 300;

/** What could not be restored, for the notice at the top of the page. */
export interface StorageReport {
  /** Why the saved notebook could not be read at all (the page then starts fresh). */
  unreadable: string | null;
  /** Parts left out, in words (a dataset choice that is not one, a newer version's record). */
  notes: string[];
  skippedRuns: SkippedRun[];
  /** Tasks that a reload of this tab interrupted, in words (interrupted.ts). */
  interrupted: string[];
}

export async function loadPersistedState(): Promise<{ persisted: PersistedState | null; report: StorageReport }> {
  const report: StorageReport = { unreadable: null, notes: [], skippedRuns: [], interrupted: takeInterruptedTasks() };
  let saved: unknown;
  try {
    saved = await get(KEY, store);
  } catch (error) {
    report.unreadable = `the saved notebook could not be read (${errorText(error)}); the page starts fresh`;
    return { persisted: null, report };
  }
  const record = isRecord(saved) ? saved : {};
  const version = record.version;
  if (saved !== undefined && !isRecord(saved)) report.notes.push('the saved notebook was not an object: its settings were left out');
  if (typeof version === 'number' && version > VERSION) report.notes.push(`the saved notebook comes from a newer version of xling-lab (${version}): only its settings were kept`);
  const current = version === 1 || version === VERSION;

  let runs: PersistedState['runs'] = [];
  try {
    const stored = await loadStoredRuns(version === 1 && Array.isArray(record.runs) ? record.runs : []);
    runs = stored.runs;
    report.skippedRuns = stored.skipped;
    // The runs now live in their own records: the notebook record no longer holds them.
    if (version === 1) await set(KEY, { ...record, version: VERSION, runs: undefined }, store);
  } catch (error) {
    report.unreadable = `the saved runs could not be read (${errorText(error)}); they are still in storage`;
  }

  let loadedSelection: DatasetSelection | null = null;
  if (current && record.loadedSelection != null) {
    if (isSelection(record.loadedSelection)) loadedSelection = record.loadedSelection;
    else report.notes.push(`the dataset loaded last time could not be restored (${selectionCheck(record.loadedSelection, 'loadedSelection')[0]}): pick it again`);
  }
  const rejected: Rejection[] = [];
  const settings = sanitizeSettings(record.settings, rejected);
  for (const { path, problem } of rejected) report.notes.push(`the saved setting ${path} was left out (${problem}): its default is used`);
  const known = (id: unknown) => (typeof id === 'string' && runs.some((run) => run.id === id) ? id : null);
  return {
    persisted: {
      settings,
      loadedSelection,
      runs,
      selectedRunId: current ? known(record.selectedRunId) : null,
      compareRunId: current ? known(record.compareRunId) : null,
    },
    report,
  };
}

/** A stored dataset choice that selectionCheck finds nothing wrong with. */
function isSelection(value: unknown): value is DatasetSelection {
  return selectionCheck(value, '').length === 0;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The notebook record: everything that survives a reload except the runs (saved one by one). */
export type NotebookRecord = Omit<PersistedState, 'runs'>;

export function persistedPart(state: AppState): NotebookRecord {
  const loading = runningJob(state.datasetTask)?.selection ?? null;
  return {
    settings: state.settings,
    // While the saved dataset is still being restored, keep it as the one to restore.
    loadedSelection: state.loaded?.selection ?? loading,
    selectedRunId: state.selectedRunId,
    compareRunId: state.compareRunId,
  };
}

export function createSaver(): { save(state: NotebookRecord): void; flush(): void } {
  let pending: NotebookRecord | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    if (!pending) return;
    const state = pending;
    pending = null;
    set(KEY, { version: VERSION, ...state }, store).catch((error: unknown) => console.warn('Could not save the notebook:', error));
  };
  return {
    save(state) {
      pending = state;
      clearTimeout(timer);
      timer = setTimeout(flush, SAVE_DELAY_MS);
    },
    flush,
  };
}
