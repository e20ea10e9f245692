import { useEffect, useMemo, useRef, useState } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import type { GpuChoice } from '../../core/devices';
import type { EvalSummary } from '../../core/metrics/types';
import { Cell, type CellStatus } from '../components/Cell';
import { ErrorPanel } from '../components/ErrorPanel';
import { NumberField } from '../components/NumberField';
import { SETTINGS_TABLE } from '../state/settings';
import { ProgressBar } from '../components/ProgressBar';
import { useNotebook } from '../notebook-context';
import { describePace, formatBytes, formatCount, formatMetric, formatRanks, formatSeconds } from '../../core/format';
import { metricAxisRange } from '../results/axis';
import { MapHeatmap } from '../results/Heatmaps';
import { MetricTerm } from '../results/MetricTerm';
import type { MetricKey } from '../results/metric-glossary';
import { PlotlyChart } from '../results/plotly';
import type { AppState, LiveTraining } from '../state/app-state';
import { liveTraining } from '../state/slices/training';
import { taskError } from '../state/task';
import { describeHeadOf, describeTraining, type ImportedHeadRun, type TrainedRun } from '../state/runs';
import { datasetView, invalidFieldsBlocker, runChanges } from '../state/selectors';
import { COMPARED_MIXES, thinSplitWarning } from '../state/training';
import { layerTuningPlan, layerTuningProblem, PLANNED_TOKENS_PER_TEXT } from '../../core/tuning/plan';
import type { ModelArchitecture } from '../../core/encoders/model-spec';
import { MixComparison } from './MixComparison';
import type { BatchType } from '../../core/training';
import { lossLines, type LossLine } from '../results/loss-lines';

/** The curves a chart draws: the live training's, or a finished run's (stored before steps kept their batch type: no `batchTypes`). */
interface Curves {
  loss: number[];
  batchTypes?: BatchType[];
  heldOut: HeldOutPoint[];
}

const LOSS_COLOURS: Record<LossLine['type'], string> = { mono: '#0072b2', mixed: '#009e73', cross: '#d55e00', all: '#0072b2' };
const LOSS_NAMES: Record<LossLine['type'], string> = { mono: 'mono batches', mixed: 'mixed batches', cross: 'cross batches', all: 'training loss' };

/** A held-out check; runs stored before checks were sampled have no `questions`. */
interface HeldOutPoint {
  step: number;
  summary: EvalSummary;
  questions?: number;
  ofQuestions?: number;
}

/** The device choices, named for what trains: a head (the CPU trainer) or the layers (onnxruntime-web's WASM). */
function deviceChoices(tune: 'head' | 'layers'): { value: GpuChoice; label: string }[] {
  const cpu = tune === 'layers' ? 'WASM' : 'the CPU trainer';
  return [
    { value: 'auto', label: `auto (a hardware GPU, else ${cpu})` },
    { value: 'webgpu', label: 'WebGPU (even a software adapter)' },
    { value: 'cpu', label: tune === 'layers' ? 'CPU (WASM)' : 'CPU' },
  ];
}

export function TrainCell() {
  const { state, dispatch, actions } = useNotebook();
  const { train } = state.settings;
  const { training } = state;
  const live = liveTraining(training);
  const running = live !== null;
  const error = taskError(training);
  const view = datasetView(state);
  const blocker = invalidFieldsBlocker(state) ?? (!state.loaded
    ? 'Load a dataset first.'
    : view.stale
      ? 'The dataset settings changed: load the dataset again before training.'
      : state.mixPreview.error
        ? 'Fix the batch mix first.'
        : layerTuningBlocker(state));
  // Warned before a start, never blocking: a tiny split is fine for a quick look.
  const thinSplit = state.loaded && state.mixPreview.preview ? thinSplitWarning(state.mixPreview.preview.split) : null;
  const change = (patch: Partial<typeof train>) => dispatch({ type: 'trainSettingsChanged', patch });
  const lastHeadRun = state.runs.filter((run): run is TrainedRun | ImportedHeadRun => run.kind === 'trained' || run.kind === 'head').at(-1);

  return (
    <Cell index={5} title="Train" id="train" status={trainingStatus(state)}>
      <p className="muted">
        Contrastive fine-tuning (InfoNCE, in-batch negatives, AdamW) of{' '}
        {train.tune === 'layers' ? "the encoder's top layers, from the hidden states entering them" : "a projection head on the frozen encoder's cached embeddings"}, in the worker.
        Batches come from the Batch mix cell; the run reports the evaluation side of its split, before and after.
      </p>
      <WhatToTrain state={state} disabled={running} change={change} />
      <fieldset disabled={running}>
        <legend>{train.tune === 'layers' ? 'Optimiser' : 'Head and optimiser'}</legend>
        <div className="field-row">
          {/* Rendered only for a head: the .field class's display would override a `hidden` attribute. */}
          {train.tune === 'layers' ? null : (
            <label className="field">
              <span>Head</span>
              <select value={train.headKind} onChange={(event) => change({ headKind: event.target.value === 'adapter' ? 'adapter' : 'linear' })}>
                <option value="linear">linear (d × d)</option>
                <option value="adapter">low-rank residual adapter</option>
              </select>
            </label>
          )}
          {train.headKind === 'adapter' && train.tune !== 'layers' ? (
            <NumberField label="Rank" value={train.rank} step={1} setting={SETTINGS_TABLE.train.rank} onChange={(rank) => change({ rank })} />
          ) : null}
          <NumberField label="Steps" value={train.steps} step={1} setting={SETTINGS_TABLE.train.steps} onChange={(steps) => change({ steps })} />
          <NumberField label="Learning rate" value={train.learningRate} setting={SETTINGS_TABLE.train.learningRate} onChange={(learningRate) => change({ learningRate })} />
          <NumberField label="Weight decay" value={train.weightDecay} setting={SETTINGS_TABLE.train.weightDecay} onChange={(weightDecay) => change({ weightDecay })} />
          <NumberField label="Warm-up" value={train.warmupSteps} step={1} setting={SETTINGS_TABLE.train.warmupSteps} hint="steps" onChange={(warmupSteps) => change({ warmupSteps })} />
          <NumberField label="Temperature" value={train.temperature} setting={SETTINGS_TABLE.train.temperature} onChange={(temperature) => change({ temperature })} />
          <NumberField
            label="Evaluate every"
            value={train.heldOutEvery}
            step={1}
            setting={SETTINGS_TABLE.train.heldOutEvery}
            hint="steps, held-out side; 0 = at the end"
            onChange={(heldOutEvery) => change({ heldOutEvery })}
          />
          <NumberField
            label="Questions per check"
            value={train.heldOutQuestions}
            step={1}
            setting={SETTINGS_TABLE.train.heldOutQuestions}
            hint="sampled, against all candidates; 0 = all"
            onChange={(heldOutQuestions) => change({ heldOutQuestions })}
          />
          <label className="field">
            <span>Trainer device</span>
            <select value={train.device} onChange={(event) => change({ device: event.target.value as GpuChoice })}>
              {deviceChoices(train.tune).map((device) => (
                <option key={device.value} value={device.value}>
                  {device.label}
                </option>
              ))}
            </select>
          </label>
          {train.tune === 'layers' ? (
            <p className="hint small" data-testid="layer-engine">
              The tuned layers run on onnxruntime-web: its WebGPU EP or its multi-threaded WASM; the layers below them run once, on WASM
              (docs/training.md, &quot;Tuning the top layers&quot;).
            </p>
          ) : null}
        </div>
      </fieldset>

      <div className="actions">
        {live?.controllable ? (
          <>
            {live.stopping ? null : live.paused ? (
              <>
                <button type="button" className="primary" onClick={() => actions.controlTraining('resume')}>
                  Resume
                </button>
                <button type="button" onClick={() => actions.controlTraining('step')} disabled={live.phase !== 'train'}>
                  Step
                </button>
              </>
            ) : (
              <button type="button" onClick={() => actions.controlTraining('pause')}>
                Pause
              </button>
            )}
            {live.stopping ? (
              <button type="button" onClick={actions.stopTraining} title="Stop measuring the kept head: the training ends with no run">
                Cancel (keep nothing)
              </button>
            ) : (
              <button type="button" onClick={actions.stopTraining} title="End training now and keep the best head so far as a run (before the first step there is none)">
                Stop
              </button>
            )}
          </>
        ) : running ? null : (
          <>
            <button type="button" className="primary" disabled={blocker !== null} onClick={actions.train}>
              Train
            </button>
            <button type="button" disabled={blocker !== null} onClick={actions.compareMixes} title="Trains X-X-mono, X-Y and hybrid with the same seed and split">
              Compare mixes
            </button>
{train.tune === 'layers' ? null : (
                          <label className={`button${blocker === null ? '' : ' disabled'}`} title="Measure an exported head on the evaluation side of the current split">
              Import head…
              <input
                type="file"
                accept=".json,application/json"
                className="visually-hidden"
                disabled={blocker !== null}
                onChange={(event) => {
                  const file = event.target.files?.[0];
                  event.target.value = '';
                  if (file) actions.importHead(file);
                }}
              />
            </label>
            )}
            {blocker ? <span className="hint">{blocker}</span> : null}
          </>
        )}
      </div>
      {thinSplit && !running ? (
        <p className="split-warning small" role="note" data-testid="thin-split">
          {thinSplit}
        </p>
      ) : null}

      {live ? <LiveProgress training={live} languages={state.loaded?.dataset.summary.languages.map((l) => l.lang) ?? []} /> : null}
      {training.status === 'cancelled' ? <p className="hint" data-testid="training-cancelled">{state.stopNote ?? 'Cancelled; nothing was kept.'}</p> : null}
      {error ? <ErrorPanel title="Training failed." error={error} /> : null}
      {state.headExportError ? <p className="error-text" role="alert">{state.headExportError}</p> : null}
      {training.status !== 'running' && lastHeadRun?.kind === 'trained' ? (
        <FinishedRun
          run={lastHeadRun}
          changes={runChanges(state, lastHeadRun)}
          onExport={() => (lastHeadRun.training.train.tune === 'layers' ? actions.exportTunedModel(lastHeadRun) : actions.exportHead(lastHeadRun))}
        />
      ) : null}
      {training.status !== 'running' && lastHeadRun?.kind === 'head' ? <ImportedHead run={lastHeadRun} /> : null}
      <MixComparison runs={state.runs} />
    </Cell>
  );
}

function trainingStatus(state: AppState): CellStatus | undefined {
  const { training } = state;
  switch (training.status) {
    case 'running':
      return { tone: 'busy', text: training.progress.stopping ? 'stopping…' : training.progress.paused ? 'paused' : 'training…' };
    case 'cancelled':
      return { tone: 'neutral', text: 'cancelled' };
    case 'failed':
    case 'interrupted':
      return { tone: 'error', text: 'failed' };
    case 'idle':
    case 'done':
      return state.runs.some((run) => run.kind === 'trained') ? { tone: 'ready', text: 'trained' } : undefined;
  }
}

const PHASE_LABELS: Record<LiveTraining['phase'], string> = {
  download: 'Downloading the model',
  encode: 'Encoding the dataset once (cached for later runs)',
  before: 'Measuring the evaluation side before training',
  train: 'Training',
  after: 'Measuring the evaluation side with the kept head',
};

function LiveProgress({ training, languages }: { training: LiveTraining; languages: string[] }) {
  const step = training.loss.length;
  const lastLoss = training.loss.at(-1);
  const mixPart = training.experiment ? ` (mix ${training.experiment.index + 1} of ${training.experiment.count}: ${COMPARED_MIXES.length} mixes compared)` : '';
  return (
    <div className="live-training" data-testid="live-training">
      <p className="small">
        <strong>{training.label}</strong>
        {mixPart}
        {training.backend ? (
          <>
            {' '}
            · trainer <span className="backend" data-testid="trainer-backend">{training.backend.trainer}</span> · scoring {training.backend.scoring}
          </>
        ) : null}
      </p>
      {training.backend?.note ? <p className="hint small" data-testid="trainer-note">{training.backend.note}</p> : null}
      {training.phase === 'download' && training.encode ? (
        <ProgressBar label={PHASE_LABELS.download} done={training.encode.done} total={training.encode.total || null}
          detail={`${formatBytes(training.encode.done)} of ${training.encode.total ? formatBytes(training.encode.total) : '?'}`} />
      ) : training.phase === 'encode' && training.encode ? (
        <ProgressBar
          label={PHASE_LABELS.encode}
          done={training.encode.done}
          total={training.encode.total}
          detail={`${formatCount(training.encode.done)} / ${formatCount(training.encode.total)} texts${describePace(training.encode.pace, 'texts')}`}
        />
      ) : training.phase === 'train' ? (
        <ProgressBar
          label={training.stopping ? 'Stopping: keeping the best head so far' : training.paused ? 'Paused' : `${PHASE_LABELS.train} on ${training.backend?.trainer ?? '…'}`}
          done={step}
          total={training.steps}
          detail={`step ${step} / ${training.steps}${lastLoss === undefined ? '' : ` · loss ${lastLoss.toFixed(4)}`}${describeStepPace(training)}`}
        />
      ) : (
        <ProgressBar label={PHASE_LABELS[training.phase]} done={0} total={null} />
      )}
      <div className="results-grid">
        <LossChart curves={training} live />
        <HeldOutTable heldOut={training.heldOut} />
      </div>
      {training.heldOutReport ? (
        <MapHeatmap
          run={{ id: 'live-training', languages, report: training.heldOutReport }}
          title={`Evaluation side at step ${training.heldOut.at(-1)?.step ?? 0}: mAP, query × passage language`}
        />
      ) : null}
    </div>
  );
}

/** " · 7.4 steps/s · 40 s left" once the rate is known. */
function describeStepPace(training: LiveTraining): string {
  if (!training.pace || training.paused) return '';
  const left = training.pace.secondsLeft === null ? '' : ` · ${formatSeconds(training.pace.secondsLeft)} left`;
  return ` · ${training.pace.stepsPerSecond.toFixed(1)} steps/s${left}`;
}

function FinishedRun({ run, changes, onExport }: { run: TrainedRun; changes: string[]; onExport: () => void }) {
  const { outcome } = run.training;
  const layers = run.training.train.tune === 'layers';
  return (
    <div className="finished-training" data-testid="finished-training">
      {changes.length > 0 ? (
        <p className="hint stale-text" data-testid="trained-run-stale">
          Stale: the settings changed since Run {run.number} ({changes.join('; ')}). Train again to see their effect.
        </p>
      ) : null}
      <p className="small">
        Run {run.number}: {describeTraining(run.training)} on {outcome.trainerBackend};{' '}
        <span data-testid="kept-head">
          {outcome.stopped ? `stopped at step ${outcome.stepsRun}, best step ${outcome.bestStep}` : `kept the ${layers ? 'layers' : 'head'} of step ${outcome.bestStep}${outcome.stoppedEarly ? ' (stopped early)' : ''}`}
        </span>
        ; {formatSeconds(outcome.timings.train_s)} of steps ({outcome.timings.steps_per_s.toFixed(1)} steps/s)
        {outcome.heldOut.length > 0 && outcome.timings.held_out_s !== undefined ? `, ${formatSeconds(outcome.timings.held_out_s)} for ${outcome.heldOut.length} held-out checks` : ''}.{' '}
        <button type="button" className="link" onClick={onExport}>
          {layers ? 'Export tuned model (.zip)' : 'Export head'}
        </button>
      </p>
      {outcome.trainerNote ? <p className="hint small" data-testid="finished-trainer-note">{outcome.trainerNote}</p> : null}
      <div className="results-grid">
        <LossChart curves={outcome} />
        <BeforeAfterTable before={outcome.before.summary} after={run.report.summary} tuned={layers ? 'tuned layers' : 'trained head'} />
      </div>
    </div>
  );
}

function ImportedHead({ run }: { run: ImportedHeadRun }) {
  return (
    <div className="finished-training" data-testid="imported-head">
      <p className="small">
        Run {run.number}: {describeHeadOf(run)}.
      </p>
      <BeforeAfterTable before={run.head.before.summary} after={run.report.summary} />
    </div>
  );
}

/**
 * While a training runs, the chart is redrawn at most once a second (LIVE_REDRAW_MS), not at every step:
 * each plotly redraw is main-thread work, and on a 2-core machine the page shares the cores with the
 * lab worker that trains (the evaluation's profile, docs/benchmarks.md). The last step always shows.
 */
const LIVE_REDRAW_MS = 1000;

/** One smoothed loss line per batch type with its raw values faint behind it, and the held-out cross-lingual mAP. */
function LossChart({ curves: latest, live = false }: { curves: Curves; live?: boolean }) {
  const curves = useThrottled(latest, live ? LIVE_REDRAW_MS : 0);
  const heldOutValues = useMemo(() => curves.heldOut.map((point) => point.summary.cross_map), [curves.heldOut]);
  const lines = useMemo(() => lossLines(curves.loss, curves.batchTypes), [curves.loss, curves.batchTypes]);
  const data = useMemo<Data[]>(
    () => [
      ...lines.flatMap((line): Data[] => [
        {
          type: 'scatter',
          mode: 'lines',
          name: `${LOSS_NAMES[line.type]}, raw`,
          legendgroup: line.type,
          showlegend: false,
          x: line.steps,
          y: line.raw,
          line: { color: LOSS_COLOURS[line.type], width: 1 },
          opacity: 0.25,
          hovertemplate: `step %{x}: loss %{y:.4f} (${LOSS_NAMES[line.type]})<extra></extra>`,
        },
        {
          type: 'scatter',
          mode: 'lines',
          name: `${LOSS_NAMES[line.type]} (smoothed)`,
          legendgroup: line.type,
          x: line.steps,
          y: line.smoothed,
          line: { color: LOSS_COLOURS[line.type], width: 2.5 },
          hovertemplate: `step %{x}: smoothed loss %{y:.4f} (${LOSS_NAMES[line.type]})<extra></extra>`,
        },
      ]),
      ...(curves.heldOut.length > 0
        ? [
            {
              type: 'scatter' as const,
              mode: 'lines+markers' as const,
              name: 'held-out cross-lingual mAP',
              x: curves.heldOut.map((point) => point.step),
              y: heldOutValues,
              yaxis: 'y2',
              line: { color: '#1f2933', width: 1.5, dash: 'dot' as const },
            },
          ]
        : []),
    ],
    [lines, curves.heldOut, heldOutValues],
  );
  const layout = useMemo<Partial<Layout>>(
    () => ({
      height: 280,
      margin: { l: 50, r: heldOutValues.length > 0 ? 70 : 20, t: 10, b: 70 },
      xaxis: { title: { text: 'step' }, tickformat: 'd' },
      yaxis: { title: { text: 'InfoNCE loss' } },
      ...(heldOutValues.length > 0
        ? { yaxis2: { title: { text: 'held-out cross mAP' }, overlaying: 'y' as const, side: 'right' as const, showgrid: false, tickformat: '.3f', range: metricAxisRange(heldOutValues) } }
        : {}),
      showlegend: true,
      legend: { orientation: 'h', y: -0.35 },
    }),
    [heldOutValues],
  );
  return <PlotlyChart data={data} layout={layout} label="Training loss per step and batch type, with the held-out cross-lingual mAP" testId="loss-chart" />;
}

/** `value`, passed on at most once per `intervalMs` (0: at once); a newer value waits out the rest of the interval. */
function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const lastShown = useRef(0);
  useEffect(() => {
    if (intervalMs === 0) return;
    const show = () => {
      lastShown.current = Date.now();
      setShown(value);
    };
    const wait = lastShown.current + intervalMs - Date.now();
    if (wait <= 0) return show();
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, intervalMs]);
  return intervalMs === 0 ? value : shown;
}

const HELD_OUT_ROWS: { label: string; metric: MetricKey; value: (s: EvalSummary) => number | null; format: (v: number | null) => string }[] = [
  { label: 'Mono mAP', metric: 'mono_map', value: (s) => s.mono_map, format: formatMetric },
  { label: 'Cross mAP', metric: 'cross_map', value: (s) => s.cross_map, format: formatMetric },
  { label: 'Multi mAP', metric: 'multi_map', value: (s) => s.multi_map, format: formatMetric },
  { label: 'Rank distance', metric: 'rank_distance', value: (s) => s.rank_distance, format: formatRanks },
];

/** The evaluation side at each held-out check so far (the last few columns). */
function HeldOutTable({ heldOut }: { heldOut: HeldOutPoint[] }) {
  const shown = heldOut.slice(-4);
  if (shown.length === 0) return <p className="muted small">The evaluation side is measured every few steps (Evaluate every); its numbers appear here.</p>;
  const last = shown.at(-1)!;
  const sampled = last.questions !== undefined && last.ofQuestions !== undefined && last.questions < last.ofQuestions;
  return (
    <table className="summary" data-testid="held-out-table">
      <caption className="small muted">
        Evaluation side while training
        {sampled ? `: ${last.questions} of its ${last.ofQuestions} questions (a fixed sample, every translation) against all its candidates` : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          {shown.map((point) => (
            <th key={point.step} scope="col" className="num">
              step {point.step}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {HELD_OUT_ROWS.map((row) => (
          <tr key={row.label}>
            <td>
              <MetricTerm metric={row.metric}>{row.label}</MetricTerm>
            </td>
            {shown.map((point) => (
              <td key={point.step} className="num">
                {row.format(row.value(point.summary))}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BeforeAfterTable({ before, after, tuned = 'trained head' }: { before: EvalSummary; after: EvalSummary; tuned?: string }) {
  return (
    <table className="summary" data-testid="before-after-table">
      <caption className="small muted">Evaluation side, frozen encoder → {tuned}</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col" className="num">Before</th>
          <th scope="col" className="num">After</th>
        </tr>
      </thead>
      <tbody>
        {HELD_OUT_ROWS.map((row) => (
          <tr key={row.label} data-metric={row.metric}>
            <td>
              <MetricTerm metric={row.metric}>{row.label}</MetricTerm>
            </td>
            <td className="num" title={String(row.value(before))}>
              {row.format(row.value(before))}
            </td>
            <td className="num" title={String(row.value(after))}>
              {row.format(row.value(after))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The chosen transformer's sizes: from its load, else from the last evaluation with it (runs keep what the encoder worker loaded). */
function modelArchitecture(state: AppState): ModelArchitecture | null {
  if (state.model.status === 'done' && state.model.result.architecture) return state.model.result.architecture;
  const encoder = state.settings.encoder;
  if (encoder.kind !== 'transformer') return null;
  const run = [...state.runs].reverse().find((r) => r.encoder.kind === 'transformer' && JSON.stringify(r.encoder.source) === JSON.stringify(encoder.source) && r.model?.architecture);
  return run?.model?.architecture ?? null;
}

/** Why the top layers cannot be tuned with these settings, or null (also null when a head is trained). */
function layerTuningBlocker(state: AppState): string | null {
  const { train } = state.settings;
  if (train.tune !== 'layers') return null;
  if (state.settings.encoder.kind !== 'transformer') return 'Only a transformer encoder has layers to tune: choose one in the Encoder cell, or train a head.';
  const architecture = modelArchitecture(state);
  if (!architecture || !state.loaded) return null;
  const { queries, candidates } = state.loaded.dataset.summary;
  return layerTuningProblem(architecture, layerTuningPlan(architecture, train.layers, queries + candidates));
}

/**
 * A head on the frozen vectors, or the transformer's own top K layers (the paper's method), with
 * what the layers cost: trainable parameters and the hidden-state cache, before the run.
 */
function WhatToTrain({ state, disabled, change }: { state: AppState; disabled: boolean; change: (patch: Partial<AppState['settings']['train']>) => void }) {
  const { train } = state.settings;
  const transformer = state.settings.encoder.kind === 'transformer';
  const architecture = modelArchitecture(state);
  const texts = state.loaded ? state.loaded.dataset.summary.queries + state.loaded.dataset.summary.candidates : null;
  const plan = architecture && texts !== null ? layerTuningPlan(architecture, train.layers, texts) : null;
  const problem = architecture && plan ? layerTuningProblem(architecture, plan) : null;
  return (
    <fieldset disabled={disabled}>
      <legend>What to train</legend>
      <div className="field-row">
        <label className="field">
          <span>Train</span>
          <select value={train.tune} onChange={(event) => change({ tune: event.target.value === 'layers' ? 'layers' : 'head' })}>
            <option value="head">a projection head on the frozen vectors</option>
            <option value="layers" disabled={!transformer}>
              the encoder&apos;s top layers{transformer ? '' : ' (transformer encoders only)'}
            </option>
          </select>
        </label>
        {train.tune === 'layers' ? (
          <NumberField
            label="Top layers"
            value={train.layers}
            step={1}
            setting={SETTINGS_TABLE.train.layers}
            hint={architecture ? `of ${architecture.layers}` : 'load the model to see how many it has'}
            onChange={(layers) => change({ layers })}
          />
        ) : null}
      </div>
      {train.tune === 'layers' ? (
        <p className="muted" data-testid="layer-plan">
          {!transformer
            ? 'Only a transformer encoder has layers to tune: choose one in the Encoder cell, or train a head.'
            : plan
              ? `${formatCount(plan.trainableParameters)} trainable parameters; the hidden states entering the first tuned layer are cached once, ` +
                `about ${formatBytes(plan.cacheBytes)} for ${formatCount(texts ?? 0)} texts at ${PLANNED_TOKENS_PER_TEXT} tokens each (the run reports the real count). ` +
                'The layers below run once; the tuned ones run forward and backward every step.'
              : 'Load the model and the dataset to see the trainable parameters and the memory the run will take.'}
        </p>
      ) : null}
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
    </fieldset>
  );
}
