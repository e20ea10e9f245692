/**
 * The classroom preset's button, with its progress beside it while it runs: which of its three
 * steps (load, evaluate, train three mixes) it is on, the training's rate, the time left over the
 * mixes (from the pace so far, as a sweep's) and the time since the click; and Stop.
 */
import { useNotebook } from '../notebook-context';
import { formatSeconds } from '../../core/format';
import { liveTraining } from '../state/slices/training';
import { sweepSecondsLeft } from '../state/sweep';
import { CLASSROOM_ARTICLES, CLASSROOM_LANGUAGES } from '../state/classroom';

export function ClassroomPreset() {
  const { state, actions } = useNotebook();
  const { classroom } = state;
  return (
    <div className="classroom">
      <button type="button" onClick={actions.classroomDemo} disabled={classroom !== null} data-testid="classroom-demo">
        Classroom preset
      </button>{' '}
      {classroom ? (
        <span className="classroom-progress" role="status" data-testid="classroom-progress">
          <span data-testid="classroom-phase">{describePhase(state)}</span>
          <span className="muted small"> · {formatSeconds((Date.now() - classroom.startedAt) / 1000)} since the click</span>{' '}
          <button type="button" onClick={actions.stopClassroom} disabled={classroom.stopping} data-testid="classroom-stop">
            {classroom.stopping ? 'Stopping…' : 'Stop'}
          </button>
        </span>
      ) : (
        <span className="muted small">
          One click: {CLASSROOM_LANGUAGES.length} languages and {CLASSROOM_ARTICLES} articles of XQuAD-R, evaluated with the lexical encoder, then
          X-X-mono, X-Y and hybrid trained (100 steps each) and compared: about a minute on a quiet 2-core laptop (62 s from the click, docs/benchmarks.md), longer while other work runs; its
          progress shown here.
        </span>
      )}
    </div>
  );
}

function describePhase(state: ReturnType<typeof useNotebook>['state']): string {
  if (state.datasetTask.status === 'running') return `Step 1 of 3: loading ${CLASSROOM_LANGUAGES.join(' ')}, first ${CLASSROOM_ARTICLES} articles`;
  if (state.evaluation.status === 'running') return 'Step 2 of 3: evaluating the frozen lexical encoder';
  const live = liveTraining(state.training);
  if (!live) return 'Starting the next step…';
  const experiment = live.experiment ?? { index: 0, count: 1 };
  const mix = `Step 3 of 3: training ${live.label} (mix ${experiment.index + 1} of ${experiment.count})`;
  if (live.stopping) return `${mix}: stopping, keeping the best head so far`;
  // The experiment's mixes finished so far started at their runs' createdAt; the first one is when training began.
  const members = state.runs.filter((run) => run.kind === 'trained' && run.training.experimentId !== null).slice(-experiment.index);
  const trainingStartedAt = experiment.index === 0 ? live.startedAt : (members[0]?.createdAt ?? live.startedAt);
  const left = sweepSecondsLeft({
    now: Date.now(),
    sweepStartedAt: trainingStartedAt,
    runStartedAt: live.startedAt,
    finished: experiment.index,
    runLeftSeconds: live.phase === 'train' ? (live.pace?.secondsLeft ?? null) : null,
    runsAfterCurrent: experiment.count - experiment.index - 1,
  });
  const step = live.phase === 'train' ? `: step ${live.loss.length} of ${live.steps}` : live.phase === 'encode' ? ': encoding' : live.phase === 'before' || live.phase === 'after' ? ': measuring the evaluation side' : '';
  const rate = live.phase === 'train' && live.pace ? `, ${live.pace.stepsPerSecond.toFixed(1)} steps/s` : '';
  return `${mix}${step}${rate}${left === null ? '' : `, about ${formatSeconds(left)} left`}`;
}
