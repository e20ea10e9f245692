/**
 * A table as text, for pasting into notes, spreadsheets and papers: GitHub Markdown, CSV (RFC 4180)
 * and LaTeX (booktabs). Cells are copied as shown (rounded, dashes for missing values); a cell's
 * superscript (Tables 1 and 2: the rows a value beats) is written as one, not run into the number
 * (`0.151a` read as a different number), and the table's note (which test marked them) follows it.
 */
export interface TextTable {
  /** Written once: the caption line of Markdown, `\caption` of LaTeX. */
  caption: string;
  header: string[];
  rows: TextCell[][];
  /** Per column: numbers are right-aligned. */
  numeric: boolean[];
  /** A note under the table (what its marks mean); empty for none. */
  note?: string;
}

/** A cell's text, with a superscript when it has one. */
export type TextCell = string | { text: string; sup: string };

const textOf = (cell: TextCell) => (typeof cell === 'string' ? cell : cell.text);
const supOf = (cell: TextCell) => (typeof cell === 'string' ? '' : cell.sup);

export type TableFormat = 'markdown' | 'csv' | 'latex';

export function formatTable(table: TextTable, format: TableFormat): string {
  switch (format) {
    case 'markdown':
      return toMarkdown(table);
    case 'csv':
      return toCsv(table);
    case 'latex':
      return toLatex(table);
  }
}

function toMarkdown({ caption, header, rows, numeric, note }: TextTable): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const cell = (item: TextCell) => escape(textOf(item)) + (supOf(item) ? `<sup>${escape(supOf(item))}</sup>` : '');
  const line = (cells: TextCell[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${numeric.map((isNumber) => (isNumber ? '---:' : '---')).join(' | ')} |`;
  return [...(caption ? [`**${caption}**`, ''] : []), line(header), rule, ...rows.map(line), ...(note ? ['', note] : [])].join('\n') + '\n';
}

/** A superscript as `^a` (a spreadsheet keeps the cell as text either way); the note is not part of CSV. */
function toCsv({ header, rows }: TextTable): string {
  const quoted = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const field = (cell: TextCell) => quoted(textOf(cell) + (supOf(cell) ? `^${supOf(cell)}` : ''));
  return [header, ...rows].map((cells) => cells.map(field).join(',')).join('\r\n') + '\r\n';
}

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '|': '\\textbar{}',
  // Characters the tables use that plain pdfLaTeX does not know.
  '−': '$-$',
  '–': '--',
  'Δ': '$\\Delta$',
  '×': '$\\times$',
  '→': '$\\rightarrow$',
  // In text mode pdfLaTeX's default encoding prints < and > as ¡ and ¿.
  '<': '$<$',
  '>': '$>$',
};

function latexText(text: string): string {
  return text.replace(/[\\&%$#_{}~^|−–Δ×→<>]/g, (char) => LATEX_SPECIALS[char]);
}

function toLatex({ caption, header, rows, numeric, note }: TextTable): string {
  const cell = (item: TextCell) => latexText(textOf(item)) + (supOf(item) ? `$^{${latexText(supOf(item))}}$` : '');
  const line = (cells: TextCell[]) => `${cells.map(cell).join(' & ')} \\\\`;
  return [
    '\\begin{table}',
    '\\centering',
    // LaTeX numbers tables itself: "Table 1: mAP" would print as "Table 1: Table 1: mAP".
    ...(caption ? [`\\caption{${latexText(caption.replace(/^Table \d+:\s*/, ''))}}`] : []),
    `\\begin{tabular}{${numeric.map((isNumber) => (isNumber ? 'r' : 'l')).join('')}}`,
    '\\toprule',
    line(header),
    '\\midrule',
    ...rows.map(line),
    '\\bottomrule',
    '\\end{tabular}',
    ...(note ? ['\\par\\smallskip', `{\\footnotesize ${latexText(note)}\\par}`] : []),
    '\\end{table}',
  ].join('\n') + '\n';
}
