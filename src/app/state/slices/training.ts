/** The Train cell's slice: the training (or imported head's measurement) in progress, or how the last one ended. */
import type { TrainingProgress } from '../../../../workers/lab/protocol';
import type { Action, AppState, LiveTraining, TrainingLive, TrainingSlice, TrainingTask } from '../app-state';
import { ended, finished, isCurrent, progressed, started } from '../task';

const NOTHING_YET: TrainingLive = {
  phase: 'encode',
  encode: null,
  backend: null,
  loss: [],
  batchTypes: [],
  validation: [],
  heldOut: [],
  heldOutReport: null,
  pace: null,
  paused: false,
  stopping: false,
};

export function reduceTraining(state: AppState, action: Action): Partial<TrainingSlice> {
  const { training } = state;
  switch (action.type) {
    case 'trainingStarted':
      return { training: started(action.id, action.training, NOTHING_YET), headExportError: null, stopNote: null };
    case 'trainingProgress':
      return { training: progressed(training, action.id, (live) => withProgress(live, action.progress)) };
    case 'trainingStopping':
      return { training: progressed(training, action.id, (live) => ({ ...live, stopping: true, paused: false })) };
    case 'trainingStoppedEmpty':
      return isCurrent(training, action.id) ? { training: ended(training, action.id, { name: 'AbortError', message: action.note }), stopNote: action.note } : {};
    case 'trainingFinished':
      return { training: finished(training, action.id, null) };
    case 'trainingFailed':
      return { training: ended(training, action.id, action.error) };
    case 'headExportFailed':
      return { headExportError: action.message };
    default:
      return {};
  }
}

/** The running training as the Train cell shows it; null when none runs. */
export function liveTraining(training: TrainingTask): LiveTraining | null {
  return training.status === 'running' ? { ...training.job, ...training.progress } : null;
}

export function withProgress(live: TrainingLive, progress: TrainingProgress): TrainingLive {
  switch (progress.type) {
    case 'download-model':
      return { ...live, phase: 'download', encode: { done: progress.done, total: progress.total } };
    case 'encode':
      return { ...live, phase: 'encode', encode: { done: progress.done, total: progress.total, pace: progress.pace } };
    case 'backend':
      return { ...live, backend: { trainer: progress.trainer, note: progress.note, scoring: progress.scoring } };
    case 'paused':
      return { ...live, paused: progress.paused };
    case 'phase':
      return { ...live, phase: progress.phase };
    case 'step':
      return { ...live, loss: [...live.loss, progress.loss], batchTypes: [...live.batchTypes, progress.batchType], pace: { stepsPerSecond: progress.stepsPerSecond, secondsLeft: progress.secondsLeft } };
    case 'validation':
      return { ...live, validation: [...live.validation, { step: progress.step, score: progress.score, best: progress.best }] };
    case 'held-out':
      return {
        ...live,
        heldOut: [...live.heldOut, { step: progress.step, summary: progress.report.summary, questions: progress.questions, ofQuestions: progress.ofQuestions, seconds: progress.seconds }],
        heldOutReport: progress.report,
      };
  }
}
