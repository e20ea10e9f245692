/**
 * The edges of the metrics: the accumulator's means and macro means on hand-made per-query values
 * (empty cells, a query language without queries, rank distance with no |R| >= 2), and the
 * retrieval task's checks of relevance lists and languages, each refused with its message.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset/types';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { MetricAccumulator, type QueryKeys } from '../../src/core/metrics/accumulator';
import { buildRetrievalTask, rankAndMeasure } from '../../src/core/metrics/ranking';

/** The accumulator's view of a query list: query i in language queryLang[i]. */
function keys(languages: string[], queryLang: number[]): QueryKeys {
  return { languages, queryIds: queryLang.map((_, i) => `q${i}`), queryLang: Uint16Array.from(queryLang), datasetFingerprint: 'hand-made' };
}

describe('MetricAccumulator', () => {
  it('means per cell and language; macro means over what has queries only', () => {
    // Queries 0 and 1 in a, query 2 in b.
    const metrics = new MetricAccumulator(keys(['a', 'b', 'c'], [0, 0, 1]));
    metrics.addCell(0, 0, 0, 0.5, true, 0.8, 1);
    metrics.addCell(1, 0, 0, 0.25, false, 0.4, 0.5);
    metrics.addCell(0, 0, 1, 0.25, false, 0.2, 0);
    metrics.addCell(2, 1, 1, 1, true, 1, 1);
    // Query 0's best-ranked answer is in its own language (1 - 1/2), query 1's is not (0 - 1/2).
    metrics.addMultilingual(0, 0, 0.4, 0.5, 3, 0.7, 2, 0, 0.6, 1);
    metrics.addMultilingual(1, 0, 0.2, 1, 5, 0.5, 2, 1, 0.3, 0.5);
    metrics.addMultilingual(2, 1, 0.2, 1, null, 0.1, 1, 1, 0.9, 0);
    const report = metrics.report();
    const empty = { map: 0, r1: 0, n: 0, ndcg10: 0, r100: 0 };
    expect(report.cells).toEqual({
      a: { a: { map: 0.375, r1: 0.5, n: 2, ndcg10: expect.closeTo(0.6, 12), r100: 0.75 }, b: { map: 0.25, r1: 0, n: 1, ndcg10: 0.2, r100: 0 }, c: empty },
      b: { a: empty, b: { map: 1, r1: 1, n: 1, ndcg10: 1, r100: 1 }, c: empty },
      c: { a: empty, b: empty, c: empty },
    });
    expect(report.multilingual.a).toEqual({ map: expect.closeTo(0.3, 12), r10: 0.75, rank_distance: 4, own_share10: expect.closeTo(0.6, 12), n: 2,
      ndcg10: expect.closeTo(0.45, 12), r100: 0.75 });
    expect(report.multilingual.b).toEqual({ map: 0.2, r10: 1, rank_distance: null, own_share10: 0.1, n: 1, ndcg10: 0.9, r100: 0 });
    expect(report.multilingual.c).toEqual({ map: 0, r10: 0, rank_distance: null, own_share10: 0, n: 0, ndcg10: 0, r100: 0 });
    // Mono over the non-empty diagonal cells (a-a, b-b), cross over a-b; multilingual over a and b, not c.
    expect(report.summary.mono_map).toBeCloseTo((0.375 + 1) / 2, 12);
    expect(report.summary.cross_map).toBe(0.25);
    expect(report.summary.multi_map).toBeCloseTo((0.3 + 0.2) / 2, 12);
    expect(report.summary.multi_r10).toBeCloseTo((0.75 + 1) / 2, 12);
    expect(report.summary.own_share10).toBeCloseTo((0.6 + 0.1) / 2, 12);
    expect(report.summary.rank_distance).toBe(4);
    expect(report.summary.own_first_excess).toBe(0);
    expect(report.summary.mono_ndcg10).toBeCloseTo((0.6 + 1) / 2, 12);
    expect(report.summary.mono_r100).toBeCloseTo((0.75 + 1) / 2, 12);
    expect(report.summary.cross_ndcg10).toBe(0.2);
    expect(report.summary.cross_r100).toBe(0);
    expect(report.summary.multi_ndcg10).toBeCloseTo((0.45 + 0.9) / 2, 12);
    expect(report.summary.multi_r100).toBeCloseTo((0.75 + 0) / 2, 12);
    expect(Array.from(report.perQuery.ndcg10 as Float64Array)).toEqual([0.6, 0.3, 0.9]);
    expect(Array.from(report.perQuery.r100 as Float64Array)).toEqual([1, 0.5, 0]);
    expect(report.first_language.a).toEqual({ a: 0.5, b: 0.5, c: 0 });
  });

  it('nothing measured: macro means are NaN, the rank distance null', () => {
    const { summary } = new MetricAccumulator(keys(['a'], [])).report();
    expect(summary).toEqual({ mono_map: NaN, cross_map: NaN, multi_map: NaN, multi_r10: NaN, rank_distance: null, own_share10: NaN, own_first_excess: null,
      mono_ndcg10: NaN, mono_r100: NaN, cross_ndcg10: NaN, cross_r100: NaN, multi_ndcg10: NaN, multi_r100: NaN });
  });
});

describe('buildRetrievalTask and rankAndMeasure refuse what they cannot measure', () => {
  const dataset: Dataset = {
    name: 'edges',
    languages: ['en', 'de'],
    queries: [{ id: 'A', lang: 'en', text: 'a?' }, { id: 'B', lang: 'de', text: 'b?' }],
    candidates: [{ id: 'e0', lang: 'en', text: '' }, { id: 'e1', lang: 'en', text: '' }, { id: 'd0', lang: 'de', text: '' }],
    relevance: { A: [0, 2], B: [1] },
  };

  it('relevance lists must be ascending candidate indices in range', () => {
    expect(buildRetrievalTask(dataset).relevant).toEqual(Int32Array.from([0, 2, 1]));
    const message = 'Relevance of query A must be ascending candidate indices below 3';
    for (const list of [[-1], [3], [0.5], [2, 1], [1, 1], [0, 2, 2]]) {
      expect(() => buildRetrievalTask({ ...dataset, relevance: { A: list } }), JSON.stringify(list)).toThrow(message);
    }
    expect(buildRetrievalTask({ ...dataset, relevance: { A: [2] } }).relevantStart).toEqual(Int32Array.from([0, 1, 1]));
  });

  it('languages: candidates and queries must be in the dataset\'s, pools in its order', () => {
    expect(() => buildRetrievalTask({ ...dataset, candidates: [...dataset.candidates, { id: 'f0', lang: 'fr', text: '' }] }))
      .toThrow("Candidate f0 has language 'fr', which is not among the dataset's languages");
    expect(() => buildRetrievalTask({ ...dataset, queries: [{ id: 'A', lang: 'fr', text: '' }] }))
      .toThrow("Query A has language 'fr', which is not among the dataset's languages");
    expect(() => buildRetrievalTask({ ...dataset, candidates: [dataset.candidates[2], dataset.candidates[0]] }))
      .toThrow('Candidate e0 is out of pool order: candidates must be grouped by language in the dataset\'s language order');
    expect(buildRetrievalTask({ ...dataset, languages: ['en', 'de', 'fr'] }).languageStart).toEqual(Int32Array.from([0, 2, 3, 3]));
  });

  it('embedding sizes must match the task, on either side; an aborted signal stops before scoring', async () => {
    const task = buildRetrievalTask(dataset);
    const message = 'Embedding sizes do not match the task: expected 2 x 2 queries and 3 x 2 candidates';
    await expect(rankAndMeasure(task, new Float32Array(3), new Float32Array(6), 2, { matmul: jsMatmul })).rejects.toThrow(message);
    await expect(rankAndMeasure(task, new Float32Array(4), new Float32Array(5), 2, { matmul: jsMatmul })).rejects.toThrow(message);
    const controller = new AbortController();
    controller.abort();
    await expect(rankAndMeasure(task, new Float32Array(4), new Float32Array(6), 2, { matmul: jsMatmul, signal: controller.signal }))
      .rejects.toMatchObject({ name: 'AbortError', message: 'Ranking was aborted' });
  });
});
