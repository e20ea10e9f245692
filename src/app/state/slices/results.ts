/** The Results cell's slice: the runs (finished evaluations and trainings, imported ones, other tabs' ones), which are shown, their paired statistics. */
import type { Action, AppState, ResultsSlice } from '../app-state';
import type { Run } from '../runs';
import type { SignificanceTask } from '../significance';
import { ended, finished, isCurrent, progressed, started } from '../task';

export function reduceResults(state: AppState, action: Action): Partial<ResultsSlice> {
  switch (action.type) {
    // A finished task's run is added only when it is the task still running (a stale answer adds nothing).
    case 'evaluationFinished':
      return isCurrent(state.evaluation, action.id) ? added(state, action.run) : {};
    case 'trainingFinished':
      return isCurrent(state.training, action.id) ? added(state, action.run) : {};
    case 'runSelected':
      return { selectedRunId: action.id, compareRunId: state.compareRunId === action.id ? null : state.compareRunId };
    case 'frozenSideAdded':
      return { runs: [...state.runs, action.run], selectedRunId: action.shownRunId, compareRunId: action.run.id };
    case 'compareRunChosen':
      return { compareRunId: action.id };
    case 'runsImported': {
      const { runs, alreadyHere, selectedRunId, compareRunId } = action.imported;
      const addedRuns = runs.length === 0 ? 'no new runs' : `${runs.map((run) => `Run ${run.number}`).join(', ')}`;
      const skipped = alreadyHere > 0 ? `; ${alreadyHere} already here` : '';
      return {
        runs: [...state.runs, ...runs],
        selectedRunId: selectedRunId ?? state.selectedRunId,
        compareRunId: selectedRunId ? compareRunId : state.compareRunId,
        runsImport: { ok: true, message: `Imported from ${action.fileName}: ${addedRuns}${skipped}.` },
      };
    }
    case 'runsImportFailed':
      return { runsImport: { ok: false, message: action.message } };
    case 'runsArrived': {
      const known = new Set(state.runs.map((run) => run.id));
      const arrived = action.runs.filter((run) => !known.has(run.id));
      if (arrived.length === 0) return {};
      return { runs: [...state.runs, ...arrived].sort((a, b) => a.number - b.number || a.createdAt - b.createdAt) };
    }
    case 'runDeleted': {
      const runs = state.runs.filter((run) => run.id !== action.id);
      return {
        runs,
        selectedRunId: state.selectedRunId === action.id ? (runs.at(-1)?.id ?? null) : state.selectedRunId,
        compareRunId: state.compareRunId === action.id ? null : state.compareRunId,
      };
    }
    case 'significanceStarted':
      return withComparison(state, action.key, started(action.id, null, null));
    case 'significanceProgress':
      return withComparison(state, action.key, progressed(comparison(state, action.key), action.id, () => action.progress));
    case 'significanceFinished':
      return withComparison(state, action.key, finished(comparison(state, action.key), action.id, action.comparison));
    case 'significanceFailed':
      return withComparison(state, action.key, ended(comparison(state, action.key), action.id, action.error));
    default:
      return {};
  }
}

function added(state: AppState, run: Run): Partial<ResultsSlice> {
  return { runs: [...state.runs, run], selectedRunId: run.id };
}

function comparison(state: AppState, key: string): SignificanceTask {
  return state.significance[key] ?? { status: 'idle' };
}

function withComparison(state: AppState, key: string, task: SignificanceTask): Partial<ResultsSlice> {
  return task === state.significance[key] || task.status === 'idle' ? {} : { significance: { ...state.significance, [key]: task } };
}
