import { useRef, useState, type ReactNode } from 'react';
import { formatTable, type TableFormat, type TextCell, type TextTable } from './table-text';

const FORMATS: { format: TableFormat; label: string }[] = [
  { format: 'markdown', label: 'Markdown' },
  { format: 'csv', label: 'CSV' },
  { format: 'latex', label: 'LaTeX' },
];

/** A rendered table with buttons that copy it, as shown, in Markdown, CSV or LaTeX, with `note` (what its marks mean) under it. */
export function CopyTable({ children, name, note }: { children: ReactNode; name: string; note?: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = (format: TableFormat, label: string) => {
    const table = holder.current?.querySelector('table');
    if (!table) return;
    navigator.clipboard.writeText(formatTable({ ...tableText(table), note }, format)).then(
      () => setCopied(`Copied as ${label}.`),
      () => setCopied('The browser did not allow copying.'),
    );
  };
  return (
    <div className="copy-table" ref={holder}>
      {children}
      <div className="copy-buttons small" role="group" aria-label={`Copy ${name} as`}>
        <span className="muted">Copy as</span>
        {FORMATS.map(({ format, label }) => (
          <button key={format} type="button" className="link" onClick={() => copy(format, label)} data-testid={`copy-${format}`}>
            {label}
          </button>
        ))}
        <span className="muted" role="status">
          {copied}
        </span>
      </div>
    </div>
  );
}

/** The table as its reader sees it: caption, last header row, body rows (a `<sup>` as a superscript); columns of `.num` cells are numeric. */
function tableText(table: HTMLTableElement): TextTable {
  // A metric's definition (MetricTerm's tooltip) is not part of the table's text.
  const text = (cell: Element) => {
    const copy = cell.cloneNode(true) as Element;
    copy.querySelectorAll('[role="tooltip"], sup').forEach((left) => left.remove());
    return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
  };
  const bodyCell = (cell: Element): TextCell => {
    const sup = [...cell.querySelectorAll('sup')].map((item) => item.textContent ?? '').join('').trim();
    return sup ? { text: text(cell), sup } : text(cell);
  };
  const headerCells = [...(table.tHead?.rows[table.tHead.rows.length - 1]?.cells ?? [])];
  const bodyRows = [...table.tBodies].flatMap((body) => [...body.rows]);
  return {
    caption: table.caption ? text(table.caption) : '',
    header: headerCells.map(text),
    rows: bodyRows.map((row) => [...row.cells].map(bodyCell)),
    numeric: headerCells.map((cell) => cell.classList.contains('num')),
  };
}
