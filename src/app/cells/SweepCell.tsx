/**
 * The Sweep cell: trains a grid of mixes mono = alpha, cross = 1 - alpha over several seeds (each an
 * ordinary trained run, as `xling sweep` does) and shows the mono / cross trade-off with its Pareto
 * front and the untrained encoder as a reference, the metrics against alpha with their spread over
 * seeds, and a table to copy.
 */
import { useMemo, useState } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import type { EvalSummary } from '../../core/metrics/types';
import { meanAndSd, paretoFront, type SummaryStatistic } from '../../core/stats/sweep';
import { Cell, type CellStatus } from '../components/Cell';
import { ProgressBar } from '../components/ProgressBar';
import { useNotebook } from '../notebook-context';
import { formatMetric, formatSeconds } from '../../core/format';
import { PlotlyChart } from '../results/plotly';
import type { TrainedRun } from '../state/runs';
import { invalidFieldsBlocker, runChanges } from '../state/selectors';
import { liveTraining } from '../state/slices/training';
import { latestSweep, sweepSecondsLeft, type SweepState } from '../state/sweep';
import { runningJob } from '../state/task';

interface AlphaRow {
  alpha: number;
  seeds: number;
  mean: SummaryStatistic;
  sd: SummaryStatistic;
}

const TABLE_METRICS: { key: keyof EvalSummary; label: string }[] = [
  { key: 'mono_map', label: 'Mono mAP' },
  { key: 'cross_map', label: 'Cross mAP' },
  { key: 'multi_map', label: 'Multi mAP' },
  { key: 'rank_distance', label: 'Rank distance' },
];

function parseList(text: string, valid: (x: number) => boolean): number[] | null {
  const list = text.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
  return list.length > 0 && list.every((x) => Number.isFinite(x) && valid(x)) && new Set(list).size === list.length ? list : null;
}

export function SweepCell() {
  const { state, actions } = useNotebook();
  const sweep = useMemo(() => latestSweep(state.runs), [state.runs]);
  // A sweep cut short (a reload, Stop) keeps its grid in the fields, so that it reads as it was run.
  const [alphaText, setAlphaText] = useState(() => sweep?.alphas?.join(',') ?? '0,0.25,0.5,0.75,1');
  const [seedText, setSeedText] = useState(() => sweep?.seeds?.join(',') ?? '1,2,3');
  const alphas = parseList(alphaText, (a) => a >= 0 && a <= 1);
  const seeds = parseList(seedText, (s) => Number.isInteger(s) && s >= 0);
  const running = runningJob(state.sweep);
  const done = running ? state.runs.filter((run) => run.kind === 'trained' && run.training.sweep?.id === running.sweepId).length : 0;
  const blocker = invalidFieldsBlocker(state) ?? (!state.loaded ? 'Load a dataset first.' : state.training.status === 'running' ? 'A training is running.' : null);
  const incomplete = !running && sweep !== null && sweep.missing.length > 0 ? sweep : null;
  const status: CellStatus | undefined = running ? { tone: 'busy', text: 'training' } : incomplete ? { tone: 'stale', text: 'incomplete' } : sweep ? { tone: 'ready', text: 'done' } : undefined;

  return (
    <Cell index={7} title="Sweep" id="sweep" status={status}>
      <p className="muted">
        Trains one head per alpha and seed with the batch mix mono = alpha, cross = 1 − alpha and the Batch mix and Train
        cells' other settings. The seed picks the split and the batches, as <code>xling sweep</code> does, so the spread
        over seeds is the training seed's effect.
      </p>
      <div className="compare-row">
        <label className="field inline">
          <span>Alphas (weight of mono batches)</span>
          <input value={alphaText} onChange={(event) => setAlphaText(event.target.value)} aria-invalid={alphas === null} data-testid="sweep-alphas" />
        </label>
        <label className="field inline">
          <span>Seeds</span>
          <input value={seedText} onChange={(event) => setSeedText(event.target.value)} aria-invalid={seeds === null} data-testid="sweep-seeds" />
        </label>
        {running ? (
          <button type="button" onClick={actions.stopTraining}>
            Stop sweep
          </button>
        ) : (
          <button type="button" className={incomplete ? undefined : 'primary'} disabled={blocker !== null || !alphas || !seeds} onClick={() => alphas && seeds && actions.sweep(alphas, seeds)}>
            Run sweep
          </button>
        )}
      </div>
      {blocker && !running ? <p className="muted small">{blocker}</p> : null}
      {alphas === null || seeds === null ? <p className="error-text">Alphas are numbers from 0 to 1, seeds non-negative integers, comma-separated, each once.</p> : null}
      {incomplete ? <IncompleteSweep sweep={incomplete} blocker={blocker} /> : null}
      {running ? <SweepProgress running={running} done={done} /> : null}
      {sweep && sweep.runs.length > 0 ? <SweepResults runs={sweep.runs} /> : null}
    </Cell>
  );
}

/** A sweep cut short: what it misses, and Finish, which trains only that with the sweep's own settings. */
function IncompleteSweep({ sweep, blocker }: { sweep: SweepState; blocker: string | null }) {
  const { state, actions } = useNotebook();
  // The other settings must be the sweep's, or its runs would not belong together.
  const changes = runChanges(state, sweep.runs[0]);
  const total = (sweep.alphas?.length ?? 0) * (sweep.seeds?.length ?? 0);
  return (
    <div className="stale-banner" role="status" data-testid="sweep-incomplete">
      <p>
        <strong>Incomplete:</strong> {total - sweep.missing.length} of {total} runs of this sweep were trained (the page was left or the
        sweep was stopped). Missing: {sweep.missing.map((point) => `α = ${point.alpha}, seed ${point.seed}`).join('; ')}.
      </p>
      <button
        type="button"
        className="primary"
        disabled={blocker !== null || changes.length > 0}
        onClick={() => sweep.alphas && sweep.seeds && actions.sweep(sweep.alphas, sweep.seeds, sweep.id)}
      >
        Finish the sweep
      </button>
      {changes.length > 0 ? <p className="muted small">To finish it, set back what changed since its runs: {changes.join('; ')}.</p> : null}
    </div>
  );
}

/** The run being trained, and the time left from the runs' pace so far. */
function SweepProgress({ running, done }: { running: { total: number; startedAt: number; doneAtStart: number }; done: number }) {
  const { state } = useNotebook();
  const live = liveTraining(state.training);
  const left = sweepSecondsLeft({
    now: Date.now(),
    sweepStartedAt: running.startedAt,
    runStartedAt: live?.startedAt ?? null,
    finished: done - running.doneAtStart,
    runLeftSeconds: live?.phase === 'train' ? (live.pace?.secondsLeft ?? null) : null,
    runsAfterCurrent: Math.max(0, running.total - done - 1),
  });
  return (
    <ProgressBar
      label={`Sweep: run ${Math.min(done + 1, running.total)} of ${running.total}`}
      done={done}
      total={running.total}
      detail={left === null ? 'estimating the time left…' : `about ${formatSeconds(left)} left`}
    />
  );
}

function SweepResults({ runs }: { runs: TrainedRun[] }) {
  const rows: AlphaRow[] = useMemo(() => {
    const alphas = [...new Set(runs.map((run) => run.training.sweep!.alpha))].sort((a, b) => a - b);
    return alphas.map((alpha) => {
      const summaries = runs.filter((run) => run.training.sweep!.alpha === alpha).map((run) => run.report.summary);
      return { alpha, seeds: summaries.length, ...meanAndSd(summaries) };
    });
  }, [runs]);
  // The untrained encoder on the same evaluation sides: the mean of the runs' "before".
  const untrained = useMemo(() => meanAndSd(runs.map((run) => run.training.outcome.before.summary)).mean, [runs]);
  const table = [
    ['alpha', 'seeds', ...TABLE_METRICS.flatMap((m) => [`${m.key} mean`, `${m.key} sd`])].join('\t'),
    ...rows.map((row) => [row.alpha, row.seeds, ...TABLE_METRICS.flatMap((m) => [row.mean[m.key] ?? '', row.sd[m.key] ?? ''])].join('\t')),
  ].join('\n');

  return (
    <>
      <div className="chart-pair">
        <TradeOffPlot rows={rows} untrained={untrained} />
        <AlphaLines rows={rows} />
      </div>
      <table className="summary-table" data-testid="sweep-table" data-tsv={table}>
        <caption>
          Sweep over alpha: mean ± sd over seeds ({runs.length} runs).{' '}
          <button type="button" className="link" onClick={() => void navigator.clipboard?.writeText(table)}>
            Copy as TSV
          </button>
        </caption>
        <thead>
          <tr>
            <th scope="col">alpha</th>
            <th scope="col" className="num">seeds</th>
            {TABLE_METRICS.map((m) => (
              <th scope="col" className="num" key={m.key}>
                {m.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.alpha} data-alpha={row.alpha}>
              <th scope="row">{row.alpha}</th>
              <td className="num">{row.seeds}</td>
              {TABLE_METRICS.map((m) => (
                <td className="num" key={m.key} title={String(row.mean[m.key])}>
                  {formatMetric(row.mean[m.key], m.key === 'rank_distance' ? 1 : 3)}
                  {row.sd[m.key] === null ? '' : ` ± ${formatMetric(row.sd[m.key], m.key === 'rank_distance' ? 1 : 3)}`}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Cross-lingual against monolingual mAP: one point per alpha with its sd over seeds, the Pareto front, the untrained encoder. */
function TradeOffPlot({ rows, untrained }: { rows: AlphaRow[]; untrained: SummaryStatistic }) {
  const { data, layout } = useMemo(() => {
    const points = rows.map((row) => ({ x: row.mean.mono_map ?? NaN, y: row.mean.cross_map ?? NaN }));
    const front = paretoFront(points);
    const data: Data[] = [
      {
        type: 'scatter',
        mode: 'text+markers',
        name: 'alpha (mean ± sd over seeds)',
        x: points.map((p) => p.x),
        y: points.map((p) => p.y),
        text: rows.map((row) => `α=${row.alpha}`),
        // Alternate above and below, so the labels of neighbouring alphas with close means do not print over each other.
        textposition: rows.map((_, i) => (i % 2 === 0 ? 'top center' : 'bottom center')),
        // The label of a point at the plot's edge (alpha = 0 has the lowest mono mAP) is drawn whole.
        cliponaxis: false,
        error_x: { type: 'data', array: rows.map((row) => row.sd.mono_map ?? 0), visible: true },
        error_y: { type: 'data', array: rows.map((row) => row.sd.cross_map ?? 0), visible: true },
        marker: { size: 9, color: '#2f5bd3' },
        hovertemplate: '%{text}: mono %{x:.4f}, cross %{y:.4f}<extra></extra>',
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: 'Pareto front',
        x: front.map((i) => points[i].x),
        y: front.map((i) => points[i].y),
        line: { color: '#e08a2c', dash: 'dash' },
        hoverinfo: 'skip',
      },
      {
        type: 'scatter',
        mode: 'markers',
        name: 'untrained encoder',
        x: [untrained.mono_map ?? NaN],
        y: [untrained.cross_map ?? NaN],
        marker: { size: 11, symbol: 'x', color: '#1f2933' },
        hovertemplate: 'untrained: mono %{x:.4f}, cross %{y:.4f}<extra></extra>',
      },
    ];
    const layout = sweepLayout('Trade-off: cross-lingual against monolingual mAP', 'monolingual mAP', 'cross-lingual mAP');
    // Room around the points for their labels ("α=0" above a point at the left edge was cut off).
    const extent = (values: number[], spreads: number[]) => {
      const finite = values.flatMap((v, i) => (Number.isFinite(v) ? [v - (spreads[i] ?? 0), v + (spreads[i] ?? 0)] : []));
      const low = Math.min(...finite);
      const high = Math.max(...finite);
      return { low, high, pad: Math.max((high - low) * 0.15, 0.004) };
    };
    const x = extent([...points.map((p) => p.x), untrained.mono_map ?? NaN], rows.map((row) => row.sd.mono_map ?? 0));
    const y = extent([...points.map((p) => p.y), untrained.cross_map ?? NaN], rows.map((row) => row.sd.cross_map ?? 0));
    if (Number.isFinite(x.low) && Number.isFinite(y.low)) {
      layout.xaxis = { ...layout.xaxis, range: [x.low - x.pad, x.high + x.pad] };
      layout.yaxis = { ...layout.yaxis, range: [y.low - y.pad, y.high + 2 * y.pad] };
    }
    return { data, layout };
  }, [rows, untrained]);
  return <PlotlyChart data={data} layout={layout} label="Sweep trade-off" testId="sweep-trade-off" />;
}

/** Mono, cross and multilingual mAP against alpha, with the sd over seeds as error bars. */
function AlphaLines({ rows }: { rows: AlphaRow[] }) {
  const { data, layout } = useMemo(() => {
    const lines: { key: keyof EvalSummary; name: string; color: string }[] = [
      { key: 'mono_map', name: 'mono mAP', color: '#2f5bd3' },
      { key: 'cross_map', name: 'cross mAP', color: '#e08a2c' },
      { key: 'multi_map', name: 'multi mAP', color: '#3a9d5d' },
    ];
    const data: Data[] = lines.map((line) => ({
      type: 'scatter',
      mode: 'lines+markers',
      name: line.name,
      x: rows.map((row) => row.alpha),
      y: rows.map((row) => row.mean[line.key]),
      error_y: { type: 'data', array: rows.map((row) => row.sd[line.key] ?? 0), visible: true },
      line: { color: line.color },
    }));
    return { data, layout: sweepLayout('Metrics against alpha (mean ± sd over seeds)', 'alpha: weight of mono batches (1 − alpha cross)', 'mAP') };
  }, [rows]);
  return <PlotlyChart data={data} layout={layout} label="Sweep metrics against alpha" testId="sweep-alpha-lines" />;
}

function sweepLayout(title: string, xTitle: string, yTitle: string): Partial<Layout> {
  return {
    title: { text: title, font: { size: 14 }, x: 0, xanchor: 'left' },
    height: 360,
    margin: { l: 60, r: 16, t: 48, b: 48 },
    legend: { orientation: 'h', y: -0.25 },
    xaxis: { title: { text: xTitle }, gridcolor: '#e4e8ee' },
    yaxis: { title: { text: yTitle }, gridcolor: '#e4e8ee' },
  };
}
