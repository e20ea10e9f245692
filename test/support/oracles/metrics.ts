/**
 * The plain, obviously-correct evaluation, straight from design.md's definitions: every score, a
 * full stable sort of every pool for every query, AP / R@k / rank distance / share read off the
 * sorted lists. O(n log n) per query and pool: it checks `rankAndMeasure` in tests and is the
 * baseline of scripts/bench-score.ts. It reads the `Dataset` itself (not a `RetrievalTask`), so it
 * checks `buildRetrievalTask` too; decisions design.md leaves open are those listed in ranking.ts.
 */
import type { Dataset } from '../../../src/core/dataset/types';
import type { ScoreMatmulFactory } from '../../../src/core/linalg/types';
import { datasetFingerprint } from '../../../src/core/stats/fingerprint';
import { MetricAccumulator } from '../../../src/core/metrics/accumulator';
import type { EvalReport } from '../../../src/core/metrics/types';

const BLOCK_ROWS = 256;

export async function referenceRankAndMeasure(
  dataset: Dataset,
  queryEmbeddings: Float32Array,
  candidateEmbeddings: Float32Array,
  dim: number,
  matmul: ScoreMatmulFactory,
): Promise<Omit<EvalReport, 'timings'>> {
  const { languages, queries, candidates } = dataset;
  const allCandidates = candidates.map((_, c) => c);
  const pools = languages.map((lang) => allCandidates.filter((c) => candidates[c].lang === lang));
  const metrics = new MetricAccumulator({
    languages,
    queryIds: queries.map((q) => q.id),
    queryLang: Uint16Array.from(queries, (q) => languages.indexOf(q.lang)),
    datasetFingerprint: datasetFingerprint(dataset),
  });
  const backend = await matmul(candidateEmbeddings, candidates.length, dim);
  try {
    for (let start = 0; start < queries.length; start += BLOCK_ROWS) {
      const rows = Math.min(BLOCK_ROWS, queries.length - start);
      const block = await backend.scores(queryEmbeddings.subarray(start * dim, (start + rows) * dim), rows);
      for (let b = 0; b < rows; b++) {
        const query = queries[start + b];
        const scores = block.subarray(b * candidates.length, (b + 1) * candidates.length);
        const relevant = new Set(dataset.relevance[query.id] ?? []);
        if (relevant.size === 0) continue;
        const x = languages.indexOf(query.lang);

        pools.forEach((pool, y) => {
          const relevantHere = pool.filter((c) => relevant.has(c)).length;
          if (relevantHere === 0) return;
          const ranking = rank(pool, scores);
          metrics.addCell(start + b, x, y, averagePrecision(ranking, relevant, relevantHere), relevant.has(ranking[0]),
            ndcgAt10(ranking, relevant, relevantHere), recallAt100(ranking, relevant, relevantHere));
        });

        const ranking = rank(allCandidates, scores);
        const ranks = ranking.flatMap((c, i) => (relevant.has(c) ? [i + 1] : []));
        const top = ranking.slice(0, 10);
        const firstRelevant = ranking.find((c) => relevant.has(c)) as number;
        metrics.addMultilingual(
          start + b,
          x,
          averagePrecision(ranking, relevant, relevant.size),
          ranks.filter((r) => r <= 10).length / relevant.size,
          relevant.size >= 2 ? Math.max(...ranks) - Math.min(...ranks) : null,
          top.filter((c) => candidates[c].lang === query.lang).length / top.length,
          relevant.size,
          languages.indexOf(candidates[firstRelevant].lang),
          ndcgAt10(ranking, relevant, relevant.size),
          recallAt100(ranking, relevant, relevant.size),
        );
      }
    }
  } finally {
    await backend.dispose();
  }
  return metrics.report();
}

/** The pool sorted by score descending, ties in pool order. */
function rank(pool: number[], scores: Float32Array): number[] {
  return [...pool].sort((a, b) => scores[b] - scores[a] || a - b);
}

/** (1/|R|) * sum over relevant items at rank k of (relevant items in top k) / k. */
function averagePrecision(ranking: number[], relevant: Set<number>, relevantCount: number): number {
  let hits = 0;
  let sum = 0;
  ranking.forEach((c, i) => {
    if (relevant.has(c)) sum += ++hits / (i + 1);
  });
  return sum / relevantCount;
}

/** DCG@10 / ideal DCG@10, binary gains: sum over relevant items at 1-based rank r <= 10 of 1 / log2(r + 1). */
function ndcgAt10(ranking: number[], relevant: Set<number>, relevantCount: number): number {
  let dcg = 0;
  ranking.slice(0, 10).forEach((c, i) => {
    if (relevant.has(c)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(relevantCount, 10); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

/** |relevant in the top 100| / |relevant|. */
function recallAt100(ranking: number[], relevant: Set<number>, relevantCount: number): number {
  return ranking.slice(0, 100).filter((c) => relevant.has(c)).length / relevantCount;
}
