import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startServiceWorker } from './isolation';
import { preloadPlotly } from './results/plotly';
import { readLink } from './state/link';
import { loadPersistedState } from './state/persistence';
import { LabClient } from './worker-client';
// Thai and Devanagari glyphs for systems without them (only the subsets a page uses are fetched).
import '@fontsource/noto-sans-thai/400.css';
import '@fontsource/noto-sans-devanagari/400.css';
import './styles.css';

// The saved notebook is read before the first render, so no cell flashes its defaults. Reading
// reports what it could not restore rather than failing; should it fail anyway, the page starts fresh.
// A link's settings take the place of the saved ones; the saved runs stay (and show stale where they differ).
// On a static host without isolation headers, the first visit reloads once into isolation: nothing renders before.
void startServiceWorker()
  .then((started) => (started === 'reloading' ? new Promise<never>(() => {}) : loadPersistedState()))
  .catch((error: unknown) => ({ persisted: null, report: { unreadable: `the saved notebook could not be read (${String(error)})`, notes: [], skippedRuns: [], interrupted: [] } }))
  .then(({ persisted, report }) => {
    const link = readLink(location.hash, persisted?.settings ?? null);
    const start = link ? { loadedSelection: null, runs: [], selectedRunId: null, compareRunId: null, ...persisted, settings: link.settings } : persisted;
    createRoot(document.getElementById('root')!).render(<App persisted={start} link={link} storage={report} client={new LabClient()} />);
    // plotly's module (a few MB) is evaluated once the page is idle: during an evaluation it took
    // 2.4 s of the main thread on a 2-core machine (scripts/profile-heatmap.ts), CPU the workers needed.
    if ('requestIdleCallback' in window) requestIdleCallback(preloadPlotly);
  });
