import { useCallback, useState } from 'react';
import { SIGNIFICANCE_LEVEL, type ComparisonReport } from '../../core/stats/paired';
import { Cell } from '../components/Cell';
import { ProgressBar } from '../components/ProgressBar';
import { useNotebook } from '../notebook-context';
import { BiasCharts } from '../results/BiasCharts';
import { DifferenceHeatmap, MapHeatmap } from '../results/Heatmaps';
import { formatMetric } from '../../core/format';
import { CopyTable } from '../results/CopyTable';
import { HeatmapNote } from '../results/HeatmapNote';
import { MapColumnHeads } from '../results/MetricTerm';
import { RunFiles } from '../results/RunFiles';
import { EmbeddingMapSection } from '../results/EmbeddingMap';
import { LanguageTable, SummaryTable } from '../results/SummaryTable';
import { describeEncoder, describeSource, describeSubset, describeHeadOf, describeMeasured, frozenSideOf, matchingRuns, sameQuestions, type Run } from '../state/runs';
import { shownRuns } from '../state/comparisons';
import { runChanges } from '../state/selectors';
import { finishedComparison, significanceKey, significanceUnavailable } from '../state/significance';

export function ResultsCell() {
  const { state, dispatch } = useNotebook();
  // Runs whose heatmap was drawn (or failed to be): for a run not among them, the heatmap is drawn
  // alone first and the rest of the cell (tables, bias charts, map) in the next render, so that
  // plotly's other charts never hold up the one a user waits for.
  const [heatmapSettled, setHeatmapSettled] = useState<ReadonlySet<string>>(() => new Set());
  const markHeatmapSettled = useCallback(
    (id: string) => setHeatmapSettled((settled) => (settled.has(id) ? settled : new Set(settled).add(id))),
    [],
  );
  const { runs } = state;
  const shown = shownRuns(state);
  if (!shown) {
    return (
      <Cell index={6} title="Results" id="results">
        <p className="muted">No runs yet. Evaluate to see the query × passage language heatmap and the language-bias charts.</p>
        <RunFiles />
      </Cell>
    );
  }
  const { run, other } = shown;
  const comparable = other === null || sameQuestions(run, other);
  const changes = runChanges(state, run);
  const comparison = other ? finishedComparison(state.significance, significanceKey(run, other)) : null;
  const rest = heatmapSettled.has(run.id);
  const onHeatmapSettled = () => markHeatmapSettled(run.id);

  return (
    <Cell index={6} title="Results" id="results" status={changes.length > 0 ? { tone: 'stale', text: 'stale' } : { tone: 'ready', text: 'current' }}>
      <RunsTable runs={runs} selected={run} />
      <RunFiles />

      <div className="compare-row">
        <label className="field inline">
          <span>Compare Run {run.number} with</span>
          <select
            value={other?.id ?? ''}
            onChange={(event) => dispatch({ type: 'compareRunChosen', id: event.target.value || null })}
            data-testid="compare-select"
          >
            <option value="">nothing</option>
            {runs
              .filter((r) => r.id !== run.id)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  Run {r.number} · {r.datasetName} ({describeSubset(r.selection)}) · {describeEncoder(r.encoder)}
                  {describeHeadOf(r) === '' ? '' : ` + ${describeHeadOf(r)}`}
                </option>
              ))}
          </select>
        </label>
      </div>

      {changes.length > 0 ? (
        <div className="stale-banner" role="status" data-testid="stale-banner">
          <strong>Stale:</strong> the settings changed since Run {run.number}. {run.kind === 'trained' ? 'Train' : 'Evaluate'} again to see their effect.
          <ul>
            {changes.map((change) => (
              <li key={change}>{change}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {other ? (
        <>
          {comparable ? null : <DifferentQuestions run={run} other={other} />}
          <div className="chart-pair">
            <MapHeatmap run={run} title={`Run ${run.number}: mAP, query × passage language`} onSettled={onHeatmapSettled} />
            <MapHeatmap run={other} title={`Run ${other.number}: mAP, query × passage language`} />
          </div>
          {comparable ? <SignificanceStatus run={run} other={other} /> : null}
          {/* The difference heatmap above, the two tables below it: with their Δ, CI and p columns beside a heatmap they were cut off at 1366 px. */}
          {rest ? (
            <>
              {comparable ? (
                <div className="difference">
                  <DifferenceHeatmap a={run} b={other} title={`Difference: Run ${run.number} − Run ${other.number}`} comparison={comparison} />
                  {comparison ? <SignificanceCaption comparison={comparison} /> : null}
                </div>
              ) : null}
              <RunTables run={run} other={other} comparison={comparison} comparable={comparable} sideBySide />
            </>
          ) : null}
        </>
      ) : (
        <div className="results-grid">
          <MapHeatmap run={run} title={`Run ${run.number}: mAP, query × passage language`} onSettled={onHeatmapSettled} />
          {rest ? <RunTables run={run} other={null} /> : null}
        </div>
      )}
      {rest ? (
        <>
          <HeatmapNote />
          <BiasCharts runs={other ? [run, other] : [run]} />
          <EmbeddingMapSection run={run} />
        </>
      ) : null}
    </Cell>
  );
}

/**
 * Two runs that measured different questions (another subset, or the whole subset against a split's
 * evaluation side): their differences are no gains or losses. Says so, and offers the runs that
 * measured the same questions, or the frozen encoder on the shown run's evaluation side.
 */
function DifferentQuestions({ run, other }: { run: Run; other: Run }) {
  const { state, dispatch, actions } = useNotebook();
  const matching = matchingRuns(state.runs, run).slice(0, 3);
  const measuredA = describeMeasured(run);
  const measuredB = describeMeasured(other);
  return (
    <div className="stale-banner" role="status" data-testid="different-questions">
      <p>
        <strong>Not comparable:</strong> Run {run.number} and Run {other.number} measured different questions
        {measuredA === measuredB ? ' (their dataset fingerprints differ)' : ` (Run ${run.number}: ${measuredA}; Run ${other.number}: ${measuredB})`}.
        A difference between them is no gain or loss, so the differences below are not coloured, no difference heatmap is drawn and
        no confidence intervals are computed.
      </p>
      {matching.length > 0 ? (
        <p>
          Measured on the same questions as Run {run.number}:{' '}
          {matching.map((match) => (
            <button key={match.id} type="button" className="link" onClick={() => dispatch({ type: 'compareRunChosen', id: match.id })} data-testid="compare-matching">
              Compare with Run {match.number} ({describeHeadOf(match) || describeEncoder(match.encoder)})
            </button>
          ))}
        </p>
      ) : frozenSideOf(run) ? (
        <p>
          <button type="button" onClick={() => actions.addFrozenSide(run)} data-testid="add-frozen-side">
            Compare with the frozen encoder on Run {run.number}'s evaluation side
          </button>{' '}
          <span className="muted small">(measured before training already; it becomes a run of its own)</span>
        </p>
      ) : (
        <p className="muted small">Evaluate on the same questions as Run {run.number} to compare it.</p>
      )}
    </div>
  );
}

/** Why there are no CIs, or how far their computation is. */
function SignificanceStatus({ run, other }: { run: Run; other: Run }) {
  const { state } = useNotebook();
  const unavailable = significanceUnavailable(run, other);
  if (unavailable) {
    return (
      <p className="muted small" role="status" data-testid="significance-unavailable">
        {unavailable}
      </p>
    );
  }
  const task = state.significance[significanceKey(run, other)];
  if (task?.status === 'running') {
    return (
      <div data-testid="significance-progress">
        <ProgressBar label="Confidence intervals and p-values (in the lab worker)" done={task.progress?.done ?? 0} total={task.progress?.total ?? null} />
      </div>
    );
  }
  if (task?.status === 'failed') {
    return (
      <p className="error-text" role="status">
        Could not compute confidence intervals: {task.error.message}
      </p>
    );
  }
  return null;
}

/** What the marks on the difference heatmap mean. */
function SignificanceCaption({ comparison }: { comparison: ComparisonReport }) {
  const cells = Object.values(comparison.cells).flatMap((row) => Object.values(row)).filter((cell) => cell.n > 0);
  const marked = cells.filter((cell) => (cell.p_holm as number) < SIGNIFICANCE_LEVEL).length;
  return (
    <p className="muted small" data-testid="significance-caption">
      * and outlined: p_holm &lt; {SIGNIFICANCE_LEVEL} ({marked} of {cells.length} cells). Paired randomization test with the
      question id as the unit ({comparison.resamples} permutations), Holm-Bonferroni over the {cells.length} cells; CIs are
      95% paired bootstrap percentiles over {comparison.question_ids} question ids, seed {comparison.seed}. Hover a cell for its
      CI and p. See docs/statistics.md.
    </p>
  );
}

/** The summary and the per-language table, each with its copy buttons; `comparable`: the runs measured the same questions; `sideBySide`: side by side where they fit. */
function RunTables({ run, other, comparison, comparable = true, sideBySide = false }: { run: Run; other: Run | null; comparison?: ComparisonReport | null; comparable?: boolean; sideBySide?: boolean }) {
  return (
    <div className={sideBySide ? 'tables-pair' : 'tables'}>
      <CopyTable name="the summary">
        <SummaryTable run={run} other={other} comparison={comparison ?? null} comparable={comparable} />
      </CopyTable>
      <CopyTable name="the language table">
        <LanguageTable run={run} other={other} comparable={comparable} />
      </CopyTable>
    </div>
  );
}

function RunsTable({ runs, selected }: { runs: Run[]; selected: Run }) {
  const { dispatch } = useNotebook();
  return (
    <table className="runs" data-testid="runs-table">
      <caption className="visually-hidden">Runs</caption>
      <thead>
        <tr>
          <th scope="col">Show</th>
          <th scope="col">Run</th>
          <th scope="col">Dataset</th>
          <th scope="col">Encoder</th>
          <MapColumnHeads />
          <th scope="col">When</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {[...runs].reverse().map((run) => (
          <tr key={run.id} className={run.id === selected.id ? 'selected' : undefined} data-run={run.number}>
            <td>
              <input
                type="radio"
                name="shown-run"
                aria-label={`Show Run ${run.number}`}
                checked={run.id === selected.id}
                onChange={() => dispatch({ type: 'runSelected', id: run.id })}
              />
            </td>
            <td>Run {run.number}</td>
            <td>
              {run.datasetName} <span className="muted small">{describeSource(run.selection.source)}; {describeSubset(run.selection)}</span>
            </td>
            <td>
              {describeEncoder(run.encoder)}
              {run.candidateText === 'sentence' ? '' : ', sentence + paragraph'}
              {describeHeadOf(run) === '' ? null : (
                <span className="muted small" data-testid="head-of-run">
                  {' '}
                  + {describeHeadOf(run)}
                </span>
              )}
            </td>
            <td className="num">{formatMetric(run.report.summary.mono_map)}</td>
            <td className="num">{formatMetric(run.report.summary.cross_map)}</td>
            <td className="num">{formatMetric(run.report.summary.multi_map)}</td>
            <td className="muted small">{new Date(run.createdAt).toLocaleString()}</td>
            <td>
              <button type="button" className="link danger" onClick={() => dispatch({ type: 'runDeleted', id: run.id })}>
                Delete<span className="visually-hidden"> Run {run.number}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
