/**
 * The Encoder cell's "Embeddings from files": store a picked or dropped set in the lab worker
 * (read, checked, kept in IndexedDB), list and remove the stored sets, and check how the chosen
 * set fits the loaded dataset.
 */
import type { Dispatch } from 'react';
import { type StoredEmbeddings } from '../../../workers/lab/protocol';
import { toWireError } from '../../../workers/rpc';
import type { DroppedFile } from '../datasets/dropped-files';
import type { LabClient } from '../worker-client';
import type { Action, AppState } from './app-state';

export interface EmbeddingActions {
  /** A picked or dropped folder (files named `folder/file`) or the four files; becomes the chosen encoder. */
  pickEmbeddingFiles(files: DroppedFile[]): void;
  chooseEmbeddings(set: StoredEmbeddings): void;
  removeEmbeddings(key: string): void;
  refreshEmbeddings(): void;
  /** Matches the chosen set against the loaded dataset (when both are there). */
  checkEmbeddings(): void;
}

export function createEmbeddingActions(client: LabClient, dispatch: Dispatch<Action>, getState: () => AppState): EmbeddingActions {
  const failed = (error: unknown) => dispatch({ type: 'embeddingsFailed', error: toWireError(error) });
  const listed = ({ sets }: { sets: StoredEmbeddings[] }) => dispatch({ type: 'embeddingsListed', sets });
  return {
    pickEmbeddingFiles(files) {
      if (files.length === 0) return;
      dispatch({ type: 'embeddingsStoring' });
      client.call('storeEmbeddings', { name: setName(files), files }).reply.then(
        ({ set, fit }) => dispatch({ type: 'embeddingsStored', set, fit }),
        failed,
      );
    },

    chooseEmbeddings(set) {
      const encoder = { kind: 'files' as const, set };
      dispatch({ type: 'encoderChanged', encoder });
      client.call('checkEmbeddings', { key: set.key }).reply.then(({ fit }) => dispatch({ type: 'embeddingsChecked', fit }), failed);
    },

    removeEmbeddings(key) {
      client.call('removeEmbeddings', { key }).reply.then(listed, failed);
      const { encoder } = getState().settings;
      if (encoder.kind === 'files' && encoder.set?.key === key) dispatch({ type: 'encoderChanged', encoder: { kind: 'files', set: null } });
    },

    refreshEmbeddings() {
      client.call('listEmbeddings', {}).reply.then(listed, failed);
    },

    checkEmbeddings() {
      const { settings, loaded } = getState();
      if (settings.encoder.kind !== 'files' || !settings.encoder.set || !loaded) return;
      client.call('checkEmbeddings', { key: settings.encoder.set.key }).reply.then(({ fit }) => dispatch({ type: 'embeddingsChecked', fit }), failed);
    },
  };
}

/** A picked folder's name; for loose files, "files" with the date, since they name no folder. */
function setName(files: DroppedFile[]): string {
  const folders = new Set(files.map((file) => (file.name.includes('/') ? file.name.split('/')[0] : '')));
  const [folder] = folders;
  return folders.size === 1 && folder ? folder : `files of ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
}
