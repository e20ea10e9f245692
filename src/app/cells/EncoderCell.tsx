import { useEffect, useState } from 'react';
import { validateLexicalOptions, type LexicalOptions } from '../../core/encoders/lexical';
import { Cell, type CellStatus } from '../components/Cell';
import type { AppState } from '../state/app-state';
import { TransformerPanel } from './model-picker';
import { EmbeddingFilesPanel } from './embedding-files-panel';
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
  const { encoder, candidateText, encoderDrafts } = state.settings;
  return (
    <Cell index={2} title="Encoder" id="encoder" status={modelStatus(state)}>
      <div className="encoder-grid">
        <fieldset>
          <legend>Encoder</legend>
          {ENCODER_KINDS.map((kind) => (
            <label key={kind.value} className={`option${encoder.kind === kind.value ? ' selected' : ''}`}>
              <input
                type="radio"
                name="encoder"
                value={kind.value}
                checked={encoder.kind === kind.value}
                onChange={() => dispatch({ type: 'encoderKindChosen', kind: kind.value })}
              />
              <span>
                <strong>{kind.label}</strong> <span className="muted">{kind.tag}</span>
                <span className="option-hint">{kind.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {encoder.kind === 'lexical' ? (
          <fieldset>
            <legend>Lexical settings</legend>
            <LexicalFields options={encoderDrafts.lexical} onChange={(options) => dispatch({ type: 'encoderChanged', encoder: { kind: 'lexical', ...options } })} />
          </fieldset>
        ) : null}
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
      {encoder.kind === 'transformer' ? <TransformerPanel spec={encoder} /> : null}
      {encoder.kind === 'files' ? <EmbeddingFilesPanel spec={encoder} /> : null}
    </Cell>
  );
}

const ENCODER_KINDS = [
  {
    value: 'lexical',
    label: 'Lexical',
    tag: 'built in, no download',
    hint: 'Hashed character n-grams, sublinear tf, L2-normalised. Strong within a language, weak across scripts: the baseline.',
  },
  {
    value: 'transformer',
    label: 'Transformer model',
    tag: 'ONNX, in the encoder worker',
    hint: 'A multilingual sentence encoder from the hub or a folder of yours, on WebGPU or WASM. Embeddings are cached in this browser.',
  },
  {
    value: 'files',
    label: 'Embeddings from files',
    tag: '.npy + .jsonl, computed anywhere',
    hint: 'Vectors from a GPU server, an API or PyTorch, in the export format of xling eval --export; matched to the dataset by key and kept in this browser.',
  },
] as const;

function modelStatus(state: AppState): CellStatus | undefined {
  switch (state.model.status) {
    case 'running':
      return { tone: 'busy', text: 'loading model…' };
    case 'failed':
    case 'interrupted':
      return { tone: 'error', text: 'model failed' };
    case 'done':
      return state.settings.encoder.kind === 'transformer' ? { tone: 'ready', text: `model on ${state.model.result.device === 'webgpu' ? 'WebGPU' : 'WASM'}` } : undefined;
    case 'idle':
    case 'cancelled':
      return undefined;
  }
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
