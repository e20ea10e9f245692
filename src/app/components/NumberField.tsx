import { useContext, useEffect, useId, useState } from 'react';
import { NotebookContext } from '../notebook-context';
import { readFieldText, type Field } from '../state/setting-fields';

/**
 * A number input whose text is edited freely; only a value that its settings field (`setting`: the
 * check a link and the stored notebook use too) accepts reaches `onChange`, otherwise the field is
 * marked invalid, the field's words for why shown as an error, and the notebook told (runs wait
 * until it is fixed).
 */
export function NumberField({
  label,
  value,
  onChange,
  setting,
  hint,
  step,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  setting: Field<number>;
  hint?: string;
  step?: number;
}) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const id = useId();
  const read = readFieldText(setting, draft);
  const valid = 'value' in read;
  // The notebook hears of an invalid text, so that no run starts with a value other than the one shown.
  const dispatch = useContext(NotebookContext)?.dispatch;
  useEffect(() => {
    if (valid || !dispatch) return;
    dispatch({ type: 'fieldValidityChanged', field: id, label });
    return () => dispatch({ type: 'fieldValidityChanged', field: id, label: null });
  }, [valid, dispatch, id, label]);
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        step={step ?? 'any'}
        value={draft}
        aria-invalid={!valid}
        aria-describedby={hint || !valid ? `${id}-hint` : undefined}
        onChange={(event) => {
          const text = event.target.value;
          setDraft(text);
          const next = readFieldText(setting, text);
          if ('value' in next) onChange(next.value);
        }}
      />
      {'problem' in read ? (
        <span id={`${id}-hint`} className="error-text small" data-testid="field-problem">
          {label}: {read.problem}
        </span>
      ) : hint ? (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      ) : null}
    </div>
  );
}
