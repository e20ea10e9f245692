import { SIGNIFICANCE_LEVEL, type ComparedMetric } from '../../core/stats/paired';
import { useNotebook } from '../notebook-context';
import { CopyTable } from '../results/CopyTable';
import { MapColumnHeads, MetricTerm } from '../results/MetricTerm';
import { formatMetric, formatRanks } from '../../core/format';
import { mixComparison, type MixRow } from '../state/comparisons';
import type { Run } from '../state/runs';
import { comparisonKey, finishedComparison, significanceResamples, type SignificanceTask } from '../state/significance';
import { COMPARED_MIXES } from '../state/training';
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import { PlotlyChart } from '../results/plotly';
import { describeMixFindings, type MixFinding } from '../results/mix-findings';

const LOWER_IS_BETTER: ReadonlySet<ComparedMetric> = new Set(['rank_distance']);

/**
 * The last "Compare mixes" experiment in the layout of the paper's Tables 1 and 2 (Elmahdy et al.):
 * mAP mono / cross / multi per mix with the untrained encoder's row, and rank distance per mix.
 * As ranx does, each value carries the letters of the rows it beats significantly (paired
 * randomization test by question id, p < 0.05), computed in the lab worker.
 */
export function MixComparison({ runs }: { runs: Run[] }) {
  const { state } = useNotebook();
  const comparison = mixComparison(runs);
  if (!comparison) return null;
  const { first, members, rows, pairs, testable } = comparison;

  const beaten = (row: MixRow, metric: ComparedMetric) => beatenRows(row, rows, metric, state.significance);
  const done = pairs.filter(([a, b]) => finishedComparison(state.significance, comparisonKey(a.key, b.key))).length;
  const testNote = testable
    ? `Superscripts: the rows a value beats, p < ${SIGNIFICANCE_LEVEL} in a paired randomization test with the question id as the unit ` +
      `(${significanceResamples(rows[0].perQuery!)} permutations, two-sided, no correction over the ${pairs.length} pairs)`
    : 'No significance marks: some of these runs were stored before runs kept per-query values';
  return (
    <div className="mix-comparison" data-testid="mix-comparison">
      <h3 className="subhead">
        Compare mixes: {first.datasetName}, evaluation side of {first.training.outcome.split.spec} (seed {first.training.mix.seed})
        {members.length < COMPARED_MIXES.length ? ` — ${members.length} of ${COMPARED_MIXES.length} mixes so far` : ''}
      </h3>
      <div className="tables-pair">
        <CopyTable name="Table 1" note={`${testNote}.`}>
        <table className="summary" data-testid="table-1">
          <caption className="small muted">Table 1: mAP</caption>
          <thead>
            <tr>
              <th scope="col">Mix</th>
              <MapColumnHeads />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label} data-mix={row.label}>
                <td>
                  <span className="muted small">({row.letter})</span> {row.label} {row.run === null ? null : <span className="muted small">Run {row.run}</span>}
                </td>
                {(['mono_map', 'cross_map', 'multi_map'] as const).map((metric) => (
                  <td className="num" key={metric} data-metric={metric}>
                    {formatMetric(row.summary[metric])}
                    <sup data-beats={beaten(row, metric)}>{beaten(row, metric)}</sup>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        </CopyTable>
        <CopyTable name="Table 2" note={`${testNote}.`}>
        <table className="summary" data-testid="table-2">
          <caption className="small muted">Table 2: rank distance (lower is better)</caption>
          <thead>
            <tr>
              <th scope="col">Mix</th>
              <th scope="col" className="num">
                <MetricTerm metric="rank_distance" />
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label} data-mix={row.label}>
                <td>
                  <span className="muted small">({row.letter})</span> {row.label}
                </td>
                <td className="num" data-metric="rank_distance">
                  {formatRanks(row.summary.rank_distance)}
                  <sup data-beats={beaten(row, 'rank_distance')}>{beaten(row, 'rank_distance')}</sup>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </CopyTable>
      </div>
      <p className="small muted" data-testid="mix-significance">
        {testNote + (testable && done < pairs.length ? `; testing, ${done} of ${pairs.length} pairs done.` : '.')}
      </p>
      <MixFindings rows={rows} tasks={state.significance} />
    </div>
  );
}

/** Each mix against the frozen encoder (the Untrained row), once its paired statistics are computed. */
function findingsOf(rows: MixRow[], tasks: Record<string, SignificanceTask>): MixFinding[] {
  const [untrained, ...mixes] = rows;
  return mixes.map((row) => {
    const summary = finishedComparison(tasks, comparisonKey(untrained.key, row.key))?.summary;
    const none = { a: null, b: null, delta: null, ci: null, p: null };
    return { label: row.label, cross: summary?.cross_map ?? none, mono: summary?.mono_map ?? none };
  });
}

/** The plain sentence of what the tables show, and a bar per mix: its change of mono and cross mAP over the frozen encoder, with 95% CIs. */
function MixFindings({ rows, tasks }: { rows: MixRow[]; tasks: Record<string, SignificanceTask> }) {
  const findings = findingsOf(rows, tasks);
  const sentence = describeMixFindings(findings);
  const { data, layout } = useMemo(() => {
    const bars = (metric: 'mono' | 'cross', name: string, color: string): Data => ({
      type: 'bar',
      name,
      x: findings.map((f) => f.label),
      y: findings.map((f) => f[metric].delta),
      error_y: {
        type: 'data',
        symmetric: false,
        array: findings.map((f) => (f[metric].ci && f[metric].delta !== null ? f[metric].ci![1] - f[metric].delta! : 0)),
        arrayminus: findings.map((f) => (f[metric].ci && f[metric].delta !== null ? f[metric].delta! - f[metric].ci![0] : 0)),
        visible: true,
        color: '#1f2933',
      },
      marker: { color },
      hovertemplate: `%{x}: ${name} %{y:+.4f}<extra></extra>`,
    });
    const layout: Partial<Layout> = {
      title: { text: 'Change over the frozen encoder (95% CI)', font: { size: 13 }, x: 0, xanchor: 'left' },
      height: 240,
      margin: { l: 60, r: 10, t: 36, b: 40 },
      barmode: 'group',
      yaxis: { title: { text: 'Δ mAP' }, zeroline: true, zerolinecolor: '#1f2933', tickformat: '+.3f', gridcolor: '#e4e8ee' },
      legend: { orientation: 'h', y: -0.2 },
    };
    return { data: [bars('mono', 'Δ mono mAP', '#56b4e9'), bars('cross', 'Δ cross mAP', '#d55e00')], layout };
  }, [findings]);
  if (!sentence) return null;
  return (
    <div className="mix-findings" data-testid="mix-findings">
      <p data-testid="mix-findings-sentence">
        <strong>In short:</strong> {sentence} <span className="muted small">(Paired randomization test by question id, p &lt; {SIGNIFICANCE_LEVEL}, on the evaluation side.)</span>
      </p>
      <div className="mix-findings-chart">
        <PlotlyChart data={data} layout={layout} label="Change of mono and cross-lingual mAP per mix over the frozen encoder" testId="mix-findings-chart" />
      </div>
    </div>
  );
}

/** The letters of the rows that `row` beats on `metric` with p < 0.05 (both directions of each pair are one comparison). */
function beatenRows(row: MixRow, rows: MixRow[], metric: ComparedMetric, tasks: Record<string, SignificanceTask>): string {
  const index = rows.indexOf(row);
  return rows
    .filter((other, j) => {
      if (j === index) return false;
      // Comparisons run from the earlier row to the later one: delta = later − earlier.
      const [a, b] = j < index ? [other, row] : [row, other];
      const result = finishedComparison(tasks, comparisonKey(a.key, b.key))?.summary[metric];
      if (!result || result.p === null || result.delta === null || result.p >= SIGNIFICANCE_LEVEL) return false;
      const laterIsBetter = LOWER_IS_BETTER.has(metric) ? result.delta < 0 : result.delta > 0;
      return laterIsBetter === (b === row);
    })
    .map((other) => other.letter)
    .join('');
}
