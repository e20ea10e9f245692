/** The Results cell's "Export runs" and "Import runs" (the file formats are in run-files.ts). */
import type { Dispatch } from 'react';
import { downloadBlob } from '../download';
import type { Action, AppState } from './app-state';
import { readRunsFile, RunFileError, runsFile, runsFileText } from './run-files';

export interface RunFileActions {
  exportRuns(): void;
  /** Exported runs or a command line's report.json; a bad file is said in the Results cell. */
  importRuns(file: File): void;
}

export function createRunFileActions(dispatch: Dispatch<Action>, getState: () => AppState): RunFileActions {
  return {
    exportRuns() {
      const { runs, settings, selectedRunId, compareRunId } = getState();
      const now = new Date();
      const file = runsFile(runs, settings, selectedRunId, compareRunId, now);
      downloadBlob(new Blob([runsFileText(file)], { type: 'application/json' }), `xling-runs-${now.toISOString().slice(0, 10)}.json`);
    },
    importRuns(file) {
      void file.text().then(
        (text) => {
          try {
            dispatch({ type: 'runsImported', fileName: file.name, imported: readRunsFile(text, file.name, getState().runs, Date.now()) });
          } catch (error) {
            if (!(error instanceof RunFileError)) throw error;
            dispatch({ type: 'runsImportFailed', message: error.message });
          }
        },
        (error: unknown) => dispatch({ type: 'runsImportFailed', message: `Could not read ${file.name}: ${String(error)}` }),
      );
    },
  };
}
