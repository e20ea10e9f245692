/**
 * The query-language x passage-language mAP heatmap, and the difference heatmap of two runs.
 * Rows are query languages (top to bottom), columns passage languages; the diagonal (monolingual
 * cells) is outlined; empty cells (n = 0) stay blank.
 */
import { useMemo } from 'react';
import type { Data, Layout, Shape } from 'plotly.js-dist-min';
import type { EvalReport } from '../../core/metrics/types';
import type { Run } from '../state/runs';
import { formatDelta } from './format';
import { PlotlyChart, plainLabels } from './plotly';

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

export function MapHeatmap({ run, title }: { run: Pick<Run, 'id' | 'languages' | 'report'>; title: string }) {
  const { data, layout } = useMemo(() => {
    const { languages, report } = run;
    const z = languages.map((x) => languages.map((y) => cellMap(report, x, y)));
    const trace: Data = {
      type: 'heatmap',
      x: plainLabels(languages),
      y: plainLabels(languages),
      z,
      zmin: 0,
      zmax: 1,
      colorscale: MAP_COLORS,
      xgap: 1,
      ygap: 1,
      text: z.map((row) => row.map((value) => (value === null ? '' : value.toFixed(2)))),
      texttemplate: '%{text}',
      // R@1 and n as preformatted text: plotly's types allow only flat values per cell.
      customdata: languages.map((x) =>
        languages.map((y) => {
          const cell = report.cells[x]?.[y];
          return cell ? `R@1 ${cell.r1.toFixed(3)}<br>n ${cell.n}` : '';
        }),
      ),
      hovertemplate: 'query %{y} → passages %{x}<br>mAP %{z:.3f}<br>%{customdata}<extra></extra>',
      colorbar: { title: { text: 'mAP' }, thickness: 12 },
      hoverongaps: false,
    };
    return { data: [trace], layout: heatmapLayout(languages, title) };
  }, [run, title]);
  return <PlotlyChart data={data} layout={layout} label={title} testId={`heatmap-${run.id}`} />;
}

/** Cell-wise `a − b` over the languages both runs have, in a's order. */
export function DifferenceHeatmap({ a, b, title }: { a: Run; b: Run; title: string }) {
  const { data, layout } = useMemo(() => {
    const languages = a.languages.filter((lang) => b.languages.includes(lang));
    const z = languages.map((x) =>
      languages.map((y) => {
        const va = cellMap(a.report, x, y);
        const vb = cellMap(b.report, x, y);
        return va === null || vb === null ? null : va - vb;
      }),
    );
    const largest = Math.max(0.01, ...z.flat().map((value) => Math.abs(value ?? 0)));
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
      text: z.map((row) => row.map((value) => (value === null ? '' : formatDelta(value, 2)))),
      texttemplate: '%{text}',
      hovertemplate: 'query %{y} → passages %{x}<br>ΔmAP %{z:+.3f}<extra></extra>',
      colorbar: { title: { text: 'ΔmAP' }, thickness: 12 },
      hoverongaps: false,
    };
    return { data: [trace], layout: heatmapLayout(languages, title) };
  }, [a, b, title]);
  return <PlotlyChart data={data} layout={layout} label={title} testId="heatmap-difference" />;
}
