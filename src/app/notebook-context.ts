import { createContext, useContext, type Dispatch } from 'react';
import type { LabActions } from './state/actions';
import type { EmbeddingActions } from './state/embedding-actions';
import type { ModelActions } from './state/model-actions';
import type { SignificanceActions } from './state/significance-actions';
import type { Action, AppState } from './state/app-state';
import type { RunFileActions } from './state/run-file-actions';
import type { CatalogActions } from './state/catalog-actions';
import type { MapActions } from './state/map-actions';

export interface Notebook {
  state: AppState;
  dispatch: Dispatch<Action>;
  actions: LabActions & ModelActions & EmbeddingActions & SignificanceActions & RunFileActions & CatalogActions & MapActions;
}

export const NotebookContext = createContext<Notebook | null>(null);

export function useNotebook(): Notebook {
  const notebook = useContext(NotebookContext);
  if (!notebook) throw new Error('useNotebook needs a NotebookContext provider (see App.tsx)');
  return notebook;
}
