import type { ReactNode } from 'react';
import { CellBoundary } from './CellBoundary';

export type CellStatus = { tone: 'neutral' | 'busy' | 'ready' | 'stale' | 'error'; text: string };

/** One notebook cell: a numbered, titled card with a status chip. */
export function Cell({ index, title, status, children, id }: { index: number; title: string; status?: CellStatus; children: ReactNode; id: string }) {
  return (
    <section className="cell" aria-labelledby={`${id}-title`} id={id}>
      <header className="cell-header">
        <span className="cell-index" aria-hidden="true">
          {index}
        </span>
        <h2 id={`${id}-title`}>{title}</h2>
        {status ? (
          <span className={`chip chip-${status.tone}`} data-testid={`${id}-status`}>
            {status.text}
          </span>
        ) : null}
      </header>
      <div className="cell-body">
        <CellBoundary name={title}>{children}</CellBoundary>
      </div>
    </section>
  );
}
