/**
 * The map's state: only the task running hears its progress and result, Cancel (an AbortError)
 * leaves no message while other failures do, a legend click toggles the highlight, and a map can be
 * drawn only for a run whose dataset and subset are the ones loaded.
 */
import { describe, expect, it } from 'vitest';
import type { EmbeddingMap } from '../../workers/lab/protocol';
import type { AppState } from '../../src/app/state/app-state';
import { mapUnavailable } from '../../src/app/state/map';
import { initialState, reducer } from '../../src/app/state/reducer';
import type { Run } from '../../src/app/state/runs';
import type { DatasetSelection } from '../../src/app/state/settings';

const MAP: EmbeddingMap = { languages: ['de', 'en'], points: [], neighbours: 15, views: [], scoringBackend: 'js' };
const INITIAL = initialState(null);
const running: AppState = reducer(INITIAL, { type: 'mapStarted', id: 2, runId: 'run-a' });

describe('the map slice', () => {
  it('keeps progress and the result of the running task only', () => {
    const progress = { phase: 'layout' as const, view: 'encoder' as const, done: 20, total: 200 };
    expect(reducer(running, { type: 'mapProgress', id: 1, progress })).toBe(running);
    expect(reducer(running, { type: 'mapProgress', id: 2, progress }).map.task).toEqual({ status: 'running', id: 2, job: { runId: 'run-a' }, progress });
    expect(reducer(running, { type: 'mapFinished', id: 1, map: MAP })).toBe(running);
    expect(reducer(running, { type: 'mapFinished', id: 2, map: MAP }).map.task).toEqual({ status: 'done', job: { runId: 'run-a' }, result: MAP });
  });

  it('ends a cancelled task without a message and keeps the error of a failed one', () => {
    expect(reducer(running, { type: 'mapFailed', id: 2, error: { name: 'AbortError', message: 'cancelled' } }).map.task).toEqual({ status: 'cancelled', job: { runId: 'run-a' } });
    const error = { name: 'Error', message: 'No dataset is loaded' };
    expect(reducer(running, { type: 'mapFailed', id: 2, error }).map.task).toEqual({ status: 'failed', job: { runId: 'run-a' }, error });
    expect(reducer(running, { type: 'mapFailed', id: 3, error })).toBe(running);
  });

  it('toggles the highlighted language', () => {
    const de = reducer(INITIAL, { type: 'mapLanguageHighlighted', language: 'de' });
    expect(de.map.highlighted).toBe('de');
    expect(reducer(de, { type: 'mapLanguageHighlighted', language: 'en' }).map.highlighted).toBe('en');
    expect(reducer(de, { type: 'mapLanguageHighlighted', language: 'de' }).map.highlighted).toBeNull();
  });
});

describe('mapUnavailable', () => {
  const selection: DatasetSelection = { source: { kind: 'folder', folder: 'xquad-r' }, languages: ['de', 'en'], articles: 3 };
  const run = { number: 4, datasetName: 'xquad-r', selection } as Run;

  it('asks for the run\'s dataset when none or another subset is loaded, and lets the map be drawn on its own', () => {
    expect(mapUnavailable(run, null)).toMatch(/^Load Run 4's dataset \(xquad-r, de en, first 3 articles\)/);
    expect(mapUnavailable(run, { ...selection, articles: 4 })).toMatch(/^Run 4 was measured on another dataset or subset/);
    expect(mapUnavailable(run, { ...selection, source: { kind: 'folder', folder: 'mlqa-r' } })).toMatch(/another dataset/);
    expect(mapUnavailable(run, { ...selection })).toBeNull();
  });
});
