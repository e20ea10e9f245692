/**
 * Which paired statistics the notebook asks the worker for (src/app/state/comparisons.ts): the
 * Results cell's shown run against the compared one, and the pairs of the last "Compare mixes"
 * experiment's rows, each in the direction its view reads (delta = B − A).
 */
import { describe, expect, it } from 'vitest';
import type { PerQueryValues } from '../../src/core/metrics/types';
import { initialState } from '../../src/app/state/reducer';
import type { AppState } from '../../src/app/state/app-state';
import { mixComparison, shownComparisons } from '../../src/app/state/comparisons';
import type { Run } from '../../src/app/state/runs';

const values = (fingerprint: string) => ({ datasetFingerprint: fingerprint, languages: ['en'] }) as unknown as PerQueryValues;

function evaluation(id: string, number: number, fingerprint: string | null = 'f'): Run {
  return { kind: 'evaluation', id, number, report: { perQuery: fingerprint ? values(fingerprint) : undefined, summary: { cross_map: number } } } as unknown as Run;
}

function trained(id: string, number: number, preset: string, experimentId: string | null): Run {
  return {
    kind: 'trained',
    id,
    number,
    report: { perQuery: values('split'), summary: { cross_map: number } },
    training: { mix: { preset }, experimentId, outcome: { before: { perQuery: values('split'), summary: { cross_map: 0 } } } },
  } as unknown as Run;
}

const notebook = (runs: Run[], selectedRunId: string | null, compareRunId: string | null): AppState => ({ ...initialState(null), runs, selectedRunId, compareRunId });
const keys = (state: AppState) => shownComparisons(state).map(([a, b]) => `${a.key} -> ${b.key}`);

describe('shown comparisons', () => {
  it('compare the shown run with the compared one: delta = shown − compared', () => {
    expect(keys(notebook([evaluation('a', 1), evaluation('b', 2)], 'a', 'b'))).toEqual(['b -> a']);
    // The last run is shown when none is selected; a run is never compared with itself.
    expect(keys(notebook([evaluation('a', 1), evaluation('b', 2)], null, 'a'))).toEqual(['a -> b']);
    expect(keys(notebook([evaluation('a', 1), evaluation('b', 2)], 'b', 'b'))).toEqual([]);
    expect(keys(notebook([evaluation('a', 1), evaluation('b', 2)], 'a', null))).toEqual([]);
  });

  it('leave out runs that cannot be paired: other questions, or no per-query values', () => {
    expect(keys(notebook([evaluation('a', 1, 'f'), evaluation('b', 2, 'g')], 'a', 'b'))).toEqual([]);
    expect(keys(notebook([evaluation('a', 1, null), evaluation('b', 2)], 'a', 'b'))).toEqual([]);
  });

  it('pair every row of the last Compare mixes experiment, the earlier row first, the untrained side first of all', () => {
    const runs = [
      trained('old', 1, 'hybrid', 'e1'),
      trained('m', 2, 'x-x-mono', 'e2'),
      trained('y', 3, 'x-y', 'e2'),
      trained('h', 4, 'hybrid', 'e2'),
      trained('single', 5, 'hybrid', null),
    ];
    expect(keys(notebook(runs, 'single', null))).toEqual(['m:before -> m', 'm:before -> y', 'm:before -> h', 'm -> y', 'm -> h', 'y -> h']);
    expect(keys(notebook(runs, 'h', 'single'))).toEqual(['single -> h', 'm:before -> m', 'm:before -> y', 'm:before -> h', 'm -> y', 'm -> h', 'y -> h']);
  });
});

describe('mix comparison', () => {
  it('rows the untrained side and the mixes in the paper order, lettered, whatever order they were trained in', () => {
    const view = mixComparison([trained('h', 1, 'hybrid', 'e'), trained('m', 2, 'x-x-mono', 'e')]);
    expect(view?.rows.map((row) => `${row.letter} ${row.label} ${row.run}`)).toEqual(['a Untrained null', 'b X-X-mono 2', 'c Hybrid 1']);
    expect(view?.first.id).toBe('h');
    expect(mixComparison([evaluation('a', 1)])).toBeNull();
  });

  it('is testable only when every row has per-query values', () => {
    const old = { ...trained('m', 2, 'x-x-mono', 'e'), report: { summary: {} } } as unknown as Run;
    const view = mixComparison([trained('h', 1, 'hybrid', 'e'), old]);
    expect(view?.testable).toBe(false);
    expect(keys(notebook([trained('h', 1, 'hybrid', 'e'), old], null, null))).toEqual([]);
  });
});
