/** The Dataset cell's subset choices (languages, first K articles) and the loaded dataset's counts. */
import { useEffect, useState } from 'react';
import { useNotebook } from '../notebook-context';
import { formatCount } from '../../core/format';
import type { DatasetView } from '../state/selectors';

export function SubsetPanel({ view }: { view: DatasetView }) {
  const { state, dispatch } = useNotebook();
  const { languages, articles } = state.settings.dataset;
  const available = view.available;
  const checked = (lang: string) => languages === null || languages.includes(lang);
  const setLanguages = (next: string[]) =>
    dispatch({ type: 'datasetSettingsChanged', patch: { languages: available && next.length === available.length ? null : next } });

  return (
    <div className="subset">
      {available ? (
        <fieldset className="languages">
          <legend>
            Languages <span className="muted">({available.filter(checked).length} of {available.length})</span>
          </legend>
          <div className="checkbox-row">
            {available.map((lang) => (
              <label key={lang} className="checkbox">
                <input
                  type="checkbox"
                  value={lang}
                  checked={checked(lang)}
                  onChange={(event) =>
                    setLanguages(available.filter((other) => (other === lang ? event.target.checked : checked(other))))
                  }
                />
                {lang}
              </label>
            ))}
            <button type="button" className="link" onClick={() => setLanguages([...available])}>
              all
            </button>
          </div>
        </fieldset>
      ) : view.source ? (
        <p className="muted small">Languages can be chosen once the files are known (after the first load of JSONL files).</p>
      ) : null}
      <ArticlesField
        value={articles}
        noArticles={view.format === 'miracl' ? 'MIRACL corpora have no articles: every query loads' : view.format === 'jsonl' ? 'JSONL files have no articles: every query loads' : null}
        onChange={(value) => dispatch({ type: 'datasetSettingsChanged', patch: { articles: value } })}
      />
    </div>
  );
}

/**
 * "First K articles": empty keeps all; anything but a whole number of at least 1 is not committed.
 * `noArticles` says why the source has none (MIRACL, JSONL): the field is then off, its value kept.
 */
function ArticlesField({ value, noArticles, onChange }: { value: number | null; noArticles: string | null; onChange: (value: number | null) => void }) {
  const [draft, setDraft] = useState(value === null ? '' : String(value));
  useEffect(() => setDraft(value === null ? '' : String(value)), [value]);
  const parsed = draft.trim() === '' ? null : Number(draft);
  const valid = parsed === null || (Number.isInteger(parsed) && parsed >= 1);
  return (
    <label className="field articles">
      <span>First K articles</span>
      <input
        type="number"
        min={1}
        step={1}
        inputMode="numeric"
        placeholder="all"
        value={noArticles ? '' : draft}
        aria-invalid={!valid}
        disabled={noArticles !== null}
        onChange={(event) => {
          setDraft(event.target.value);
          const next = event.target.value.trim() === '' ? null : Number(event.target.value);
          if (next === null || (Number.isInteger(next) && next >= 1)) onChange(next);
        }}
      />
      <span className="muted small">{noArticles ?? (valid ? 'empty: all (LAReQA only)' : 'a whole number, at least 1')}</span>
    </label>
  );
}

export function LoadedSummary() {
  const { state } = useNotebook();
  const { summary, warnings } = state.loaded!.dataset;
  return (
    <div className="loaded" data-testid="dataset-summary">
      <p>
        <strong>{summary.name}</strong>: {summary.languages.length} languages, {formatCount(summary.questions)} questions,{' '}
        {formatCount(summary.queries)} queries, {formatCount(summary.candidates)} candidate sentences.
      </p>
      <table className="counts">
        <thead>
          <tr>
            <th scope="col">Language</th>
            {summary.languages.map((l) => (
              <th scope="col" key={l.lang} className="num">
                {l.lang}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Queries</th>
            {summary.languages.map((l) => (
              <td key={l.lang} className="num">
                {formatCount(l.queries)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Candidates</th>
            {summary.languages.map((l) => (
              <td key={l.lang} className="num">
                {formatCount(l.candidates)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      {warnings.length > 0 ? (
        <details className="warnings">
          <summary>
            {summary.warnings} warning{summary.warnings === 1 ? '' : 's'} (loaded anyway)
          </summary>
          <ul>
            {warnings.map((w, i) => (
              <li key={i}>
                <span className="mono">{w.file}</span>
                {w.place ? <span className="mono"> ({w.place})</span> : null}: {w.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
