import { useEffect, useState } from 'react';
import { validateLexicalOptions, type LexicalOptions } from '../../core/encoders/lexical';
import { Cell } from '../components/Cell';
import { useNotebook } from '../notebook-context';
import type { Settings } from '../state/settings';

const CANDIDATE_TEXTS: { value: Settings['candidateText']; label: string; hint: string }[] = [
  { value: 'sentence', label: 'Sentence', hint: 'the answer sentence alone (LAReQA)' },
  { value: 'sentence+paragraph', label: 'Sentence + paragraph', hint: 'the sentence followed by its paragraph' },
];

const LEXICAL_FIELDS: { key: keyof LexicalOptions; label: string; hint: string }[] = [
  { key: 'dim', label: 'Dimension', hint: '16 to 8192' },
  { key: 'minN', label: 'Shortest n-gram', hint: 'characters' },
  { key: 'maxN', label: 'Longest n-gram', hint: 'at most 8' },
];

export function EncoderCell() {
  const { state, dispatch } = useNotebook();
  const { encoder, candidateText } = state.settings;
  return (
    <Cell index={2} title="Encoder" id="encoder">
      <div className="encoder-grid">
        <fieldset>
          <legend>Encoder</legend>
          <label className="option selected">
            <input type="radio" name="encoder" value="lexical" checked readOnly />
            <span>
              <strong>Lexical</strong> <span className="muted">built in, no download</span>
              <span className="option-hint">
                Hashed character n-grams, sublinear tf, L2-normalised. Strong within a language, weak across scripts: the baseline.
              </span>
            </span>
          </label>
        </fieldset>
        <fieldset>
          <legend>Lexical settings</legend>
          <LexicalFields options={encoder} onChange={(options) => dispatch({ type: 'encoderChanged', encoder: { kind: 'lexical', ...options } })} />
        </fieldset>
        <fieldset>
          <legend>Candidate text</legend>
          {CANDIDATE_TEXTS.map((option) => (
            <label key={option.value} className={`option${candidateText === option.value ? ' selected' : ''}`}>
              <input
                type="radio"
                name="candidate-text"
                value={option.value}
                checked={candidateText === option.value}
                onChange={() => dispatch({ type: 'candidateTextChanged', candidateText: option.value })}
              />
              <span>
                {option.label}
                <span className="option-hint">{option.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
      </div>
    </Cell>
  );
}

/** Drafts are edited freely; only a valid combination (validateLexicalOptions) reaches the settings. */
function LexicalFields({ options, onChange }: { options: LexicalOptions; onChange: (options: LexicalOptions) => void }) {
  const toDrafts = (o: LexicalOptions) => ({ dim: String(o.dim), minN: String(o.minN), maxN: String(o.maxN) });
  const [drafts, setDrafts] = useState(toDrafts(options));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDrafts(toDrafts(options));
    setError(null);
  }, [options]);

  const edit = (key: keyof LexicalOptions, text: string) => {
    const next = { ...drafts, [key]: text };
    setDrafts(next);
    try {
      onChange(validateLexicalOptions({ dim: Number(next.dim), minN: Number(next.minN), maxN: Number(next.maxN) }));
    } catch (e) {
      setError(e instanceof Error ? e.message.replace(/^Lexical encoder: /, '') : String(e));
    }
  };

  return (
    <>
      <div className="field-row">
        {LEXICAL_FIELDS.map((field) => (
          <label key={field.key} className="field">
            <span>{field.label}</span>
            <input type="number" inputMode="numeric" value={drafts[field.key]} aria-invalid={error !== null} onChange={(event) => edit(field.key, event.target.value)} />
            <span className="muted small">{field.hint}</span>
          </label>
        ))}
      </div>
      {error ? (
        <p className="error-text small" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
