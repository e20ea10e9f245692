import { useRef } from 'react';
import { useNotebook } from '../notebook-context';

/** "Export runs" and "Import runs" (exported runs, or a report.json of xling eval or xling train). */
export function RunFiles() {
  const { state, actions } = useNotebook();
  const input = useRef<HTMLInputElement>(null);
  const { runsImport } = state;
  return (
    <div className="run-files">
      <button type="button" onClick={actions.exportRuns} disabled={state.runs.length === 0} data-testid="export-runs">
        Export runs
      </button>{' '}
      <button type="button" onClick={() => input.current?.click()} data-testid="import-runs">
        Import runs
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="import-runs-file"
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) actions.importRuns(file);
          event.target.value = '';
        }}
      />{' '}
      <span className="muted small">Runs exported here, or a report.json written by xling eval or xling train.</span>
      {runsImport ? (
        <p className={runsImport.ok ? 'small' : 'error-text small'} role={runsImport.ok ? 'status' : 'alert'} data-testid="runs-import-message">
          {runsImport.message}
        </p>
      ) : null}
    </div>
  );
}
