import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadPersistedState } from './state/persistence';
import { LabClient } from './worker-client';
import './styles.css';

// The saved notebook is read before the first render, so no cell flashes its defaults. Reading
// reports what it could not restore rather than failing; should it fail anyway, the page starts fresh.
void loadPersistedState()
  .catch((error: unknown) => ({ persisted: null, report: { unreadable: `the saved notebook could not be read (${String(error)})`, notes: [], skippedRuns: [], interrupted: [] } }))
  .then(({ persisted, report }) => {
    createRoot(document.getElementById('root')!).render(<App persisted={persisted} storage={report} client={new LabClient()} />);
  });
