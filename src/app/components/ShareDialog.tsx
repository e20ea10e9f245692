/**
 * "Share with students": the experiment's link with the parts of the page a lesson hides (the
 * link's `hide=`), a Copy button and a QR code of the link for a projector. A native modal dialog:
 * focus stays inside, Tab walks the checkboxes and buttons, Escape closes.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import QRCode from 'qrcode';
import { HIDEABLE_CELLS, HIDEABLE_CONTROLS, writeLink, type Hideable } from '../state/link';
import type { Settings } from '../state/settings';
import { pageLink } from '../state/page-link';

const HIDEABLE_LABELS: Record<Hideable, string> = {
  dataset: 'Dataset cell',
  encoder: 'Encoder cell',
  evaluate: 'Evaluate cell',
  'batch-mix': 'Batch mix cell',
  train: 'Train cell',
  results: 'Results cell',
  sweep: 'Sweep cell',
  classroom: 'Classroom preset button',
  link: 'Link bar (Copy link, Share)',
};

export function ShareDialog({ settings, hidden, onClose }: { settings: Settings; hidden: ReadonlySet<Hideable>; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [hide, setHide] = useState<ReadonlySet<Hideable>>(hidden);
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const [qr, setQr] = useState<{ link: string; svg: string } | { link: string; error: string } | null>(null);
  // In the order of the page, whatever order the boxes were ticked in.
  const link = useMemo(() => pageLink(writeLink(settings, [...HIDEABLE_CELLS, ...HIDEABLE_CONTROLS].filter((name) => hide.has(name)))), [settings, hide]);

  // Unmounting removes the dialog from the page, which closes it.
  useEffect(() => dialog.current!.showModal(), []);
  useEffect(() => {
    let current = true;
    // Low error correction: the largest modules for a long link, read off a projector at a distance.
    QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 }).then(
      (svg) => current && setQr({ link, svg }),
      (error: unknown) => current && setQr({ link, error: error instanceof Error ? error.message : String(error) }),
    );
    setCopied(null);
    return () => {
      current = false;
    };
  }, [link]);

  const toggle = (name: Hideable, on: boolean) => {
    const next = new Set(hide);
    if (on) next.add(name);
    else next.delete(name);
    setHide(next);
  };
  const copy = () => navigator.clipboard.writeText(link).then(() => setCopied('copied'), () => setCopied('failed'));

  return (
    // `close` also fires on Escape (the dialog's own cancel).
    <dialog ref={dialog} className="share-dialog" aria-labelledby="share-title" onClose={onClose} data-testid="share-dialog">
      <h2 id="share-title">Share with students</h2>
      <p className="muted small">The link opens this experiment's settings; the students' page leaves out what you tick here.</p>
      <fieldset>
        <legend>Hide</legend>
        {[...HIDEABLE_CELLS, ...HIDEABLE_CONTROLS].map((name) => (
          <label key={name} className="share-choice">
            <input type="checkbox" value={name} checked={hide.has(name)} onChange={(event) => toggle(name, event.target.checked)} /> {HIDEABLE_LABELS[name]}
          </label>
        ))}
      </fieldset>
      <label className="field share-link">
        <span>Link</span>
        <input type="text" readOnly value={link} onFocus={(event) => event.target.select()} data-testid="share-link" />
      </label>
      <p>
        <button type="button" onClick={copy} data-testid="share-copy">
          Copy
        </button>{' '}
        <span className="muted small" role="status">
          {copied === 'copied' ? 'Copied.' : copied === 'failed' ? 'The browser did not allow copying: select the link and copy it by hand.' : null}
        </span>
      </p>
      {qr?.link !== link ? (
        <p className="muted small">Drawing the QR code…</p>
      ) : 'svg' in qr ? (
        <img className="share-qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr.svg)}`} alt="QR code of the link" data-testid="share-qr" data-link={qr.link} />
      ) : (
        <p className="hint small">No QR code: {qr.error}. The link still works.</p>
      )}
      <p>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </p>
    </dialog>
  );
}
