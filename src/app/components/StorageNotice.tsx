import type { StorageReport } from '../state/persistence';
import { useSkippedRuns } from '../state/use-skipped-runs';

/**
 * What the saved notebook could not give back, and tasks a reload interrupted, at the top of the page: the page itself works
 * either way. Skipped runs stay in storage until removed here, and can be downloaded as they are.
 */
export function StorageNotice({ report }: { report: StorageReport }) {
  const { skipped, removeError, remove, download } = useSkippedRuns(report.skippedRuns);
  const lines = [...(report.unreadable ? [report.unreadable] : []), ...report.notes];
  if (lines.length === 0 && skipped.length === 0 && report.interrupted.length === 0) return null;

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
          <button type="button" onClick={download} data-testid="download-skipped-runs">
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
