import { useEffect, useId, useState } from 'react';

/**
 * A number input whose text is edited freely; only a value that `accept` allows reaches `onChange`,
 * otherwise the field is marked invalid and its hint shown as an error.
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
