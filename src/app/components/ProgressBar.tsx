/** A labelled progress bar; without `total` it is indeterminate. */
export function ProgressBar({ label, done, total, detail }: { label: string; done: number; total: number | null; detail?: string }) {
  const fraction = total ? Math.min(1, done / total) : null;
  return (
    <div className="progress">
      <div className="progress-text">
        <span>{label}</span>
        {detail ? <span className="muted">{detail}</span> : null}
      </div>
      <div
        className={`progress-track${fraction === null ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={total ? done : undefined}
      >
        <div className="progress-fill" style={fraction === null ? undefined : { transform: `scaleX(${fraction.toFixed(3)})` }} />
      </div>
    </div>
  );
}
