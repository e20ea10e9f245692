/**
 * Which paired statistics the cells show, so that App asks the lab worker for them: the Results
 * cell's shown run against the compared one, and every pair of rows of the last "Compare mixes"
 * experiment (the Train cell's tables in the layout of the paper's Tables 1 and 2).
 */
import { MIX_PRESETS } from '../../core/training';
import type { EvalSummary, PerQueryValues } from '../../core/metrics/types';
import type { AppState } from './app-state';
import type { Run, TrainedRun } from './runs';
import { significanceUnavailable, type ComparedSide } from './significance';
import { COMPARED_MIXES } from './training';

export interface MixRow {
  /** Superscript that names the row when another row beats it. */
  letter: string;
  label: string;
  run: number | null;
  /** Unique among runs: the run's id, or the untrained side's. */
  key: string;
  summary: EvalSummary;
  perQuery: PerQueryValues | undefined;
}

export interface MixComparisonView {
  /** The experiment's first run: its split, seed and untrained side head the tables. */
  first: TrainedRun;
  members: TrainedRun[];
  /** The untrained encoder, then each compared mix trained so far, in the paper's order. */
  rows: MixRow[];
  /** Every pair of rows, the earlier first (delta = later − earlier). */
  pairs: (readonly [MixRow, MixRow])[];
  /** Every row has per-query values (runs stored before they were kept have none). */
  testable: boolean;
}

/** The last "Compare mixes" experiment among `runs`; null when there is none. */
export function mixComparison(runs: Run[]): MixComparisonView | null {
  const trained = runs.filter((run): run is TrainedRun => run.kind === 'trained' && run.training.experimentId !== null);
  const experimentId = trained.at(-1)?.training.experimentId;
  const members = experimentId ? trained.filter((run) => run.training.experimentId === experimentId) : [];
  const first = members[0];
  if (!first) return null;
  const rows: MixRow[] = [
    { label: 'Untrained', run: null, key: `${first.id}:before`, summary: first.training.outcome.before.summary, perQuery: first.training.outcome.before.perQuery },
    ...COMPARED_MIXES.flatMap((preset) => {
      const run = members.find((member) => member.training.mix.preset === preset);
      return run ? [{ label: MIX_PRESETS[preset].label, run: run.number, key: run.id, summary: run.report.summary, perQuery: run.report.perQuery }] : [];
    }),
  ].map((row, i) => ({ ...row, letter: String.fromCharCode(97 + i) }));
  const pairs = rows.flatMap((a, i) => rows.slice(i + 1).map((b) => [a, b] as const));
  return { first, members, rows, pairs, testable: rows.every((row) => row.perQuery) };
}

/** The Results cell's shown run and the run it is compared with, when it is compared with one. */
export function shownRuns(state: AppState): { run: Run; other: Run | null } | null {
  const { runs } = state;
  const run = runs.find((r) => r.id === state.selectedRunId) ?? runs.at(-1);
  if (!run) return null;
  return { run, other: runs.find((r) => r.id === state.compareRunId && r.id !== run.id) ?? null };
}

/** Every comparison the cells show, as [A, B] (delta = B − A). */
export function shownComparisons(state: AppState): [ComparedSide, ComparedSide][] {
  const shown = shownRuns(state);
  const results: [ComparedSide, ComparedSide][] = [];
  if (shown?.other && significanceUnavailable(shown.run, shown.other) === null) {
    // delta = shown − compared, the difference heatmap's direction.
    results.push([{ key: shown.other.id, perQuery: shown.other.report.perQuery! }, { key: shown.run.id, perQuery: shown.run.report.perQuery! }]);
  }
  const mixes = mixComparison(state.runs);
  const experiment: [ComparedSide, ComparedSide][] = mixes?.testable
    ? mixes.pairs.map(([a, b]) => [{ key: a.key, perQuery: a.perQuery! }, { key: b.key, perQuery: b.perQuery! }])
    : [];
  return [...results, ...experiment];
}
