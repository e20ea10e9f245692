/**
 * The job-size estimate against numbers worked out by hand (core/job-size.ts's model: twice the
 * arrays, which are both embedding matrices, the backend's candidate copy, one block of 512 score
 * rows and 8 bytes of ranker scratch per candidate; 2e10 multiply-adds and 1e8 ranked pairs a
 * second), the browser's limits, and the command line's word before a job.
 */
import { describe, expect, it } from 'vitest';
import { logJobEstimate } from '../../src/cli/job-estimate';
import type { Dataset } from '../../src/core/dataset/types';
import { browserFilesProblem, browserJobProblem, describeEstimate, estimateJob, notebookEvaluation, notebookStreams, streamingPays } from '../../src/core/job-size';

const XQUAD_R = { queries: 13_090, candidates: 13_014 };
const TEN_TIMES = { queries: 130_900, candidates: 130_140 };
const FOUR_TIMES = { queries: 52_360, candidates: 52_056 };

describe('job size', () => {
  it('full XQuAD-R at 384 dimensions: 166 MB and 5 s of scoring', () => {
    // Arrays: (13,090 + 2 x 13,014) x 384 x 4 = 60,085,248; 512 x 13,014 x 4 = 26,652,672; 13,014 x 8 = 104,112;
    // 86,842,032 in all, twice that at the peak.
    const estimate = estimateJob({ ...XQUAD_R, dim: 384 });
    expect(estimate.bytes).toBe(173_684_064);
    // 13,090 x 13,014 = 170,353,260 pairs: x 384 / 2e10 = 3.2708 s, / 1e8 = 1.7035 s.
    expect(estimate.scoreSeconds).toBeCloseTo(4.974315192, 9);
    expect(describeEstimate({ ...XQUAD_R, dim: 384 })).toBe(
      '13,090 queries x 13,014 candidates at 384 dimensions: about 166 MB of memory and 5 s of scoring (encoding not included)');
  });

  it('fewer queries than a block: the block is only as tall as the queries', () => {
    // (3 + 2 x 5) x 2 x 4 = 104; 3 x 5 x 4 = 60; 5 x 8 = 40; twice 204.
    expect(estimateJob({ queries: 3, candidates: 5, dim: 2 }).bytes).toBe(408);
  });

  it('the browser runs ten times XQuAD-R at 384 dimensions, not at 1024', () => {
    // (130,900 + 260,280) x 384 x 4 = 600,852,480; + 512 x 130,140 x 4 = 266,526,720; + 1,041,120: twice is 1,736,840,640 (1.6 GB < 2 GB = 2,147,483,648).
    expect(estimateJob({ ...TEN_TIMES, dim: 384 }).bytes).toBe(1_736_840_640);
    expect(browserJobProblem({ ...TEN_TIMES, dim: 384 })).toBeNull();
    // At 1024: 1,602,273,280 + 266,526,720 + 1,041,120, twice is 3,739,682,240; 17,035,326,000 pairs x 1024 / 2e10 + / 1e8 = 1,042.6 s.
    expect(browserJobProblem({ ...TEN_TIMES, dim: 1024 })).toBe('This job is too big for the browser: 130,900 queries x 130,140 candidates at 1024 dimensions: ' +
      'about 3.5 GB of memory and 18 min of scoring (encoding not included), over the notebook\'s limit of 2.0 GB. ' +
      'Load fewer languages or articles in the Dataset cell, or run it with the command line (npm run xling -- eval ...), which has no such limit.');
  });

  it('streaming holds one block of 16,384 candidates and 256 bytes of counts per query', () => {
    // XQuAD-R fits one block: the arrays above, with 13,090 x 256 = 3,351,040 of counts for the ranker's
    // 104,112: (60,085,248 + 26,652,672 + 3,351,040) x 2.
    expect(estimateJob({ ...XQUAD_R, dim: 384, streaming: true }).bytes).toBe(180_177_920);
    // Ten times at 2048: (130,900 + 130,140 + 16,384) x 2048 x 4 = 2,272,657,408; 512 x 16,384 x 4 = 33,554,432;
    // 130,900 x 256 = 33,510,400; twice the sum, against 6,944,228,800 unstreamed.
    expect(estimateJob({ ...TEN_TIMES, dim: 2048, streaming: true }).bytes).toBe(4_679_444_480);
  });

  it('the command line streams only what whole rows would hold past 2 GB', () => {
    expect(streamingPays({ ...XQUAD_R, dim: 2048 })).toBe(false);
    // Ten times at 384: 1,736,840,640 bytes of whole rows, under 2 GB: whole rows (faster there).
    expect(streamingPays({ ...TEN_TIMES, dim: 384 })).toBe(false);
    expect(streamingPays({ ...TEN_TIMES, dim: 1024 })).toBe(true); // 3.5 GB
  });

  it('the notebook streams by job size only past the limit, or as chosen', () => {
    const XQUAD = { ...XQUAD_R, dim: 2048 };
    expect(notebookStreams('auto', XQUAD)).toBe(false);
    expect(notebookStreams('streaming', XQUAD)).toBe(true);
    // Four times XQuAD-R at 2048: whole rows 2 x ((52,360 + 2 x 52,056) x 2048 x 4 + 512 x 52,056 x 4 + 52,056 x 8) = 2,777,691,520 > 2 GB.
    expect(notebookStreams('auto', { ...FOUR_TIMES, dim: 2048 })).toBe(true);
    expect(notebookStreams('rows', { ...FOUR_TIMES, dim: 2048 })).toBe(false);
  });

  it('four times XQuAD-R at 2048 dimensions streams within the limit; at 4096 even streaming does not fit, and the message says why', () => {
    // Streamed: 2 x ((52,360 + 52,056 + 16,384) x 2048 x 4 + 512 x 16,384 x 4 + 52,360 x 256) = 2,073,104,384 (1.93 GB).
    const fits = notebookEvaluation({ path: 'auto', block: 16_384 }, { ...FOUR_TIMES, dim: 2048 });
    expect(fits.job.streaming).toBe(true);
    expect(estimateJob(fits.job).bytes).toBe(2_073_104_384);
    expect(fits.problem).toBeNull();
    expect(describeEstimate(fits.job)).toBe('52,360 queries x 52,056 candidates at 2048 dimensions, streamed in blocks of 16,384 candidates: ' +
      'about 1.9 GB of memory and 6 min of scoring (encoding not included)');
    // Blocks of 1,024: (52,360 + 52,056 + 1,024) x 2048 x 4 + 512 x 1,024 x 4 + 13,404,160, twice: 1,758,531,584.
    expect(estimateJob(notebookEvaluation({ path: 'streaming', block: 1024 }, { ...FOUR_TIMES, dim: 2048 }).job).bytes).toBe(1_758_531_584);
    // Whole rows chosen by hand: refused, with the streamed size and where to choose it.
    expect(notebookEvaluation({ path: 'rows', block: 16_384 }, { ...FOUR_TIMES, dim: 2048 }).problem).toBe(
      'This job is too big for the browser with whole score rows: 52,360 queries x 52,056 candidates at 2048 dimensions: about 2.6 GB of memory ' +
      "and 6 min of scoring (encoding not included), over the notebook's limit of 2.0 GB. Streamed it needs about 1.9 GB and gives the same numbers: " +
      'choose By job size or Streaming under Ranking in the Evaluate cell.');
    // At 4096 streamed: 2 x ((120,800 x 4096 x 4) + 33,554,432 + 13,404,160) = 4,052,291,584 (3.8 GB); the embeddings alone
    // 2 x 104,416 x 4096 x 4 = 3,421,503,488 (3.2 GB); 2,725,652,160 pairs x 4096 / 2e10 + / 1e8 = 585.5 s, 10 min.
    expect(notebookEvaluation({ path: 'auto', block: 16_384 }, { ...FOUR_TIMES, dim: 4096 }).problem).toBe(
      'This job is too big for the browser even streamed: 52,360 queries x 52,056 candidates at 4096 dimensions, streamed in blocks of 16,384 candidates: ' +
      "about 3.8 GB of memory and 10 min of scoring (encoding not included), over the notebook's limit of 2.0 GB. The query and candidate embeddings, " +
      'kept whole for ranking, count for about 3.2 GB of that at 4096 dimensions. Load fewer languages or articles in the Dataset cell, or run it with ' +
      'the command line (npm run xling -- eval ...), which has no such limit and can split the candidates into shards (docs/scale.md); or choose an encoder of fewer dimensions.');
  });

  it('dataset files: 100 MB a file, 300 MB together (binary megabytes)', () => {
    const MB = 1024 ** 2;
    expect(browserFilesProblem([{ name: 'en.json', size: 100 * MB }, { name: 'de.json', size: 100 * MB }])).toBeNull();
    expect(browserFilesProblem([{ name: 'en.json', size: 100 * MB + 1 }])).toMatch(/^en\.json \(100 MB\) is over/);
    expect(browserFilesProblem([{ name: 'en.json', size: 200 * MB }, { name: 'de.json', size: MB }])).toMatch(
      /^en\.json \(200 MB\) is over the browser's limit of 100 MB per dataset file\. Pick fewer or smaller files .* use the command line/);
    expect(browserFilesProblem([1, 2, 3, 4].map((i) => ({ name: `${i}.json`, size: 80 * MB })))).toMatch(
      /^These files come to 320 MB, over the browser's limit of 300 MB for one dataset\./);
  });
});

describe('the command line\'s estimate before a job', () => {
  const dataset = ({ queries, candidates }: { queries: number; candidates: number }) =>
    ({ name: 'big', queries: { length: queries }, candidates: { length: candidates } }) as unknown as Dataset;

  it('says nothing for XQuAD-R, prints the estimate for ten times it, stops beyond the memory', () => {
    const lines: string[] = [];
    logJobEstimate(dataset(XQUAD_R), 384, (line) => lines.push(line), 16e9);
    expect(lines).toEqual([]);
    // 10x at 384: 1,736,840,640 bytes, 1.6 GB (over 512 MB); 17,035,326,000 pairs x 384 / 2e10 + / 1e8 = 497.4 s.
    logJobEstimate(dataset(TEN_TIMES), 384, (line) => lines.push(line), 16e9);
    expect(lines).toEqual(['estimate: 130,900 queries x 130,140 candidates at 384 dimensions: about 1.6 GB of memory and 9 min of scoring (encoding not included)']);
    // 10x at 2048: 6,944,228,800 bytes.
    expect(() => logJobEstimate(dataset(TEN_TIMES), 2048, () => undefined, 4e9)).toThrow(
      /^big is too big for this machine: .* about 6\.5 GB of memory .*, more than its 3\.7 GB of memory\. Evaluate a part of it \(--languages, --articles\)/);
    // Streamed (eval), 4,679,444,480 bytes fit in 5 GB; a shard holding a tenth of the candidates fits in 4 GB.
    expect(() => logJobEstimate(dataset(TEN_TIMES), 2048, () => undefined, 5e9, { streaming: true })).not.toThrow();
    expect(() => logJobEstimate(dataset(TEN_TIMES), 2048, () => undefined, 4e9, { streaming: true, candidates: 13_014 })).not.toThrow();
  });
});
