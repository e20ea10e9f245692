import { useState } from 'react';
import { downloadText } from '../download';
import type { StorageReport } from '../state/persistence';
import { deleteStoredRun } from '../state/run-store';

/**
 * What the saved notebook could not give back, and tasks a reload interrupted, at the top of the page: the page itself works
 * either way. Skipped runs stay in storage until removed here, and can be downloaded as they are.
 */
export function StorageNotice({ report }: { report: StorageReport }) {
  const [skipped, setSkipped] = useState(report.skippedRuns);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const lines = [...(report.unreadable ? [report.unreadable] : []), ...report.notes];
  if (lines.length === 0 && skipped.length === 0 && report.interrupted.length === 0) return null;

  const remove = () => {
    Promise.all(skipped.map((entry) => deleteStoredRun(entry.key))).then(
      () => setSkipped([]),
      (error: unknown) => setRemoveError(error instanceof Error ? error.message : String(error)),
    );
  };
  return (
    <section className="storage-notice" role="status" data-testid="storage-notice">
      {report.interrupted.map((line) => (
        <p key={line} data-testid="interrupted-task">
          Interrupted: {line}.
        </p>
      ))}
      {lines.map((line) => (
        <p key={line}>Not restored: {line}.</p>
      ))}
      {skipped.length > 0 ? (
        <>
          <p>
            {skipped.length === 1 ? '1 saved run' : `${skipped.length} saved runs`} could not be read and
            {skipped.length === 1 ? ' was' : ' were'} skipped; the other runs loaded.
          </p>
          <ul className="small" data-testid="skipped-runs">
            {skipped.map((entry) => (
              <li key={entry.key}>
                {entry.key}: {entry.reason}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => downloadText('xling-skipped-runs.json', JSON.stringify(skipped, null, 2))} data-testid="download-skipped-runs">
            Download what was saved of them
          </button>{' '}
          <button type="button" onClick={remove} data-testid="remove-skipped-runs">
            Remove them from storage
          </button>
          {removeError ? <p className="error-text">Could not remove them: {removeError}</p> : null}
        </>
      ) : null}
    </section>
  );
}
