import { Cell, type CellStatus } from '../components/Cell';
import { ErrorPanel } from '../components/ErrorPanel';
import { ProgressBar } from '../components/ProgressBar';
import { useNotebook } from '../notebook-context';
import { formatBytes } from '../../core/format';
import type { AppState } from '../state/app-state';
import { describeSource } from '../state/runs';
import { datasetView, invalidFieldsBlocker, type DatasetView } from '../state/selectors';
import { taskError } from '../state/task';
import { sameSource, type SourceKind } from '../state/settings';
import { CatalogPanel, FilesPanel, FolderPanel } from './dataset-sources';
import { LoadedSummary, SubsetPanel } from './dataset-subset';

const SOURCES: { kind: SourceKind; label: string }[] = [
  { kind: 'folder', label: 'Local data folder' },
  { kind: 'catalog', label: 'Public catalog' },
  { kind: 'files', label: 'Your files' },
];

export function DatasetCell() {
  const { state, dispatch, actions } = useNotebook();
  const view = datasetView(state);
  const { source } = state.settings.dataset;
  const task = state.datasetTask;
  const loading = task.status === 'running';
  const error = taskError(task);
  // null languages mean all of them; an explicit list needs two, for cross-lingual cells to exist.
  const tooFewLanguages = (view.selection?.languages?.length ?? 2) < 2;
  const fieldsBlocker = invalidFieldsBlocker(state);

  return (
    <Cell index={1} title="Dataset" id="dataset" status={datasetStatus(state, view)}>
      <fieldset className="segmented" disabled={loading}>
        <legend>Source</legend>
        {SOURCES.map((option) => (
          <label key={option.kind} className={option.kind === source ? 'selected' : undefined}>
            <input
              type="radio"
              name="dataset-source"
              value={option.kind}
              checked={option.kind === source}
              onChange={() => dispatch({ type: 'datasetSettingsChanged', patch: { source: option.kind } })}
            />
            {option.label}
          </label>
        ))}
      </fieldset>

      <div className="source-panel">
        {source === 'folder' ? <FolderPanel /> : source === 'catalog' ? <CatalogPanel /> : <FilesPanel />}
      </div>

      <SubsetPanel view={view} />

      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={loading || !view.selection || tooFewLanguages || fieldsBlocker !== null}
          onClick={() => view.selection && actions.loadSelection(view.selection)}
        >
          {source === 'catalog' ? 'Load (download if needed)' : 'Load dataset'}
        </button>
        {loading ? (
          <button type="button" onClick={actions.cancelDatasetLoad}>
            Cancel
          </button>
        ) : null}
        {!loading && fieldsBlocker ? <span className="hint">{fieldsBlocker}</span> : null}
        {!loading && !fieldsBlocker ? <LoadHint view={view} loaded={state.loaded} tooFewLanguages={tooFewLanguages} /> : null}
      </div>

      {task.status === 'running' ? (
        task.progress?.phase === 'download' ? (
          <ProgressBar
            label="Downloading"
            done={task.progress.done}
            total={task.progress.total}
            detail={task.progress.total ? `${formatBytes(task.progress.done)} of ${formatBytes(task.progress.total)}` : `${formatBytes(task.progress.done)} read`}
          />
        ) : (
          <ProgressBar label={task.progress?.phase === 'parse' ? 'Parsing and checking' : 'Reading files'} done={0} total={null} />
        )
      ) : null}

      {error ? (
        <ErrorPanel
          title={state.loaded ? 'This dataset could not be loaded; the one loaded before is still in use.' : 'This dataset could not be loaded.'}
          error={error}
        />
      ) : null}

      {state.loaded ? <LoadedSummary /> : null}
    </Cell>
  );
}

function LoadHint({ view, loaded, tooFewLanguages }: { view: DatasetView; loaded: AppState['loaded']; tooFewLanguages: boolean }) {
  if (tooFewLanguages) {
    const missing = view.missing.length > 0 ? `This dataset has no ${view.missing.join(', ')} (asked for by a link or an earlier choice). ` : '';
    return <span className="hint" data-testid="load-hint">{missing}Choose at least two languages.</span>;
  }
  if (!view.stale || !loaded) return null;
  const inUse = describeSource(loaded.selection.source);
  let text = `Nothing chosen here yet; the loaded dataset (${inUse}) stays in use.`;
  if (view.selection && sameSource(view.selection.source, loaded.selection.source)) {
    text = 'The subset changed since this dataset was loaded: load it again to apply it.';
  } else if (view.selection) {
    text = `Loaded now: ${inUse}. Load this choice to use it instead.`;
  }
  return <span className="hint stale-text">{text}</span>;
}

function datasetStatus(state: AppState, view: DatasetView): CellStatus {
  if (state.datasetTask.status === 'running') return { tone: 'busy', text: 'loading…' };
  if (!state.loaded) return taskError(state.datasetTask) ? { tone: 'error', text: 'error' } : { tone: 'neutral', text: 'not loaded' };
  if (view.stale) return { tone: 'stale', text: 'stale' };
  const { summary } = state.loaded.dataset;
  return { tone: 'ready', text: `loaded · ${summary.languages.length} languages` };
}
