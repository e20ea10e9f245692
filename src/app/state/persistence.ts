/**
 * Keeps the notebook across reloads in IndexedDB: settings, runs, and which dataset was loaded
 * (loaded again on startup). Saves are debounced; a pending save is flushed when the page hides.
 */
import { createStore, get, set } from 'idb-keyval';
import type { AppState, PersistedState } from './reducer';
import type { Run } from './runs';
import { isRecord } from '../../core/dataset/issues';
import { sanitizeSettings } from './settings';

const store = createStore('xling-lab-state', 'state');
const KEY = 'notebook';
/** Bump when PersistedState changes shape; older saves then keep their settings only. */
const VERSION = 1;
const SAVE_DELAY_MS = 300;

export async function loadPersistedState(): Promise<PersistedState | null> {
  let saved: unknown;
  try {
    saved = await get(KEY, store);
  } catch {
    return null; // No IndexedDB (private mode in some browsers): start fresh.
  }
  if (!isRecord(saved)) return null;
  const current = saved.version === VERSION;
  return {
    settings: sanitizeSettings(saved.settings),
    loadedSelection: current ? (saved.loadedSelection as PersistedState['loadedSelection']) : null,
    // Runs saved before trained runs existed were all evaluations.
    runs: current && Array.isArray(saved.runs) ? (saved.runs as Run[]).map((run) => ({ ...run, kind: run.kind ?? 'evaluation' }) as Run) : [],
    selectedRunId: current && typeof saved.selectedRunId === 'string' ? saved.selectedRunId : null,
    compareRunId: current && typeof saved.compareRunId === 'string' ? saved.compareRunId : null,
  };
}

export function persistedPart(state: AppState): PersistedState {
  const loading = state.datasetTask.status === 'loading' ? state.datasetTask.selection : null;
  return {
    settings: state.settings,
    // While the saved dataset is still being restored, keep it as the one to restore.
    loadedSelection: state.loaded?.selection ?? loading,
    runs: state.runs,
    selectedRunId: state.selectedRunId,
    compareRunId: state.compareRunId,
  };
}

export function createSaver(): { save(state: PersistedState): void; flush(): void } {
  let pending: PersistedState | null = null;
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
