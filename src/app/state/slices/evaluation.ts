/** The Evaluate cell's slice: the evaluation in progress, or how the last one ended (its run goes to the Results slice). */
import type { Action, AppState, EvaluationSlice } from '../app-state';
import { ended, finished, progressed, started } from '../task';

export function reduceEvaluation(state: AppState, action: Action): Partial<EvaluationSlice> {
  const { evaluation } = state;
  switch (action.type) {
    case 'evaluationStarted':
      return { evaluation: started(action.id, { startedAt: action.startedAt }, null) };
    case 'evaluationProgress':
      return { evaluation: progressed(evaluation, action.id, () => action.progress) };
    case 'evaluationFinished':
      return { evaluation: finished(evaluation, action.id, null) };
    case 'evaluationFailed':
      return { evaluation: ended(evaluation, action.id, action.error) };
    default:
      return {};
  }
}
