/**
 * The Encoder cell's explicit runs against the encoder worker: load a transformer ahead of a run
 * (download with progress, cancellable), list and clear the browser's model and embedding caches,
 * and stage a picked or dropped model folder.
 */
import type { Dispatch } from 'react';
import { toWireError } from '../../../workers/rpc';
import type { EncoderClient } from '../worker-client';
import type { Action, AppState } from './app-state';
import { dtypeFor } from '../../core/encoders/model-folder';

export interface ModelActions {
  loadModel(): void;
  cancelModelLoad(): void;
  refreshModelCache(): void;
  /** `model` as the cache lists it; null clears every model and every cached embedding. */
  clearModelCache(model: string | null): void;
  /** A model folder the user picked or dropped (`path` relative to the folder); it becomes the chosen model. */
  pickModelFolder(name: string, files: { path: string; blob: Blob }[]): void;
}

export function createModelActions(encoder: EncoderClient, dispatch: Dispatch<Action>, getState: () => AppState): ModelActions {
  let nextTask = 1;
  let loadCall: number | null = null;

  const refreshModelCache = () => {
    encoder.call('listCache', {}).reply.then(
      ({ models, embeddings }) => dispatch({ type: 'modelCacheListed', cache: { models, embeddings } }),
      (error: unknown) => dispatch({ type: 'modelCacheFailed', error: toWireError(error) }),
    );
  };

  return {
    loadModel() {
      const { encoder: spec } = getState().settings;
      if (spec.kind !== 'transformer' || getState().model.status === 'running') return;
      const id = nextTask++;
      dispatch({ type: 'modelLoadStarted', id, spec });
      const call = encoder.call('loadModel', { spec }, (progress) => {
        const files = Object.values(progress.files);
        const loaded = files.reduce((sum, f) => sum + f.loaded, 0);
        const total = files.reduce((sum, f) => sum + f.total, 0);
        dispatch({ type: 'modelLoadProgress', id, loaded, total, file: progress.file });
      });
      loadCall = call.id;
      call.reply.then(
        ({ info }) => {
          dispatch({ type: 'modelLoaded', id, info });
          refreshModelCache();
        },
        (error: unknown) => dispatch({ type: 'modelLoadFailed', id, error: toWireError(error) }),
      );
    },

    cancelModelLoad() {
      if (loadCall !== null) encoder.cancel(loadCall);
    },

    refreshModelCache,

    clearModelCache(model) {
      encoder.call('clearCache', { model }).reply.then(refreshModelCache, (error: unknown) =>
        dispatch({ type: 'modelCacheFailed', error: toWireError(error) }),
      );
    },

    pickModelFolder(name, files) {
      encoder.call('stagePicked', { name, files }).reply.then(
        ({ source, dtypes }) => {
          const { transformer } = getState().settings.encoderDrafts;
          dispatch({ type: 'encoderChanged', encoder: { ...transformer, source, dtype: dtypeFor(transformer.dtype, dtypes) } });
          refreshModelCache();
        },
        (error: unknown) => dispatch({ type: 'modelCacheFailed', error: toWireError(error) }),
      );
    },
  };
}
