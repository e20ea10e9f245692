import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { ClassroomPreset } from './components/ClassroomPreset';
import { LinkBar } from './components/LinkBar';
import { BatchMixCell } from './cells/BatchMixCell';
import { DatasetCell } from './cells/DatasetCell';
import { EncoderCell } from './cells/EncoderCell';
import { EvaluateCell } from './cells/EvaluateCell';
import { ResultsCell } from './cells/ResultsCell';
import { SweepCell } from './cells/SweepCell';
import { TrainCell } from './cells/TrainCell';
import { fetchDataFolderIndex } from './datasets/sources';
import { fetchModelFolderIndex } from './models/served';
import { NotebookContext } from './notebook-context';
import { createLabActions } from './state/actions';
import { createModelActions } from './state/model-actions';
import { createEmbeddingActions } from './state/embedding-actions';
import { createSignificanceActions } from './state/significance-actions';
import { createRunFileActions } from './state/run-file-actions';
import { createCatalogActions } from './state/catalog-actions';
import { shownComparisons } from './state/comparisons';
import { comparisonKey } from './state/significance';
import { createMapActions } from './state/map-actions';
import { keepHeadsOf } from './state/heads';
import { CellBoundary } from './components/CellBoundary';
import { StorageNotice } from './components/StorageNotice';
import { HostingNotice } from './components/HostingNotice';
import { Tour } from './components/Tour';
import { isLinkHash, writeLink, type Hideable, type Link } from './state/link';
import { createSaver, persistedPart, type StorageReport } from './state/persistence';
import { noteRunningTasks, type RunningTask } from './state/interrupted';
import { runningTasks } from './state/selectors';
import { useRunStorage } from './state/use-run-storage';
import { initialState, reducer } from './state/reducer';
import { type PersistedState } from './state/app-state';
import type { LabClient } from './worker-client';

/** The notebook's cells in order, each behind its own error boundary; the name is also what a link's `hide=` says. */
const CELLS = [
  ['dataset', 'Dataset', DatasetCell],
  ['encoder', 'Encoder', EncoderCell],
  ['evaluate', 'Evaluate', EvaluateCell],
  ['batch-mix', 'Batch mix', BatchMixCell],
  ['train', 'Train', TrainCell],
  ['results', 'Results', ResultsCell],
  ['sweep', 'Sweep', SweepCell],
] as const;

export function App({ persisted, link, storage, client }: { persisted: PersistedState | null; link: Link | null; storage: StorageReport; client: LabClient }) {
  const [state, dispatch] = useReducer(reducer, persisted, initialState);
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);
  const actions = useMemo(
    () => ({
      ...createLabActions(client, dispatch, () => stateRef.current),
      ...createModelActions(client.encoder, dispatch, () => stateRef.current),
      ...createEmbeddingActions(client, dispatch, () => stateRef.current),
      ...createSignificanceActions(client, dispatch, () => stateRef.current),
      ...createRunFileActions(dispatch, () => stateRef.current),
      ...createCatalogActions(dispatch),
      ...createMapActions(client, dispatch, () => stateRef.current),
    }),
    [client],
  );

  // On startup: list the local data folder, and load the dataset that was loaded when the page was left.
  useEffect(() => {
    void fetchDataFolderIndex().then((index) => dispatch({ type: 'folderIndexLoaded', index }));
    void fetchModelFolderIndex().then((index) => dispatch({ type: 'modelIndexLoaded', index }));
    if (persisted?.loadedSelection) actions.loadSelection(persisted.loadedSelection);
    actions.refreshEmbeddings();
  }, [persisted, actions]);

  // Running tasks are noted, so that a reload can say it interrupted them.
  const running = JSON.stringify(runningTasks(state));
  useEffect(() => {
    noteRunningTasks(JSON.parse(running) as RunningTask[]);
  }, [running]);

  // A lab worker that died was replaced by a fresh one, which holds no dataset: load it there again.
  useEffect(() => {
    client.onRestarted = () => {
      const { loaded } = stateRef.current;
      if (loaded) actions.loadSelection(loaded.selection);
    };
    // A fresh encoder worker holds no model: the Encoder cell must not say "Ready" any more.
    client.onEncoderRestarted = (failure) => dispatch({ type: 'encoderWorkerReplaced', failure });
    return () => {
      client.onRestarted = null;
      client.onEncoderRestarted = null;
    };
  }, [client, actions]);

  const saver = useMemo(createSaver, []);
  const { settings, runs, selectedRunId, compareRunId, loaded } = state;

  // The Batch Mix preview follows its settings and the loaded dataset (computed in the worker).
  const { mix } = settings;
  useEffect(() => {
    if (loaded) actions.previewMix();
  }, [actions, mix, loaded]);

  // Paired statistics the Results and Train cells show are computed in the worker (once per pair; seconds on the full dataset).
  const comparisonKeys = shownComparisons(state).map(([a, b]) => comparisonKey(a.key, b.key)).join(' ');
  useEffect(() => {
    for (const [a, b] of shownComparisons(stateRef.current)) actions.comparePerQuery(a, b);
  }, [actions, comparisonKeys]);

  // Embeddings from files: say whether the chosen set fits the dataset now loaded.
  const { encoder } = settings;
  const embeddingSet = encoder.kind === 'files' ? encoder.set?.key : undefined;
  useEffect(() => {
    if (loaded && embeddingSet) actions.checkEmbeddings();
  }, [actions, loaded, embeddingSet]);

  // Typing in a field is saved after a pause; a loaded dataset or a picked run at once, so that a
  // reload straight after it restores them (a save left to pagehide may not finish).
  useEffect(() => {
    saver.save(persistedPart(stateRef.current));
  }, [saver, settings]);
  useEffect(() => {
    saver.save(persistedPart(stateRef.current));
    saver.flush();
  }, [saver, selectedRunId, compareRunId, loaded]);
  useRunStorage(runs, dispatch);
  // A load may have downloaded catalog files: count them again (and once on startup).
  useEffect(() => {
    actions.refreshCatalogCache();
  }, [actions, loaded]);
  // A finished run may have filled the embedding cache: keep its listing current.
  useEffect(() => {
    actions.refreshModelCache();
  }, [actions, runs.length]);
  // A deleted run's stored head goes with it.
  useEffect(() => {
    keepHeadsOf(runs.map((run) => run.id)).catch((error: unknown) => console.warn('Could not tidy the stored heads:', error));
  }, [runs]);
  useEffect(() => {
    window.addEventListener('pagehide', saver.flush);
    return () => window.removeEventListener('pagehide', saver.flush);
  }, [saver]);

  // The address bar follows the settings, so that it is always the experiment's link.
  const hidden = useMemo(() => new Set<Hideable>(link?.hide ?? []), [link]);
  useEffect(() => {
    history.replaceState(null, '', writeLink(settings, [...hidden]));
  }, [settings, hidden]);
  // A link pasted into the address bar of the open notebook is opened as a link (replaceState above fires no hashchange).
  useEffect(() => {
    const reopen = () => {
      if (isLinkHash(location.hash)) location.reload();
    };
    window.addEventListener('hashchange', reopen);
    return () => window.removeEventListener('hashchange', reopen);
  }, []);
  const [linkProblems, setLinkProblems] = useState(link?.problems ?? []);
  const shown = (name: Hideable) => !hidden.has(name);

  const notebook = useMemo(() => ({ state, dispatch, actions }), [state, actions]);
  return (
    <NotebookContext.Provider value={notebook}>
      <header className="page-header">
        <h1>xling-lab</h1>
        <p>
          Monolingual, cross-lingual and multilingual retrieval, measured in your browser.
        </p>
        <HostingNotice />
        {shown('link') || linkProblems.length > 0 ? <LinkBar settings={settings} hidden={hidden} problems={linkProblems} onDismiss={() => setLinkProblems([])} /> : null}
        {/* A div: the tour's dialog (headings, paragraphs) renders inside it. */}
        <div className="tour-bar">
          <Tour /> <span className="muted small">For a class: load, evaluate, read the heatmap, mix, train and compare, one cell at a time.</span>
        </div>
        {shown('classroom') ? <ClassroomPreset /> : null}
      </header>
      <StorageNotice report={storage} />
      <main className="notebook">
        {CELLS.filter(([key]) => shown(key)).map(([key, name, View]) => (
          <CellBoundary key={key} name={name}>
            <View />
          </CellBoundary>
        ))}
      </main>
    </NotebookContext.Provider>
  );
}
