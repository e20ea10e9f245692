/** The Results cell's embedding map slice: the sample size, the highlighted language, the drawing task. */
import type { Action, AppState, MapSlice, MapTask } from '../app-state';
import { ended, finished, progressed, started } from '../task';

export function reduceMap(state: AppState, action: Action): Partial<MapSlice> {
  const { map } = state;
  // An answer for a task that is no longer running changes nothing, not even the slice's identity.
  const withTask = (task: MapTask): Partial<MapSlice> => (task === map.task ? {} : { map: { ...map, task } });
  switch (action.type) {
    case 'mapSizeChanged':
      return { map: { ...map, size: action.size } };
    case 'mapLanguageHighlighted':
      return { map: { ...map, highlighted: action.language === map.highlighted ? null : action.language } };
    case 'mapStarted':
      return { map: { ...map, task: started(action.id, { runId: action.runId }, null) } };
    case 'mapProgress':
      return withTask(progressed(map.task, action.id, () => action.progress));
    case 'mapFinished':
      return withTask(finished(map.task, action.id, action.map));
    case 'mapFailed':
      return withTask(ended(map.task, action.id, action.error));
    default:
      return {};
  }
}
