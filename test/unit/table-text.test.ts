/** The table formats, against text written out by hand. */
import { describe, expect, it } from 'vitest';
import { formatTable, type TextTable } from '../../src/app/results/table-text';

const TABLE: TextTable = {
  caption: 'Summary: Run 2 against Run 1',
  header: ['Metric', 'Run 2', 'Δ'],
  rows: [
    ['Cross-lingual mAP', '0.651', '+0.150'],
    ['Rank distance', '18.3', '−2.0'],
    ['a|b, "c" & 5% of x_1', '–', '0.000'],
  ],
  numeric: [false, true, true],
};

describe('table formats', () => {
  it('Markdown: a GitHub table, numbers right-aligned, pipes escaped', () => {
    expect(formatTable(TABLE, 'markdown')).toBe(
      [
        '**Summary: Run 2 against Run 1**',
        '',
        '| Metric | Run 2 | Δ |',
        '| --- | ---: | ---: |',
        '| Cross-lingual mAP | 0.651 | +0.150 |',
        '| Rank distance | 18.3 | −2.0 |',
        '| a\\|b, "c" & 5% of x_1 | – | 0.000 |',
        '',
      ].join('\n'),
    );
  });

  it('CSV: RFC 4180 quoting, CRLF lines, no caption', () => {
    expect(formatTable(TABLE, 'csv')).toBe(
      'Metric,Run 2,Δ\r\nCross-lingual mAP,0.651,+0.150\r\nRank distance,18.3,−2.0\r\n"a|b, ""c"" & 5% of x_1",–,0.000\r\n',
    );
  });

  it('LaTeX: booktabs, specials escaped, symbols pdfLaTeX knows', () => {
    expect(formatTable(TABLE, 'latex')).toBe(
      [
        '\\begin{table}',
        '\\centering',
        '\\caption{Summary: Run 2 against Run 1}',
        '\\begin{tabular}{lrr}',
        '\\toprule',
        'Metric & Run 2 & $\\Delta$ \\\\',
        '\\midrule',
        'Cross-lingual mAP & 0.651 & +0.150 \\\\',
        'Rank distance & 18.3 & $-$2.0 \\\\',
        'a\\textbar{}b, "c" \\& 5\\% of x\\_1 & -- & 0.000 \\\\',
        '\\bottomrule',
        '\\end{tabular}',
        '\\end{table}',
        '',
      ].join('\n'),
    );
  });
});
