import { useEffect, useState } from 'react';
import type { EvaluateProgress } from '../../../workers/lab/protocol';
import { Cell, type CellStatus } from '../components/Cell';
import { ErrorPanel } from '../components/ErrorPanel';
import { ProgressBar } from '../components/ProgressBar';
import { preloadPlotly } from '../results/plotly';
import { useNotebook } from '../notebook-context';
import { describePace, formatBytes, formatCount, formatSeconds } from '../../core/format';
import type { AppState } from '../state/app-state';
import { SETTINGS_TABLE, type Settings } from '../state/settings';
import { NumberField } from '../components/NumberField';
import { describeModelDevice } from '../../core/encoders/model-spec';
import { describeEncoder, describeSubset } from '../state/runs';
import { datasetView, invalidFieldsBlocker } from '../state/selectors';
import { taskError } from '../state/task';
import { jobEstimate } from '../state/job-estimate';

const SCORING: { value: Settings['scoring']; label: string; hint: string }[] = [
  { value: 'auto', label: 'Automatic', hint: 'exact sparse kernel for sparse vectors (lexical), onnxruntime-web for dense ones' },
  { value: 'onnxruntime', label: 'onnxruntime-web', hint: 'WASM, multi-threaded, float32 sums' },
  { value: 'js', label: 'JavaScript', hint: 'float64 sums, the same scores as the core in Node; slower' },
];

const RANKING: { value: Settings['ranking']['path']; label: string; hint: string }[] = [
  { value: 'auto', label: 'By job size', hint: 'whole score rows while they fit the notebook\'s job limit, streaming beyond it' },
  { value: 'rows', label: 'Whole score rows', hint: '512 queries against every candidate at a time' },
  { value: 'streaming', label: 'Streaming', hint: 'one block of candidates at a time: memory for the queries and one block; the same numbers' },
];

const PHASES: Record<EvaluateProgress['phase'], { label: string; unit: string }> = {
  'download-model': { label: 'Downloading the model', unit: 'bytes' },
  'encode-queries': { label: 'Encoding queries', unit: 'texts' },
  'encode-candidates': { label: 'Encoding candidates', unit: 'texts' },
  score: { label: 'Scoring and ranking', unit: 'queries' },
};

export function EvaluateCell() {
  const { state, dispatch, actions } = useNotebook();
  const { loaded, evaluation } = state;
  const view = datasetView(state);
  const running = evaluation.status === 'running';
  const blocker = invalidFieldsBlocker(state) ?? (!loaded
    ? 'Load a dataset first.'
    : view.stale
      ? 'The dataset settings changed: load the dataset again before evaluating.'
      : state.datasetTask.status === 'running'
        ? 'Wait for the dataset to load.'
        : null);
  const lastRun = state.runs.at(-1);
  const error = taskError(evaluation);
  const estimate = jobEstimate(state);

  return (
    <Cell index={3} title="Evaluate" id="evaluate" status={evaluationStatus(state)}>
      {loaded ? (
        <p className="muted">
          {loaded.dataset.summary.name} ({describeSubset(loaded.selection)}) · {describeEncoder(state.settings.encoder)} · candidate text:{' '}
          {state.settings.candidateText}
        </p>
      ) : null}
      {estimate ? (
        <p className="muted small" data-testid="job-estimate">
          Estimate: {estimate.text}.
        </p>
      ) : null}
      {estimate?.problem ? (
        <p className="hint" data-testid="job-problem">
          {estimate.problem}
        </p>
      ) : null}
      <fieldset className="scoring" disabled={running}>
        <legend>Scoring backend</legend>
        <OptionRadios name="scoring" options={SCORING} checked={state.settings.scoring} onPick={(scoring) => dispatch({ type: 'scoringChanged', scoring })} />
      </fieldset>
      <fieldset className="scoring" disabled={running}>
        <legend>Ranking</legend>
        <OptionRadios name="ranking" options={RANKING} checked={state.settings.ranking.path} onPick={(path) => dispatch({ type: 'rankingChanged', patch: { path } })} />
        <NumberField
          label="Candidates per block"
          value={state.settings.ranking.block}
          step={1}
          setting={SETTINGS_TABLE.ranking.block}
          hint="when streaming: fewer hold less memory, more make fewer calls"
          onChange={(block) => dispatch({ type: 'rankingChanged', patch: { block } })}
        />
      </fieldset>
      <div className="actions">
        {/* Not disabled while running (aria-disabled instead, and evaluate() ignores it), so keyboard focus stays on it. */}
        <button type="button" className="primary" disabled={blocker !== null} aria-disabled={running} onClick={() => {
            preloadPlotly();
            actions.evaluate();
          }}>
          Evaluate
        </button>
        {running ? (
          <button type="button" onClick={actions.cancelEvaluation}>
            Cancel
          </button>
        ) : null}
        {blocker && !running ? <span className="hint">{blocker}</span> : null}
      </div>
      {evaluation.status === 'running' ? <RunningProgress startedAt={evaluation.job.startedAt} progress={evaluation.progress} /> : null}
      {evaluation.status === 'cancelled' ? <p className="hint" data-testid="evaluation-cancelled">Evaluation cancelled; nothing was kept.</p> : null}
      {error ? <ErrorPanel title="The evaluation failed." error={error} /> : null}
      {(evaluation.status === 'idle' || evaluation.status === 'done') && lastRun ? (
        <p className="timings" data-testid="timings">
          Run {lastRun.number}: encoding {formatSeconds(lastRun.report.timings.encode_s)}
          {lastRun.model ? <> on <span className="backend" data-testid="encoder-runtime">{describeModelDevice(lastRun.model)}</span></> : null}, scoring{' '}
          {formatSeconds(lastRun.report.timings.score_s)} on <span className="backend">{lastRun.backend}</span>.
        </p>
      ) : null}
    </Cell>
  );
}

/** One radio button per option, each with its hint. */
function OptionRadios<V extends string>({ name, options, checked, onPick }: { name: string; options: { value: V; label: string; hint: string }[]; checked: V; onPick: (value: V) => void }) {
  return (
    <>
      {options.map((option) => (
        <label key={option.value} className="inline-option">
          <input type="radio" name={name} value={option.value} checked={checked === option.value} onChange={() => onPick(option.value)} />
          {option.label} <span className="muted small">{option.hint}</span>
        </label>
      ))}
    </>
  );
}

function evaluationStatus(state: AppState): CellStatus | undefined {
  switch (state.evaluation.status) {
    case 'running':
      return { tone: 'busy', text: 'running…' };
    case 'cancelled':
      return { tone: 'neutral', text: 'cancelled' };
    case 'failed':
    case 'interrupted':
      return { tone: 'error', text: 'failed' };
    case 'idle':
    case 'done':
      return state.runs.length > 0 ? { tone: 'ready', text: `${state.runs.length} run${state.runs.length === 1 ? '' : 's'}` } : undefined;
  }
}

function RunningProgress({ startedAt, progress }: { startedAt: number; progress: EvaluateProgress | null }) {
  // Once a second: each tick repaints the readout, main-thread time the workers' cores could use.
  const now = useNow(1000);
  const elapsed = formatSeconds(Math.max(0, (now - startedAt) / 1000));
  if (!progress) return <ProgressBar label="Starting" done={0} total={null} detail={elapsed} />;
  const phase = PHASES[progress.phase];
  if (progress.phase === 'download-model') {
    const total = progress.total ? formatBytes(progress.total) : 'unknown size';
    return <ProgressBar label={phase.label} done={progress.done} total={progress.total || null} detail={`${formatBytes(progress.done)} of ${total} · ${elapsed}`} />;
  }
  // A streamed score phase counts candidates, one block of them at a time.
  const block = progress.phase === 'score' ? progress.candidateBlock : undefined;
  const label = block !== undefined ? `Scoring and counting, ${formatCount(block)} candidates a block,` : phase.label;
  const unit = block !== undefined ? 'candidates' : phase.unit;
  return (
    <ProgressBar
      label={`${label}${progress.device ? ` on ${progress.device}` : ''}`}
      done={progress.done}
      total={progress.total}
      detail={`${formatCount(progress.done)} / ${formatCount(progress.total)} ${unit}${describePace(progress.pace, unit)} · ${elapsed}`}
    />
  );
}

/** The current time, refreshed every `intervalMs` while mounted (for elapsed-time readouts). */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
