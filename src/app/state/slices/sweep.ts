/** The Sweep cell's slice: the sweep being trained (its runs are ordinary trained runs in the Results slice); and the classroom preset while it runs. */
import type { Action, AppState, SweepSlice } from '../app-state';
import { finished, started } from '../task';

export function reduceSweep(state: AppState, action: Action): Partial<SweepSlice> {
  switch (action.type) {
    case 'sweepStarted':
      return { sweep: started(action.id, { sweepId: action.sweepId, total: action.total, startedAt: action.startedAt, doneAtStart: action.doneAtStart }, null) };
    case 'sweepEnded':
      return { sweep: finished(state.sweep, action.id, null) };
    case 'classroomStarted':
      return { classroom: { startedAt: action.startedAt, stopping: false } };
    case 'classroomStopping':
      return state.classroom ? { classroom: { ...state.classroom, stopping: true } } : {};
    case 'classroomEnded':
      return { classroom: null };
    default:
      return {};
  }
}
