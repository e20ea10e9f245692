/**
 * The notebook's explicit runs (Load, Evaluate, Cancel): each talks to the lab worker and reports
 * through reducer actions, so components only render state and call these.
 */
import type { Dispatch } from 'react';
import type { LoadOptions } from '../../core/dataset/types';
import { toWireError, type FileSource } from '../../../workers/lab/protocol';
import { fileSourceOf } from '../datasets/sources';
import type { LabClient } from '../worker-client';
import type { Action, AppState } from './reducer';
import type { Run } from './runs';
import type { DatasetSelection } from './settings';

export interface LabActions {
  loadSelection(selection: DatasetSelection): void;
  /** A fresh pick loads in full: its languages are not known before parsing. */
  loadPickedFiles(files: { name: string; blob: Blob }[]): void;
  cancelDatasetLoad(): void;
  evaluate(): void;
  cancelEvaluation(): void;
}

export function createLabActions(client: LabClient, dispatch: Dispatch<Action>, getState: () => AppState): LabActions {
  // Task ids tag reducer actions; the worker call ids are kept here for Cancel.
  let nextTask = 1;
  let datasetCall: number | null = null;
  let evaluationCall: number | null = null;

  async function load(selection: DatasetSelection | null, source: () => Promise<FileSource>, options: LoadOptions) {
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
    } catch (error) {
      dispatch({ type: 'datasetLoadFailed', id, error: toWireError(error) });
    }
  }

  return {
    loadSelection(selection) {
      const options: LoadOptions = {};
      if (selection.languages) options.languages = selection.languages;
      if (selection.articles) options.articles = selection.articles;
      void load(selection, () => fileSourceOf(selection.source), options);
    },

    loadPickedFiles(files) {
      void load(null, async () => ({ kind: 'picked', files }), {});
    },

    cancelDatasetLoad() {
      if (datasetCall !== null) client.cancel(datasetCall);
    },

    evaluate() {
      const state = getState();
      const { loaded } = state;
      if (!loaded || state.evaluation.status === 'running') return;
      const { encoder, candidateText, scoring } = state.settings;
      const id = nextTask++;
      const startedAt = Date.now();
      dispatch({ type: 'evaluationStarted', id, startedAt });
      const call = client.call('evaluate', { encoder, candidateText, scoring }, (progress) =>
        dispatch({ type: 'evaluationProgress', id, progress }),
      );
      evaluationCall = call.id;
      call.reply.then(
        ({ report, backend }) => {
          const run: Run = {
            id: crypto.randomUUID(),
            number: Math.max(0, ...getState().runs.map((r) => r.number)) + 1,
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
          dispatch({ type: 'evaluationFinished', id, run });
        },
        (error: unknown) => dispatch({ type: 'evaluationFailed', id, error: toWireError(error) }),
      );
    },

    cancelEvaluation() {
      if (evaluationCall !== null) client.cancel(evaluationCall);
    },
  };
}
