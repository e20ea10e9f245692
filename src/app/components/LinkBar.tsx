import { useState } from 'react';

/** The experiment's link: a Copy button, the link itself for copying by hand, and what an opened link could not restore. */
export function LinkBar({ problems, onDismiss }: { problems: string[]; onDismiss(): void }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const copy = () => {
    navigator.clipboard.writeText(location.href).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };
  return (
    <div className="link-bar" data-testid="link-bar">
      <button type="button" onClick={copy} data-testid="copy-link">
        Copy link
      </button>{' '}
      <span className="muted small" role="status">
        {copied === 'copied'
          ? 'Link copied: it opens this experiment (dataset, encoder, mix, training, seed), with results to run again.'
          : copied === 'failed'
            ? 'The browser did not allow copying: copy the address bar instead.'
            : 'The address bar holds every setting: share it to share the experiment.'}
      </span>
      {problems.length > 0 ? (
        <div className="link-problems" role="alert" data-testid="link-problems">
          <strong>This link could not be read in full; the defaults stand in for what it got wrong.</strong>
          <ul>
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
          <button type="button" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      ) : null}
    </div>
  );
}
