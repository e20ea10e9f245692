import type { WireError } from '../../../workers/rpc';

/** A failure in full: a DatasetError's issues as a table of file, place and message. */
export function ErrorPanel({ title, error }: { title: string; error: WireError }) {
  return (
    <div className="error-panel" role="alert" data-testid="error-panel">
      <p className="error-title">{title}</p>
      {error.issues ? (
        <table className="issues">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Place</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {error.issues.map((issue, i) => (
              <tr key={i}>
                <td className="mono">{issue.file}</td>
                <td className="mono">{issue.place || '—'}</td>
                <td>{issue.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="error-text">{error.message}</p>
      )}
    </div>
  );
}
