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

/** Table 1 as the Compare mixes view shows it: values with the letters of the rows they beat, and the test's note. */
const TABLE_1: TextTable = {
  caption: 'Table 1: mAP',
  header: ['Mix', 'Mono', 'Cross'],
  rows: [
    ['(a) Untrained', '0.140', '0.101'],
    ['(b) Hybrid Run 3', { text: '0.151', sup: 'a' }, { text: '0.166', sup: 'ad' }],
  ],
  numeric: [false, true, true],
  note: 'Superscripts: the rows a value beats, p < 0.05 in a paired randomization test.',
};

describe('Tables 1 and 2', () => {
  it('Markdown: superscripts as <sup>, the caption once, the note under the table', () => {
    expect(formatTable(TABLE_1, 'markdown')).toBe(
      [
        '**Table 1: mAP**',
        '',
        '| Mix | Mono | Cross |',
        '| --- | ---: | ---: |',
        '| (a) Untrained | 0.140 | 0.101 |',
        '| (b) Hybrid Run 3 | 0.151<sup>a</sup> | 0.166<sup>ad</sup> |',
        '',
        'Superscripts: the rows a value beats, p < 0.05 in a paired randomization test.',
        '',
      ].join('\n'),
    );
  });

  it('LaTeX: math superscripts, a caption LaTeX does not number twice, the note in the float', () => {
    expect(formatTable(TABLE_1, 'latex')).toBe(
      [
        '\\begin{table}',
        '\\centering',
        '\\caption{mAP}',
        '\\begin{tabular}{lrr}',
        '\\toprule',
        'Mix & Mono & Cross \\\\',
        '\\midrule',
        '(a) Untrained & 0.140 & 0.101 \\\\',
        '(b) Hybrid Run 3 & 0.151$^{a}$ & 0.166$^{ad}$ \\\\',
        '\\bottomrule',
        '\\end{tabular}',
        '\\par\\smallskip',
        '{\\footnotesize Superscripts: the rows a value beats, p $<$ 0.05 in a paired randomization test.\\par}',
        '\\end{table}',
        '',
      ].join('\n'),
    );
  });

  it('CSV: a superscript after a caret, never run into the number', () => {
    expect(formatTable(TABLE_1, 'csv')).toBe('Mix,Mono,Cross\r\n(a) Untrained,0.140,0.101\r\n(b) Hybrid Run 3,0.151^a,0.166^ad\r\n');
  });
});
