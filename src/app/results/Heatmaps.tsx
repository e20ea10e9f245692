/**
 * The query-language x passage-language mAP heatmap, the difference heatmap of two runs (with the
 * cells whose difference is significant marked), and the first-relevant-language heatmap.
 * Rows are query languages (top to bottom), columns passage languages; the diagonal (monolingual
 * cells) is outlined; empty cells (n = 0) stay blank.
 */
import { useMemo } from 'react';
import type { Data, Layout, Shape } from 'plotly.js-dist-min';
import type { EvalReport } from '../../core/metrics/types';
import { SIGNIFICANCE_LEVEL, type ComparisonReport } from '../../core/stats/paired';
import type { Run } from '../state/runs';
import { formatDelta, formatInterval, formatP } from '../../core/format';
import { PlotlyChart, plainLabels } from './plotly';
import { decimalsForScale } from './axis';

const MAP_COLORS: [number, string][] = [
  [0, '#f7fbff'],
  [0.25, '#c6dbef'],
  [0.5, '#6baed6'],
  [0.75, '#2171b5'],
  [1, '#08306b'],
];
/** Diverging, centred at 0 by a symmetric range: red where the run is worse, blue where better. */
const DELTA_COLORS: [number, string][] = [
  [0, '#b2182b'],
  [0.25, '#ef8a62'],
  [0.5, '#f7f7f7'],
  [0.75, '#67a9cf'],
  [1, '#2166ac'],
];

/** The mAP of cell (query X, passage Y); null when the cell is empty. */
function cellMap(report: EvalReport, x: string, y: string): number | null {
  const cell = report.cells[x]?.[y];
  return cell && cell.n > 0 ? cell.map : null;
}

/** Outlines of the diagonal cells, in category coordinates. */
function diagonalShapes(count: number): Partial<Shape>[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'rect',
    xref: 'x',
    yref: 'y',
    x0: i - 0.5,
    x1: i + 0.5,
    y0: i - 0.5,
    y1: i + 0.5,
    line: { color: '#1f2933', width: 2 },
    fillcolor: 'rgba(0,0,0,0)',
  }));
}

function heatmapLayout(languages: string[], title: string): Partial<Layout> {
  const side = 130 + languages.length * 40;
  return {
    title: { text: title, font: { size: 14 }, x: 0, xanchor: 'left' },
    height: side,
    margin: { l: 70, r: 20, t: 48, b: 60 },
    xaxis: { title: { text: 'Passage language' }, type: 'category', tickson: 'labels', showgrid: false },
    yaxis: { title: { text: 'Query language' }, type: 'category', autorange: 'reversed', showgrid: false },
    shapes: diagonalShapes(languages.length),
  };
}

/** A languages x languages heatmap of values in [0, 1], each printed with two decimals; null cells stay blank. */
function unitHeatmap(languages: string[], z: (number | null)[][], colorscale: [number, string][]): Data {
  return {
    type: 'heatmap',
    x: plainLabels(languages),
    y: plainLabels(languages),
    z,
    zmin: 0,
    zmax: 1,
    colorscale,
    xgap: 1,
    ygap: 1,
    text: z.map((row) => row.map((value) => (value === null ? '' : value.toFixed(2)))),
    texttemplate: '%{text}',
    hoverongaps: false,
  };
}

export function MapHeatmap({ run, title, onSettled }: { run: Pick<Run, 'id' | 'languages' | 'report'>; title: string; onSettled?: () => void }) {
  const { data, layout } = useMemo(() => {
    const { languages, report } = run;
    const z = languages.map((x) => languages.map((y) => cellMap(report, x, y)));
    const trace: Data = {
      ...unitHeatmap(languages, z, MAP_COLORS),
      // R@1 and n as preformatted text: plotly's types allow only flat values per cell.
      customdata: languages.map((x) =>
        languages.map((y) => {
          const cell = report.cells[x]?.[y];
          return cell ? `R@1 ${cell.r1.toFixed(3)}<br>n ${cell.n}` : '';
        }),
      ),
      hovertemplate: 'query %{y} → passages %{x}<br>mAP %{z:.3f}<br>%{customdata}<extra></extra>',
      colorbar: { title: { text: 'mAP' }, thickness: 12 },
    };
    return { data: [trace], layout: heatmapLayout(languages, title) };
  }, [run, title]);
  return <PlotlyChart data={data} layout={layout} label={title} testId={`heatmap-${run.id}`} onSettled={onSettled} />;
}

/** Outlines of the cells whose difference is significant (p_holm < 0.05), drawn over the diagonal's. */
const SIGNIFICANT_OUTLINE = { color: '#f2a900', width: 4 };

/**
 * Cell-wise `a − b` over the languages both runs have, in a's order. With `comparison` (of a against
 * b, delta = a − b), the cells with p_holm < 0.05, and only those, get a star and an outline, and
 * hovering shows each cell's 95% CI, p and p_holm.
 */
export function DifferenceHeatmap({ a, b, title, comparison }: { a: Run; b: Run; title: string; comparison: ComparisonReport | null }) {
  const { data, layout } = useMemo(() => {
    const languages = a.languages.filter((lang) => b.languages.includes(lang));
    const significant = (x: string, y: string) => {
      const pHolm = comparison?.cells[x]?.[y]?.p_holm;
      return pHolm !== undefined && pHolm !== null && pHolm < SIGNIFICANCE_LEVEL;
    };
    const z = languages.map((x) =>
      languages.map((y) => {
        const va = cellMap(a.report, x, y);
        const vb = cellMap(b.report, x, y);
        return va === null || vb === null ? null : va - vb;
      }),
    );
    const largest = Math.max(0.01, ...z.flat().map((value) => Math.abs(value ?? 0)));
    const decimals = decimalsForScale(largest);
    const trace: Data = {
      type: 'heatmap',
      x: plainLabels(languages),
      y: plainLabels(languages),
      z,
      zmin: -largest,
      zmax: largest,
      colorscale: DELTA_COLORS,
      xgap: 1,
      ygap: 1,
      text: z.map((row, i) => row.map((value, j) => (value === null ? '' : formatDelta(value, decimals) + (significant(languages[i], languages[j]) ? '*' : '')))),
      texttemplate: '%{text}',
      // Three decimals in eleven columns: a smaller font keeps each value inside its cell.
      ...(decimals > 2 && languages.length > 6 ? { textfont: { size: 10 } } : {}),
      // The CI and p of each cell as preformatted text (empty without a comparison).
      customdata: languages.map((x) =>
        languages.map((y) => {
          const cell = comparison?.cells[x]?.[y];
          if (!cell || cell.n === 0) return '';
          return `95% CI ${formatInterval(cell.ci, 3)}<br>p ${formatP(cell.p)}, Holm ${formatP(cell.p_holm)}${significant(x, y) ? ' (significant)' : ''}`;
        }),
      ),
      hovertemplate: 'query %{y} → passages %{x}<br>ΔmAP %{z:+.3f}<br>%{customdata}<extra></extra>',
      colorbar: { title: { text: 'ΔmAP' }, thickness: 12 },
      hoverongaps: false,
    };
    const layout = heatmapLayout(languages, title);
    const marks: Partial<Shape>[] = languages.flatMap((x, i) =>
      languages.flatMap((y, j) => (significant(x, y)
        ? [{ type: 'rect', xref: 'x', yref: 'y', x0: j - 0.45, x1: j + 0.45, y0: i - 0.45, y1: i + 0.45, line: SIGNIFICANT_OUTLINE, fillcolor: 'rgba(0,0,0,0)' } as Partial<Shape>]
        : [])),
    );
    layout.shapes = [...(layout.shapes ?? []), ...marks];
    return { data: [trace], layout };
  }, [a, b, title, comparison]);
  return <PlotlyChart data={data} layout={layout} label={title} testId="heatmap-difference" />;
}

const SHARE_COLORS: [number, string][] = [
  [0, '#fff7ec'],
  [0.5, '#fc8d59'],
  [1, '#7f0000'],
];

/**
 * `first_language[X][Y]`: the share of X's questions (answered in at least two languages) whose
 * best-ranked answer is in Y. A language-blind encoder spreads each row evenly; a bright diagonal
 * is the encoder preferring the query's own language.
 */
export function FirstLanguageHeatmap({ run }: { run: Run }) {
  const title = `Run ${run.number}: language of the first correct answer`;
  const { data, layout } = useMemo(() => {
    const { languages, report } = run;
    const z = languages.map((x) => languages.map((y) => report.first_language?.[x]?.[y] ?? null));
    const trace: Data = {
      ...unitHeatmap(languages, z, SHARE_COLORS),
      hovertemplate: 'queries in %{y}: first correct answer in %{x} for a share of %{z:.3f}<extra></extra>',
      colorbar: { title: { text: 'share' }, thickness: 12 },
    };
    const layout = heatmapLayout(languages, title);
    layout.xaxis = { ...layout.xaxis, title: { text: 'Language of the first correct answer' } };
    return { data: [trace], layout };
  }, [run, title]);
  return <PlotlyChart data={data} layout={layout} label={title} testId={`first-language-${run.id}`} />;
}
