/** From a dataset source in the settings to the files the worker reads, and the languages they hold. */
import type { DataFolderIndex } from '../../core/dataset/types';
import type { FileSource } from '../../../workers/lab/protocol';
import type { DatasetSource } from '../state/settings';
import { DATASET_CACHE, catalogEntry } from './catalog';

let folderIndex: Promise<DataFolderIndex> | undefined;

/** The local data folder's listing, served by the dev and preview servers (src/dev-server/data-server.ts). */
export function fetchDataFolderIndex(): Promise<DataFolderIndex> {
  folderIndex ??= fetch('/data/index.json')
    .then((response) => (response.ok ? (response.json() as Promise<DataFolderIndex>) : { folders: [] }))
    .catch(() => ({ folders: [] }));
  return folderIndex;
}

export async function fileSourceOf(source: DatasetSource): Promise<FileSource> {
  switch (source.kind) {
    case 'folder': {
      const folder = (await fetchDataFolderIndex()).folders.find((f) => f.name === source.folder);
      if (!folder) throw new Error(`The data folder has no subfolder "${source.folder}" any more.`);
      const files = folder.files.map((file) => ({
        name: `${folder.name}/${file.name}`,
        // A MIRACL file's name holds its language folder (`ar/topics.tsv`): one path segment each.
        url: `/data/${[folder.name, ...file.name.split('/')].map(encodeURIComponent).join('/')}`,
      }));
      return { kind: 'urls', files };
    }
    case 'catalog':
      return { kind: 'urls', files: catalogEntry(source.id).files, cacheName: DATASET_CACHE };
    case 'files':
      return { kind: 'stored', files: source.files };
  }
}

/** The file names a source holds, when known without loading it. */
export function sourceFileNames(source: DatasetSource, index: DataFolderIndex | null): string[] | null {
  switch (source.kind) {
    case 'folder':
      return index?.folders.find((f) => f.name === source.folder)?.files.map((f) => f.name) ?? null;
    case 'catalog':
      return catalogEntry(source.id).files.map((f) => f.name);
    case 'files':
      return source.files.map((f) => f.name);
  }
}
