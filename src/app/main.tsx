import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadPersistedState } from './state/persistence';
import { LabClient } from './worker-client';
import './styles.css';

// The saved notebook is read before the first render, so no cell flashes its defaults.
void loadPersistedState().then((persisted) => {
  createRoot(document.getElementById('root')!).render(<App persisted={persisted} client={new LabClient()} />);
});
