/** The Encoder cell's slice: served model folders, the model load, the browser's caches, embedding files. */
import type { Action, AppState, EncoderSlice } from '../app-state';
import { WORKER_STOPPED } from '../../../../workers/supervised';
import { ended, finished, progressed, started } from '../task';

export function reduceEncoder(state: AppState, action: Action): Partial<EncoderSlice> {
  const { model, embeddingFiles } = state;
  switch (action.type) {
    case 'modelIndexLoaded':
      return { modelIndex: action.index };
    case 'modelLoadStarted':
      return { model: started(action.id, { spec: action.spec }, { loaded: 0, total: 0, file: null }) };
    case 'modelLoadProgress':
      return { model: progressed(model, action.id, () => ({ loaded: action.loaded, total: action.total, file: action.file })) };
    case 'modelLoaded':
      return { model: finished(model, action.id, action.info) };
    case 'modelLoadFailed':
      return { model: ended(model, action.id, action.error) };
    case 'encoderWorkerReplaced':
      return model.status === 'done' ? { model: { status: 'interrupted', job: model.job, error: { name: WORKER_STOPPED, message: action.failure } } } : {};
    case 'modelCacheListed':
      return { modelCache: action.cache, modelCacheError: null };
    case 'modelCacheFailed':
      return { modelCacheError: action.error };
    case 'embeddingsListed':
      return { embeddingFiles: { ...embeddingFiles, sets: action.sets, error: null } };
    case 'embeddingsStoring':
      return { embeddingFiles: { ...embeddingFiles, storing: true, error: null } };
    case 'embeddingsStored': {
      const sets = [...(embeddingFiles.sets ?? []).filter((s) => s.key !== action.set.key), action.set].sort((a, b) => a.name.localeCompare(b.name));
      return { embeddingFiles: { sets, storing: false, fit: action.fit, error: null } };
    }
    case 'embeddingsChecked':
      return { embeddingFiles: { ...embeddingFiles, fit: action.fit } };
    case 'embeddingsFailed':
      return { embeddingFiles: { ...embeddingFiles, storing: false, error: action.error } };
    default:
      return {};
  }
}
