import { useState } from 'react';
import { writeLink, type Hideable } from '../state/link';
import { pageLink } from '../state/page-link';
import type { Settings } from '../state/settings';
import { ShareDialog } from './ShareDialog';

/**
 * The experiment's link: a Copy button (this page's own address, wherever it is hosted), "Share
 * with students" (ShareDialog), and what an opened link could not restore.
 */
export function LinkBar({ settings, hidden, problems, onDismiss }: { settings: Settings; hidden: ReadonlySet<Hideable>; problems: string[]; onDismiss(): void }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const [sharing, setSharing] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText(pageLink(writeLink(settings, [...hidden]))).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };
  return (
    <div className="link-bar" data-testid="link-bar">
      <button type="button" onClick={copy} data-testid="copy-link">
        Copy link
      </button>{' '}
      <button type="button" onClick={() => setSharing(true)} data-testid="share-open">
        Share with students
      </button>{' '}
      <span className="muted small" role="status">
        {copied === 'copied'
          ? 'Link copied: it opens this experiment (dataset, encoder, mix, training, seed), with results to run again.'
          : copied === 'failed'
            ? 'The browser did not allow copying: copy the address bar instead.'
            : 'The address bar holds every setting: share it to share the experiment.'}
      </span>
      {sharing ? <ShareDialog settings={settings} hidden={hidden} onClose={() => setSharing(false)} /> : null}
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
