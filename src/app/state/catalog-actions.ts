/** The Dataset cell's catalog: how much of each entry the browser's Cache API already holds. */
import type { Dispatch } from 'react';
import { cachedFileCount, CATALOG } from '../datasets/catalog';
import type { Action } from './app-state';

export interface CatalogActions {
  /** Counts the cached files of every catalog entry (a load may have downloaded some). */
  refreshCatalogCache(): void;
}

export function createCatalogActions(dispatch: Dispatch<Action>): CatalogActions {
  let asked = 0;
  return {
    refreshCatalogCache() {
      const ask = ++asked;
      Promise.all(CATALOG.map(async (entry) => [entry.id, await cachedFileCount(entry)] as const)).then(
        // An older count answering late would undo a newer one.
        (pairs) => ask === asked && dispatch({ type: 'catalogCacheCounted', counts: Object.fromEntries(pairs) }),
        // No Cache API (an insecure origin): the catalog shows no cache marks.
        () => undefined,
      );
    },
  };
}
