/**
 * The map's state: only the task running hears its progress and result, Cancel (an AbortError)
 * leaves no message while other failures do, a legend click toggles the highlight, and a map can be
 * drawn only for a run whose dataset and subset are the ones loaded.
 */
import { describe, expect, it } from 'vitest';
import type { EmbeddingMap } from '../../workers/lab/protocol';
import { INITIAL_MAP, mapReducer, mapUnavailable, type MapState } from '../../src/app/state/map';
import type { Run } from '../../src/app/state/runs';
import type { DatasetSelection } from '../../src/app/state/settings';

const MAP: EmbeddingMap = { languages: ['de', 'en'], points: [], neighbours: 15, views: [], scoringBackend: 'js' };
const running: MapState = mapReducer(INITIAL_MAP, { type: 'mapStarted', id: 2, runId: 'run-a' });

describe('mapReducer', () => {
  it('keeps progress and the result of the running task only', () => {
    const progress = { phase: 'layout' as const, view: 'encoder' as const, done: 20, total: 200 };
    expect(mapReducer(running, { type: 'mapProgress', id: 1, progress })).toBe(running);
    expect(mapReducer(running, { type: 'mapProgress', id: 2, progress }).task).toEqual({ status: 'running', id: 2, runId: 'run-a', progress });
    expect(mapReducer(running, { type: 'mapFinished', id: 1, map: MAP })).toBe(running);
    expect(mapReducer(running, { type: 'mapFinished', id: 2, map: MAP }).task).toEqual({ status: 'done', runId: 'run-a', map: MAP });
  });

  it('forgets a cancelled task and keeps the error of a failed one', () => {
    expect(mapReducer(running, { type: 'mapFailed', id: 2, error: { name: 'AbortError', message: 'cancelled' } }).task).toEqual({ status: 'idle' });
    const error = { name: 'Error', message: 'No dataset is loaded' };
    expect(mapReducer(running, { type: 'mapFailed', id: 2, error }).task).toEqual({ status: 'failed', runId: 'run-a', error });
    expect(mapReducer(running, { type: 'mapFailed', id: 3, error })).toBe(running);
  });

  it('toggles the highlighted language', () => {
    const de = mapReducer(INITIAL_MAP, { type: 'mapLanguageHighlighted', language: 'de' });
    expect(de.highlighted).toBe('de');
    expect(mapReducer(de, { type: 'mapLanguageHighlighted', language: 'en' }).highlighted).toBe('en');
    expect(mapReducer(de, { type: 'mapLanguageHighlighted', language: 'de' }).highlighted).toBeNull();
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
