import { useContext, useEffect, useId, useState } from 'react';
import { NotebookContext } from '../notebook-context';

/**
 * A number input whose text is edited freely; only a value that `accept` allows reaches `onChange`,
 * otherwise the field is marked invalid, its hint shown as an error, and the notebook told (runs
 * wait until it is fixed).
 */
export function NumberField({
  label,
  value,
  onChange,
  accept,
  hint,
  step,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  accept: (value: number) => boolean;
  hint?: string;
  step?: number;
}) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const id = useId();
  const parsed = draft.trim() === '' ? NaN : Number(draft);
  const valid = Number.isFinite(parsed) && accept(parsed);
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
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => {
          const text = event.target.value;
          setDraft(text);
          const next = Number(text);
          if (text.trim() !== '' && Number.isFinite(next) && accept(next)) onChange(next);
        }}
      />
      {hint ? (
        <span id={`${id}-hint`} className={valid ? 'muted small' : 'error-text small'}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

export const isInteger = (min: number, max = Infinity) => (value: number) => Number.isInteger(value) && value >= min && value <= max;
export const isBetween = (min: number, max: number) => (value: number) => value > min && value < max;
export const isPositive = (value: number) => value > 0;
export const isNonNegative = (value: number) => value >= 0;
