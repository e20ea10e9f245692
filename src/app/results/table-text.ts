/**
 * A table as text, for pasting into notes, spreadsheets and papers: GitHub Markdown, CSV (RFC 4180)
 * and LaTeX (booktabs). Cells are copied as shown (rounded, dashes for missing values).
 */
export interface TextTable {
  caption: string;
  header: string[];
  rows: string[][];
  /** Per column: numbers are right-aligned. */
  numeric: boolean[];
}

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

function toMarkdown({ caption, header, rows, numeric }: TextTable): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  const rule = `| ${numeric.map((isNumber) => (isNumber ? '---:' : '---')).join(' | ')} |`;
  return [...(caption ? [`**${caption}**`, ''] : []), line(header), rule, ...rows.map(line)].join('\n') + '\n';
}

function toCsv({ header, rows }: TextTable): string {
  const field = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
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
};

function latexText(text: string): string {
  return text.replace(/[\\&%$#_{}~^|−–Δ×→]/g, (char) => LATEX_SPECIALS[char]);
}

function toLatex({ caption, header, rows, numeric }: TextTable): string {
  const line = (cells: string[]) => `${cells.map(latexText).join(' & ')} \\\\`;
  return [
    '\\begin{table}',
    '\\centering',
    ...(caption ? [`\\caption{${latexText(caption)}}`] : []),
    `\\begin{tabular}{${numeric.map((isNumber) => (isNumber ? 'r' : 'l')).join('')}}`,
    '\\toprule',
    line(header),
    '\\midrule',
    ...rows.map(line),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
  ].join('\n') + '\n';
}
