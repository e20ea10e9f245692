/** The Dataset cell's slice: the data folder's listing, the catalog's cache, the loaded dataset and the load in progress. */
import type { Action, AppState, DatasetSlice } from '../app-state';
import { ended, finished, IDLE, progressed, started, taskError } from '../task';
import { loadedSelection } from './settings';

export function reduceDataset(state: AppState, action: Action): Partial<DatasetSlice> {
  const task = state.datasetTask;
  switch (action.type) {
    case 'folderIndexLoaded':
      return { folderIndex: action.index };
    case 'catalogCacheCounted':
      return { catalogCache: action.counts };
    case 'datasetSettingsChanged': {
      // A failed load's problems belong to the source that failed, not to the one chosen now.
      const sourceLeft = action.patch.source !== undefined && action.patch.source !== state.settings.dataset.source;
      return taskError(task) && sourceLeft ? { datasetTask: IDLE } : {};
    }
    case 'datasetLoadStarted':
      return { datasetTask: started(action.id, { selection: action.selection }, null) };
    case 'datasetLoadProgress':
      return { datasetTask: progressed(task, action.id, () => action.progress) };
    case 'datasetLoaded': {
      const datasetTask = finished(task, action.id, null);
      if (datasetTask === task) return {};
      return { datasetTask, loaded: { selection: loadedSelection(action.selection, action.dataset.available), dataset: action.dataset } };
    }
    case 'datasetLoadFailed':
      // The dataset loaded before stays loaded: a failed load loses nothing.
      return { datasetTask: ended(task, action.id, action.error) };
    default:
      return {};
  }
}
