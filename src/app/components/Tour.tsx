/**
 * The guided tour: a header button, then a popover beside each step's part of the page with Back,
 * Next and Close. Focus moves to Next (Done on the last step), so Enter walks through; Escape closes
 * and returns focus to the button. Nothing is kept but "seen".
 */
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { markTourSeen, TOUR_STEPS, tourSeen } from '../state/tour';

interface Placement {
  target: Element;
  /** The target's box in page coordinates, and where the popover goes. */
  ring: { top: number; left: number; width: number; height: number };
  popover: { top: number; left: number };
}

const POPOVER_WIDTH = 340;

export function Tour() {
  const [step, setStep] = useState<number | null>(null);
  const [seen, setSeen] = useState(tourSeen);
  const starter = useRef<HTMLButtonElement>(null);
  const next = useRef<HTMLButtonElement>(null);
  const [placement, setPlacement] = useState<Placement | null>(null);
  const titleId = useId();
  const textId = useId();

  const close = () => {
    markTourSeen();
    setSeen(true);
    setStep(null);
    starter.current?.focus();
  };

  // Steps whose part of the page is hidden (a link's hide=) are left out.
  const steps = TOUR_STEPS.filter((s) => s.targets.some((selector) => document.querySelector(selector)));
  const current = step === null ? null : steps[Math.min(step, steps.length - 1)];

  useLayoutEffect(() => {
    if (!current) return;
    const target = current.targets.map((selector) => document.querySelector(selector)).find((found) => found !== null);
    if (!target) return;
    target.scrollIntoView({ block: 'start' });
    const place = () => {
      const box = target.getBoundingClientRect();
      const top = box.top + window.scrollY;
      const left = box.left + window.scrollX;
      setPlacement({
        target,
        ring: { top: top - 6, left: left - 6, width: box.width + 12, height: Math.min(box.height, window.innerHeight - 24) + 12 },
        popover: { top: top + 12, left: Math.max(8, Math.min(left + box.width - POPOVER_WIDTH - 16, window.innerWidth - POPOVER_WIDTH - 8)) },
      });
    };
    place();
    window.addEventListener('resize', place);
    return () => window.removeEventListener('resize', place);
  }, [current]);

  useEffect(() => {
    if (current) next.current?.focus({ preventScroll: true });
  }, [current]);

  const open = current !== null;
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (step === null || !current) {
    return (
      <button type="button" ref={starter} onClick={() => setStep(0)} data-testid="tour-start">
        Guided tour{seen ? null : <span className="tour-new"> new</span>}
      </button>
    );
  }
  const index = Math.min(step, steps.length - 1);
  const last = index === steps.length - 1;
  return (
    <>
      <button type="button" ref={starter} aria-expanded="true" data-testid="tour-start">
        Guided tour
      </button>
      {placement ? <div className="tour-ring" style={placement.ring} aria-hidden="true" /> : null}
      <div
        role="dialog"
        aria-labelledby={titleId}
        aria-describedby={textId}
        className="tour-popover"
        style={placement ? { ...placement.popover, width: POPOVER_WIDTH } : { width: POPOVER_WIDTH }}
        data-testid="tour"
        data-target={placement?.target.closest('[id]')?.id}
      >
        <p className="muted small">
          Step {index + 1} of {steps.length}
        </p>
        <h3 id={titleId}>{current.title}</h3>
        <p id={textId}>{current.text}</p>
        <div className="actions">
          <button type="button" onClick={() => setStep(index - 1)} disabled={index === 0}>
            Back
          </button>
          <button type="button" className="primary" ref={next} onClick={() => (last ? close() : setStep(index + 1))}>
            {last ? 'Done' : 'Next'}
          </button>
          <button type="button" className="link" onClick={close}>
            Close tour
          </button>
        </div>
      </div>
    </>
  );
}
