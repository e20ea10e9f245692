/**
 * The job-size estimate against numbers worked out by hand (core/job-size.ts's model: both
 * embedding matrices, the backend's candidate copy, one block of 512 score rows, 8 bytes of ranker
 * scratch per candidate; 1e10 multiply-adds and 5e7 ranked pairs a second), and the browser's limits.
 */
import { describe, expect, it } from 'vitest';
import { logJobEstimate } from '../../src/cli/job-estimate';
import type { Dataset } from '../../src/core/dataset/types';
import { browserFilesProblem, browserJobProblem, describeEstimate, estimateJob } from '../../src/core/job-size';

const XQUAD_R = { queries: 13_090, candidates: 13_014 };

describe('job size', () => {
  it('full XQuAD-R at 384 dimensions: 86.8 MB and 9.9 s of scoring', () => {
    // (13,090 + 2 x 13,014) x 384 x 4 = 60,085,248; 512 x 13,014 x 4 = 26,652,672; 13,014 x 8 = 104,112.
    const estimate = estimateJob({ ...XQUAD_R, dim: 384 });
    expect(estimate.bytes).toBe(86_842_032);
    // 13,090 x 13,014 = 170,353,260 pairs: x 384 / 1e10 = 6.5416 s, / 5e7 = 3.4071 s.
    expect(estimate.scoreSeconds).toBeCloseTo(9.948630384, 9);
    expect(describeEstimate({ ...XQUAD_R, dim: 384 })).toBe(
      '13,090 queries x 13,014 candidates at 384 dimensions: about 87 MB of memory and 10 s of scoring (encoding not included)');
  });

  it('fewer queries than a block: the block is only as tall as the queries', () => {
    // (3 + 2 x 5) x 2 x 4 = 104; 3 x 5 x 4 = 60; 5 x 8 = 40.
    expect(estimateJob({ queries: 3, candidates: 5, dim: 2 }).bytes).toBe(204);
  });

  it('the browser runs ten times XQuAD-R at 1024 dimensions, not at 2048', () => {
    const ten = { queries: 130_900, candidates: 130_140 };
    // (130,900 + 260,280) x 1024 x 4 = 1,602,273,280; + 266,526,720 + 1,041,120 = 1,869,841,120 (< 2 GB).
    expect(estimateJob({ ...ten, dim: 1024 }).bytes).toBe(1_869_841_120);
    expect(browserJobProblem({ ...ten, dim: 1024 })).toBeNull();
    // At 2048: 3,204,546,560 + 266,526,720 + 1,041,120 = 3,472,114,400; pairs 1.7035e10: x 2048 / 1e10 + / 5e7 = 3829.4 s.
    expect(browserJobProblem({ ...ten, dim: 2048 })).toBe('This job is too big for the browser: 130,900 queries x 130,140 candidates at 2048 dimensions: ' +
      'about 3.5 GB of memory and 64 min of scoring (encoding not included), over the notebook\'s limit of 2.0 GB. ' +
      'Load fewer languages or articles in the Dataset cell, or run it with the command line (npm run xling -- eval ...), which has no such limit.');
  });

  it('dataset files: 100 MB a file, 300 MB together', () => {
    const MB = 1e6;
    expect(browserFilesProblem([{ name: 'en.json', size: 100 * MB }, { name: 'de.json', size: 100 * MB }])).toBeNull();
    expect(browserFilesProblem([{ name: 'en.json', size: 100 * MB + 1 }])).toMatch(/^en\.json \(100 MB\) is over/);
    expect(browserFilesProblem([{ name: 'en.json', size: 200 * MB }, { name: 'de.json', size: MB }])).toMatch(
      /^en\.json \(200 MB\) is over the browser's limit of 100 MB per dataset file\. Pick fewer or smaller files .* use the command line/);
    expect(browserFilesProblem([1, 2, 3, 4].map((i) => ({ name: `${i}.json`, size: 80 * MB })))).toMatch(
      /^These files come to 320 MB, over the browser's limit of 300 MB for one dataset\./);
  });
});

describe('the command line\'s estimate before a job', () => {
  const dataset = (queries: number, candidates: number) =>
    ({ name: 'big', queries: { length: queries }, candidates: { length: candidates } }) as unknown as Dataset;

  it('says nothing for XQuAD-R, prints the estimate for ten times it, stops beyond the memory', () => {
    const lines: string[] = [];
    logJobEstimate(dataset(13_090, 13_014), 384, (line) => lines.push(line), 16e9);
    expect(lines).toEqual([]);
    // 10x at 384: 868,420,320 bytes (over 500 MB); 1.7035e10 pairs x 384 / 1e10 + / 5e7 = 1,000.8 s.
    logJobEstimate(dataset(130_900, 130_140), 384, (line) => lines.push(line), 16e9);
    expect(lines).toEqual(['estimate: 130,900 queries x 130,140 candidates at 384 dimensions: about 868 MB of memory and 17 min of scoring (encoding not included)']);
    expect(() => logJobEstimate(dataset(130_900, 130_140), 2048, () => undefined, 2e9)).toThrow(
      /^big is too big for this machine: .* about 3\.5 GB of memory .*, more than its 2\.0 GB of memory\. Evaluate a part of it \(--languages, --articles\)/);
  });
});
