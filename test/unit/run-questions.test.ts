/**
 * Which runs measured the same questions (src/app/state/runs.ts): a comparison of a trained run with
 * an evaluation of the whole subset compares the evaluation half with all the articles, so its
 * differences are no gains. And a run says its seed, so that a sweep's runs do not look alike.
 */
import { describe, expect, it } from 'vitest';
import { describeHeadOf, matchingRuns, sameQuestions, type Run } from '../../src/app/state/runs';

const selection = { source: { kind: 'folder' as const, folder: 'xquad-r' }, languages: ['en', 'de'], articles: 20 };
const split = (seed: number) => ({ kind: 'articles', spec: 'articles:0.5', seed });
const mix = (seed: number) => ({ preset: 'hybrid', weights: { mono: 0.5, mixed: 0, cross: 0.5 }, seed });
const train = { headKind: 'linear', rank: 64 };

function evaluation(id: string, fingerprint: string | null, side: number | null = null): Run {
  return {
    kind: 'evaluation',
    id,
    number: Number(id.slice(1)),
    selection,
    datasetName: 'xquad-r',
    encoder: { kind: 'lexical' },
    report: { perQuery: fingerprint === null ? undefined : { datasetFingerprint: fingerprint } },
    ...(side === null ? {} : { side: split(side) }),
  } as unknown as Run;
}

function trained(id: string, fingerprint: string | null, seed: number): Run {
  return {
    ...evaluation(id, fingerprint),
    kind: 'trained',
    training: { mix: mix(seed), train, experimentId: null, outcome: { split: split(seed), stepsRun: 100, before: {} } },
  } as unknown as Run;
}

describe('same questions', () => {
  it('compare the dataset fingerprints when both runs kept per-query values', () => {
    expect(sameQuestions(trained('r2', 'half', 1), evaluation('r1', 'all'))).toBe(false);
    expect(sameQuestions(trained('r2', 'half', 1), evaluation('r3', 'half', 1))).toBe(true);
    expect(sameQuestions(evaluation('r1', 'all'), evaluation('r4', 'all'))).toBe(true);
  });

  it('compare what the runs say they measured when one has no fingerprint: the subset and the side of which split', () => {
    expect(sameQuestions(trained('r2', null, 1), evaluation('r1', null))).toBe(false);
    expect(sameQuestions(trained('r2', null, 1), evaluation('r3', null, 1))).toBe(true);
    // Another seed draws another split: other questions on the evaluation side.
    expect(sameQuestions(trained('r2', null, 1), evaluation('r3', null, 2))).toBe(false);
    expect(sameQuestions(trained('r2', null, 1), trained('r5', 'x', 1))).toBe(true);
  });

  it('offer the runs on the same questions, frozen evaluations first, never the run itself', () => {
    const runs = [evaluation('r1', 'all'), trained('r2', 'half', 1), trained('r3', 'half', 1), evaluation('r4', 'half', 1)];
    expect(matchingRuns(runs, runs[1]).map((run) => run.id)).toEqual(['r4', 'r3']);
    expect(matchingRuns(runs, runs[0])).toEqual([]);
  });
});

describe('run descriptions', () => {
  it('name the seed of a trained run, and the side a frozen evaluation measured', () => {
    // Two runs of a sweep that differ only by their seed read differently in the runs table.
    expect(describeHeadOf(trained('r2', null, 1))).not.toBe(describeHeadOf(trained('r3', null, 2)));
    expect(describeHeadOf(trained('r3', null, 2))).toBe('linear head, Hybrid, 100 steps, seed 2; evaluation side of articles:0.5');
    expect(describeHeadOf(evaluation('r4', null, 1))).toBe('nothing trained; evaluation side of articles:0.5, seed 1');
    expect(describeHeadOf(evaluation('r1', null))).toBe('');
  });
});
