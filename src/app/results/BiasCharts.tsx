/**
 * Language-bias pictures: per-language bars of multilingual rank distance and own-language share@10,
 * and beside them which language's answer comes first (design.md's first_language).
 */
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import type { Run } from '../state/runs';
import { formatMetric } from '../../core/format';
import { FirstLanguageHeatmap } from './Heatmaps';
import { PlotlyChart, plainLabels } from './plotly';

const RUN_COLORS = ['#2f5bd3', '#e08a2c'];

interface BiasChartProps {
  runs: Run[];
  metric: 'rank_distance' | 'own_share10';
  title: string;
  axisTitle: string;
  testId: string;
}

function BiasChart({ runs, metric, title, axisTitle, testId }: BiasChartProps) {
  const { data, layout } = useMemo(() => {
    const languages = runs[0].languages;
    const data: Data[] = runs.map((run, i) => ({
      type: 'bar',
      name: `Run ${run.number}`,
      x: plainLabels(languages),
      y: languages.map((lang) => run.report.multilingual[lang]?.[metric] ?? null),
      marker: { color: RUN_COLORS[i] },
      hovertemplate: `%{x}: %{y:${metric === 'rank_distance' ? '.1f' : '.3f'}}<extra>Run ${run.number}</extra>`,
    }));
    const layout: Partial<Layout> = {
      title: { text: title, font: { size: 14 }, x: 0, xanchor: 'left' },
      height: 300,
      margin: { l: 56, r: 16, t: 48, b: 44 },
      barmode: 'group',
      showlegend: runs.length > 1,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.12 },
      xaxis: { title: { text: 'Query language' }, type: 'category' },
      yaxis: { title: { text: axisTitle }, rangemode: 'tozero', gridcolor: '#e4e8ee', ...(metric === 'own_share10' ? { range: [0, 1] } : {}) },
    };
    return { data, layout };
  }, [runs, metric, title, axisTitle]);
  return <PlotlyChart data={data} layout={layout} label={title} testId={testId} />;
}

export function BiasCharts({ runs }: { runs: Run[] }) {
  return (
    <>
      <div className="chart-pair">
        <BiasChart
          runs={runs}
          metric="rank_distance"
          title="Rank distance by query language (lower: less bias)"
          axisTitle="max rank − min rank"
          testId="chart-rank-distance"
        />
        <FirstLanguage run={runs[0]} />
      </div>
      <div className="chart-pair">
        <BiasChart
          runs={runs}
          metric="own_share10"
          title="Own-language share of the multilingual top 10"
          axisTitle="share@10"
          testId="chart-own-share"
        />
        {runs[1] ? <FirstLanguage run={runs[1]} /> : null}
      </div>
    </>
  );
}

/** The first-language heatmap with its one-number summary, or why an old run has none. */
function FirstLanguage({ run }: { run: Run }) {
  const excess = run.report.summary.own_first_excess;
  if (!run.report.first_language) {
    return <p className="muted small">Run {run.number} was stored before the first-answer language was measured; evaluate again to see it.</p>;
  }
  return (
    <div>
      <FirstLanguageHeatmap run={run} />
      <p className="muted small" data-testid={`own-first-excess-${run.number}`}>
        Own language first, excess over a language-blind encoder: {formatMetric(excess)} (0: no preference; positive: the
        query's own language comes first more often than 1/|languages with the answer|).
      </p>
    </div>
  );
}
