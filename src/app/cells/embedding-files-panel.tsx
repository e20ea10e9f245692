/**
 * The Encoder cell's "Embeddings from files": pick or drop a folder in the CLI's export format (or
 * its four files); the sets kept in this browser, to choose or remove; and how the chosen set fits
 * the loaded dataset (rows it lacks, rows it has beyond the dataset, rows normalised on load).
 */
import type { EmbeddingFilesSpec } from '../../../workers/lab/protocol';
import { DropZone } from '../components/DropZone';
import { ErrorPanel } from '../components/ErrorPanel';
import { FilesPicker } from '../components/FilesPicker';
import { FolderPicker } from '../components/FolderPicker';
import { useNotebook } from '../notebook-context';
import { formatCount } from '../../core/format';

export function EmbeddingFilesPanel({ spec }: { spec: EmbeddingFilesSpec }) {
  const { state, actions } = useNotebook();
  const { sets, storing, fit, error } = state.embeddingFiles;
  const chosen = spec.set;
  const currentFit = chosen && fit?.key === chosen.key && state.loaded && fit.dataset === state.loaded.dataset.summary.name ? fit : null;
  return (
    <div className="transformer-panel" data-testid="embedding-files">
      <DropZone onFiles={actions.pickEmbeddingFiles} testId="embeddings-dropzone">
        <p>
          Drop a folder of embeddings here, or choose one: <code>queries.npy</code> and <code>candidates.npy</code> (float32 or float16, rows x dimensions) with{' '}
          <code>queries.jsonl</code> and <code>candidates.jsonl</code> naming each row, as <code>xling eval --export</code> writes them (see docs/formats.md,
          “Embeddings from elsewhere”). Rows are matched to the dataset by key and L2-normalised; the vectors are kept in this browser.
        </p>
        <div className="actions">
          <FolderPicker onFiles={actions.pickEmbeddingFiles} disabled={storing} testId="pick-embeddings-folder">
            Choose a folder…
          </FolderPicker>
          <FilesPicker onFiles={actions.pickEmbeddingFiles} accept=".npy,.jsonl" disabled={storing} testId="pick-embedding-files">
            Choose the four files…
          </FilesPicker>
          {storing ? <span className="hint">Reading and checking the files…</span> : null}
        </div>
      </DropZone>
      {error ? <ErrorPanel title="The embedding files could not be used." error={error} /> : null}
      <p className="small" data-testid="chosen-embeddings">
        {chosen ? (
          <>
            Chosen: <strong>{chosen.name}</strong> · {chosen.dim}-d · {formatCount(chosen.queries)} query and {formatCount(chosen.candidates)} candidate vectors
          </>
        ) : (
          'No embedding files chosen yet.'
        )}
      </p>
      {currentFit ? <EmbeddingFit fit={currentFit} /> : null}
      <p className="muted small">The candidate-text setting and prefixes do not apply: the vectors are used as they were computed.</p>
      {sets && sets.length > 0 ? (
        <table className="embedding-sets" data-testid="embedding-sets">
          <caption className="small">Embeddings kept in this browser</caption>
          <thead>
            <tr>
              <th scope="col">Set</th>
              <th scope="col">Dimensions</th>
              <th scope="col">Queries</th>
              <th scope="col">Candidates</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sets.map((set) => (
              <tr key={set.key} className={chosen?.key === set.key ? 'selected' : undefined}>
                <td>
                  <label className="inline-option">
                    <input type="radio" name="embedding-set" checked={chosen?.key === set.key} onChange={() => actions.chooseEmbeddings(set)} />
                    {set.name}
                  </label>
                </td>
                <td>{set.dim}</td>
                <td>{formatCount(set.queries)}</td>
                <td>{formatCount(set.candidates)}</td>
                <td>
                  <button type="button" onClick={() => actions.removeEmbeddings(set.key)} aria-label={`Remove the embeddings ${set.name} from this browser`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function EmbeddingFit({ fit }: { fit: NonNullable<ReturnType<typeof useNotebook>['state']['embeddingFiles']['fit']> }) {
  return (
    <div data-testid="embedding-fit">
      {fit.missing.length > 0 ? (
        <ErrorPanel
          title={`${formatCount(fit.missingCount)} ${fit.missingCount === 1 ? 'row of the loaded dataset ' + fit.dataset + ' has' : 'rows of the loaded dataset ' + fit.dataset + ' have'} no vector in these files: evaluating or training on them needs every one.`}
          error={{ name: 'EmbeddingFilesError', message: '', issues: fit.missing }}
        />
      ) : (
        <p className="small">Every query and candidate of the loaded dataset {fit.dataset} has a vector.</p>
      )}
      {fit.notes.map((note) => (
        <p key={note} className="muted small">
          {note}
        </p>
      ))}
    </div>
  );
}
