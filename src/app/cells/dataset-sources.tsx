/** The Dataset cell's three source panels: the local data folder, the public catalog, the user's files. */
import { CATALOG } from '../datasets/catalog';
import { useNotebook } from '../notebook-context';
import { formatBytes } from '../../core/format';
import type { DroppedFile } from '../datasets/dropped-files';
import { DropZone } from '../components/DropZone';
import { FilesPicker } from '../components/FilesPicker';
import { FolderPicker } from '../components/FolderPicker';

export function FolderPanel() {
  const { state, dispatch } = useNotebook();
  const index = state.folderIndex;
  if (!index) return <p className="muted">Looking for the local data folder…</p>;
  if (index.folders.length === 0) {
    if (import.meta.env.PROD) {
      return <p className="muted">This host serves no local data folder (only npm run dev and npm run preview do): use the public catalog or your own files.</p>;
    }
    return (
      <p className="muted">
        The server found no data folder. Put datasets in <code>../shared/data/&lt;name&gt;/</code> beside the project, or start it
        with <code>XLING_DATA_DIR=/path/to/data npm run dev</code>.
      </p>
    );
  }
  return (
    <label className="field">
      <span>Folder</span>
      <select
        value={state.settings.dataset.folder ?? ''}
        onChange={(event) => dispatch({ type: 'datasetSettingsChanged', patch: { folder: event.target.value } })}
      >
        {index.folders.map((folder) => (
          <option key={folder.name} value={folder.name}>
            {folder.name} — {folder.files.length} files, {formatBytes(folder.files.reduce((sum, f) => sum + f.size, 0))}
          </option>
        ))}
      </select>
    </label>
  );
}

export function CatalogPanel() {
  const { state, dispatch } = useNotebook();
  const cached = state.catalogCache;
  return (
    <fieldset className="catalog">
      <legend className="visually-hidden">Catalog dataset</legend>
      {CATALOG.map((entry) => {
        const count = cached[entry.id];
        const cacheText =
          count === undefined ? '' : count === entry.files.length ? 'cached' : count > 0 ? `${count} of ${entry.files.length} files cached` : 'not downloaded';
        return (
          <label key={entry.id} className={`catalog-entry${state.settings.dataset.catalog === entry.id ? ' selected' : ''}`}>
            <input
              type="radio"
              name="catalog-entry"
              value={entry.id}
              checked={state.settings.dataset.catalog === entry.id}
              onChange={() => dispatch({ type: 'datasetSettingsChanged', patch: { catalog: entry.id } })}
            />
            <span className="catalog-text">
              <strong>{entry.title}</strong> <span className="muted">{entry.licence}</span>
              <span className="catalog-description">{entry.description}</span>
            </span>
            {cacheText ? (
              <span className={`chip ${count === entry.files.length ? 'chip-ready' : 'chip-neutral'}`} data-testid={`cache-${entry.id}`}>
                {cacheText}
              </span>
            ) : null}
          </label>
        );
      })}
    </fieldset>
  );
}

export function FilesPanel() {
  const { state, actions } = useNotebook();
  const loading = state.datasetTask.status === 'running';
  const remembered = state.settings.dataset.files;

  const load = (files: DroppedFile[]) => {
    if (files.length > 0 && !loading) actions.loadPickedFiles(files);
  };

  return (
    <DropZone onFiles={load} subfolders="language folders" testId="dropzone">
      <p>
        Drop dataset files or their folder here: one LAReQA <code>&lt;lang&gt;.json</code> per language, or <code>queries.jsonl</code>,{' '}
        <code>candidates.jsonl</code> and <code>relevance.jsonl</code>, or a MIRACL folder (a folder per language with{' '}
        <code>topics.tsv</code>, <code>qrels.tsv</code> and <code>docs-*.jsonl</code> or <code>.jsonl.gz</code>). They load at once and
        stay in this browser.
      </p>
      <div className="actions">
        <FilesPicker onFiles={load} accept=".json,.jsonl" disabled={loading} testId="pick-files">
          Choose files…
        </FilesPicker>
        <FolderPicker onFiles={load} subfolders="language folders" disabled={loading} testId="pick-folder">
          Choose a folder…
        </FolderPicker>
      </div>
      {remembered.length > 0 ? (
        <p className="muted small">
          Kept in this browser: {remembered.map((file) => `${file.name} (${formatBytes(file.size)})`).join(', ')}
        </p>
      ) : null}
    </DropZone>
  );
}
