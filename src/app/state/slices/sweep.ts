/** The Sweep cell's slice: the sweep being trained (its runs are ordinary trained runs in the Results slice). */
import type { Action, AppState, SweepSlice } from '../app-state';
import { finished, started } from '../task';

export function reduceSweep(state: AppState, action: Action): Partial<SweepSlice> {
  switch (action.type) {
    case 'sweepStarted':
      return { sweep: started(action.id, { sweepId: action.sweepId, total: action.total, startedAt: action.startedAt }, null) };
    case 'sweepEnded':
      return { sweep: finished(state.sweep, action.id, null) };
    default:
      return {};
  }
}
