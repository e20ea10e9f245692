/** The Batch Mix cell's slice: the preview of the batches the settings would draw. */
import type { Action, AppState, MixSlice } from '../app-state';
import { ended, finished, isCurrent, started } from '../task';

export function reduceMix(state: AppState, action: Action): Partial<MixSlice> {
  const { mixPreview } = state;
  const { task } = mixPreview;
  switch (action.type) {
    case 'mixPreviewStarted':
      return { mixPreview: { ...mixPreview, task: started(action.id, null, null) } };
    case 'mixPreviewReady':
      return isCurrent(task, action.id) ? { mixPreview: { task: finished(task, action.id, action.preview), preview: action.preview, error: null } } : {};
    case 'mixPreviewFailed':
      return isCurrent(task, action.id) ? { mixPreview: { task: ended(task, action.id, action.error), preview: null, error: action.error } } : {};
    default:
      return {};
  }
}
