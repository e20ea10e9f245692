/**
 * Scoring + metrics benchmark at full XQuAD-R shape (13,090 queries x 13,014 candidates).
 *
 *   npx tsx scripts/bench-score.ts [--dim 384] [--reference-queries N] [--runs 5] [--seed 1]
 *
 * Uses the real task structure of ../shared/data/xquad-r when it is readable, otherwise a synthetic
 * task of the same shape, with random unit-norm embeddings. Times `rankAndMeasure` on the
 * onnxruntime-node and pure-JS backends against a vectorised NumPy evaluation of the same embeddings
 * (scripts/numpy_eval.py, best of the same number of runs: the real alternative), checks that the fast
 * path and the reference (full sort per query, a correctness oracle, not a speed yardstick) agree on
 * the queries both ran, and prints a markdown table.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Dataset } from '../src/core/dataset/types';
import { jsMatmul } from '../src/core/linalg/js-matmul';
import { randomUnitVectors, seededRandom } from '../src/core/linalg/random';
import type { ScoreMatmulFactory } from '../src/core/linalg/types';
import { buildRetrievalTask, DEFAULT_BLOCK_ROWS, rankAndMeasure } from '../src/core/metrics/ranking';
import { referenceRankAndMeasure } from '../test/support/oracles/metrics';
import type { EvalReport } from '../src/core/metrics/types';
import { ortNodeMatmul } from '../src/node/ort-node-matmul';
import { readDatasetFolder } from '../src/node/read-dataset';
import { numpyEvaluate } from './numpy-reference';

const XQUAD_R = '../shared/data/xquad-r';
const XQUAD_R_POOLS: Record<string, number> = {
  ar: 1222, de: 1276, el: 1234, en: 1180, es: 1215, hi: 1244, ru: 1219, th: 852, tr: 1167, vi: 1209, zh: 1196,
};
const QUESTIONS = 1190;

type Report = Omit<EvalReport, 'timings'>;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dim: { type: 'string', default: '384' },
      'reference-queries': { type: 'string' },
      runs: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
    },
  });
  const startLoad = os.loadavg();
  const dim = Number(values.dim);
  const runs = Number(values.runs);
  const random = seededRandom(Number(values.seed));

  const { dataset, source } = await loadTaskShape();
  const task = timed(() => buildRetrievalTask(dataset));
  const queryEmbeddings = randomUnitVectors(dataset.queries.length, dim, random);
  const candidateEmbeddings = randomUnitVectors(dataset.candidates.length, dim, random);
  const referenceQueries = Math.min(dataset.queries.length, Number(values['reference-queries'] ?? dataset.queries.length));
  console.error(
    `${source}: ${dataset.queries.length} queries x ${dataset.candidates.length} candidates, ${dataset.languages.length} languages, dim ${dim}`,
  );

  const ort = ortNodeMatmul();
  const fast = async (matmul: ScoreMatmulFactory) =>
    timedAsync(() => rankAndMeasure(task.value, queryEmbeddings, candidateEmbeddings, dim, { matmul }));
  const ortRuns = [];
  const gemmRuns = [];
  for (let i = 0; i < runs; i++) {
    ortRuns.push(await fast(ort));
    gemmRuns.push(await timedAsync(() => scoreOnly(ort, queryEmbeddings, candidateEmbeddings, dataset.candidates.length, dim)));
  }
  const gemmBest = Math.min(...gemmRuns.map((r) => r.seconds));
  const ortBest = ortRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  console.error(`onnxruntime-node: ${ortRuns.map((r) => r.seconds.toFixed(2)).join(', ')} s`);
  const js = await fast(jsMatmul);
  console.error(`jsMatmul: ${js.seconds.toFixed(2)} s`);
  const numpyRuns = await numpyEvaluate(task.value, queryEmbeddings, candidateEmbeddings, dim, runs);
  const numpyBest = Math.min(...numpyRuns.map((r) => r.seconds));
  console.error(`NumPy: ${numpyRuns.map((r) => r.seconds.toFixed(2)).join(', ')} s`);

  // The reference on an evenly spread subset (every language represented), scored by the same ORT backend.
  const subset = spreadSubset(dataset, queryEmbeddings, dim, referenceQueries);
  const reference = await timedAsync(() =>
    referenceRankAndMeasure(subset.dataset, subset.queryEmbeddings, candidateEmbeddings, dim, ort),
  );
  console.error(`reference (${referenceQueries} queries): ${reference.seconds.toFixed(2)} s`);
  const fastOnSubset =
    referenceQueries === dataset.queries.length
      ? ortBest.value
      : await rankAndMeasure(buildRetrievalTask(subset.dataset), subset.queryEmbeddings, candidateEmbeddings, dim, { matmul: ort });
  const difference = maxDifference(fastOnSubset, reference.value);
  const jsDifference = maxDifference(js.value, ortBest.value);

  const total = dataset.queries.length;
  const referenceFull = (reference.seconds * total) / referenceQueries;
  const extrapolated = referenceQueries < total;
  const row = (path: string, queries: string, seconds: number, compare = true) =>
    `| ${path} | ${queries} | ${seconds.toFixed(2)} | ${((seconds / total) * 1e6).toFixed(0)} | ${compare ? `${(numpyBest / seconds).toFixed(2)}x` : '—'} |`;
  const lines = [
    `| path | queries run | seconds (all ${total} queries) | µs per query | speed-up vs NumPy |`,
    '| --- | --- | --- | --- | --- |',
    row(`rankAndMeasure, onnxruntime-node (best of ${runs})`, `${total}`, ortBest.seconds),
    row(`(of which: the Gemm blocks alone, best of ${runs})`, `${total}`, gemmBest, false),
    row('rankAndMeasure, jsMatmul (one run)', `${total}`, js.seconds),
    row(`NumPy: float32 GEMM + vectorised ranking (best of ${runs})`, `${total}`, numpyBest),
    row(
      `reference (full sort per query, onnxruntime-node scores; an oracle)${extrapolated ? ', extrapolated' : ''}`,
      extrapolated ? `${referenceQueries} (${reference.seconds.toFixed(2)} s, x ${(total / referenceQueries).toFixed(2)})` : `${total}`,
      referenceFull,
      false,
    ),
  ];
  console.log(`Task: ${source}; ${total} queries x ${dataset.candidates.length} candidates, dim ${dim}, random unit vectors (seed ${values.seed}).`);
  console.log(
    `Machine: ${os.cpus()[0].model}, ${os.availableParallelism()} cores, Node ${process.version}; ` +
      `load average at start ${startLoad.map((l) => l.toFixed(2)).join(' / ')} (other work on the machine inflates timings).`,
  );
  console.log(`buildRetrievalTask: ${task.seconds.toFixed(3)} s (not included below).`);
  console.log(`onnxruntime-node runs: ${ortRuns.map((r) => r.seconds.toFixed(2)).join(' s, ')} s.`);
  console.log(`Gemm-only runs: ${gemmRuns.map((r) => r.seconds.toFixed(2)).join(' s, ')} s.\n`);
  console.log(lines.join('\n'));
  console.log(
    `\nFast path vs reference on the same ${referenceQueries} queries: ${difference === 0 ? 'identical reports' : `max |difference| ${difference}`}.`,
  );
  console.log(`jsMatmul vs onnxruntime-node (full run): max |difference| ${jsDifference} (float32 summation order).`);
  const numpySummary = numpyRuns[0].summary;
  const numpyDifference = Math.max(...(['mono_map', 'cross_map', 'multi_map', 'multi_r10'] as const).map((k) => Math.abs(numpySummary[k] - ortBest.value.summary[k])));
  console.log(`NumPy ${numpyRuns[0].numpy} vs onnxruntime-node summary mAP / R@10: max |difference| ${numpyDifference.toExponential(2)}.`);
  if (difference !== 0) process.exitCode = 1;
}

async function loadTaskShape(): Promise<{ dataset: Dataset; source: string }> {
  if (existsSync(XQUAD_R)) return { dataset: await readDatasetFolder(XQUAD_R), source: `XQuAD-R (${XQUAD_R})` };
  return { dataset: syntheticXquadR(), source: 'synthetic XQuAD-R shape' };
}

/** 11 languages with XQuAD-R's pool sizes, 1190 questions asked in all 11, answer sentences spread over each pool. */
function syntheticXquadR(): Dataset {
  const languages = Object.keys(XQUAD_R_POOLS);
  const candidates = languages.flatMap((lang) =>
    Array.from({ length: XQUAD_R_POOLS[lang] }, (_, i) => ({ id: `${lang}:${i}`, lang, text: '' })),
  );
  const starts = languages.map((lang) => candidates.findIndex((c) => c.lang === lang));
  const relevance: Record<string, number[]> = {};
  for (let q = 0; q < QUESTIONS; q++) {
    relevance[`q${q}`] = languages.map((lang, l) => starts[l] + Math.floor((q * XQUAD_R_POOLS[lang]) / QUESTIONS));
  }
  const queries = languages.flatMap((lang) => Array.from({ length: QUESTIONS }, (_, q) => ({ id: `q${q}`, lang, text: '' })));
  return { name: 'synthetic-xquad-r', languages, queries, candidates, relevance };
}

/** Only the score blocks rankAndMeasure asks for (same block size), without ranking them. */
async function scoreOnly(matmul: ScoreMatmulFactory, queries: Float32Array, candidates: Float32Array, candidateCount: number, dim: number) {
  const backend = await matmul(candidates, candidateCount, dim);
  const queryCount = queries.length / dim;
  for (let start = 0; start < queryCount; start += DEFAULT_BLOCK_ROWS) {
    const rows = Math.min(DEFAULT_BLOCK_ROWS, queryCount - start);
    await backend.scores(queries.subarray(start * dim, (start + rows) * dim), rows);
  }
  await backend.dispose();
}

function spreadSubset(dataset: Dataset, queryEmbeddings: Float32Array, dim: number, count: number) {
  const step = dataset.queries.length / count;
  const rows = Array.from({ length: count }, (_, i) => Math.floor(i * step));
  const embeddings = new Float32Array(count * dim);
  rows.forEach((row, i) => embeddings.set(queryEmbeddings.subarray(row * dim, (row + 1) * dim), i * dim));
  return { dataset: { ...dataset, queries: rows.map((row) => dataset.queries[row]) }, queryEmbeddings: embeddings };
}

/** The largest absolute difference between two reports' numbers (Infinity if their shapes differ). */
function maxDifference(a: Report, b: Report): number {
  const left = numbersOf(a);
  const right = numbersOf(b);
  if (left.length !== right.length) return Infinity;
  return left.reduce((max, x, i) => Math.max(max, x === right[i] ? 0 : Math.abs(x - right[i]) || Infinity), 0);
}

/** The report's numbers; per-query values are left out (they feed the same sums). */
function numbersOf(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value === null) return [NaN];
  return Object.entries(value as object).flatMap(([key, inner]) => (key === 'perQuery' ? [] : numbersOf(inner)));
}

function timed<T>(f: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - start) / 1000 };
}

async function timedAsync<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - start) / 1000 };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
