/**
 * The embedding map on full XQuAD-R: how long a UMAP layout of a sample of queries and candidates
 * takes with umap-js's own neighbour search (NN-descent on its random-projection forest) against the
 * path the notebook uses: the exact kNN computed with the project's scoring kernels and handed to
 * umap-js (setPrecomputedKNN), at the notebook's layout epochs and at umap-js's default.
 *
 *   npm run bench:map -- [--sizes 1000,2000] [--runs 3] [--seed 1]
 *
 * The lexical encoder's vectors (2048-d, about 15% non-zero) go through the exact sparse kernel; the
 * same vectors through a random linear head (dense, like a trained run's) through onnxruntime-node's
 * Gemm (the CLI's dense kernel; the notebook uses onnxruntime-web's). Each time is the best of
 * `--runs` (the machine may be shared); prints a markdown table and the load average. What the
 * epochs buy: the share of each point's 15 nearest neighbours (in the space) that are among its 15
 * nearest on the map, and the own-language share of the map's own neighbours.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { UMAP } from 'umap-js';
import { createLexicalEncoder } from '../src/core/encoders/lexical';
import { seededRandom } from '../src/core/linalg/random';
import { sparseMatmul } from '../src/core/linalg/sparse-matmul';
import { umapLayout } from '../src/core/projection/layout';
import { MAP_EPOCHS, MAP_NEIGHBOURS } from '../src/core/projection/map-settings';
import { cosineNeighbours, nearestNeighbours, ownLanguageShare, type Neighbours } from '../src/core/projection/neighbours';
import { chooseMapSample, gatherRows } from '../src/core/projection/sample';
import { applyHead, initHead } from '../src/core/training';
import { ortNodeMatmul } from '../src/node/ort-node-matmul';
import { readDatasetFolder } from '../src/node/read-dataset';

const XQUAD_R = '../shared/data/xquad-r';
/** Each point's nearest on the 2-D map (point i at `[2i, 2i + 1]`): the largest minus squared distance. */
function mapNeighbours(layout: Float32Array, count: number, k: number): Neighbours {
  const scores = new Float32Array(count * count);
  for (let i = 0; i < count; i++)
    for (let j = 0; j < count; j++) scores[i * count + j] = -((layout[2 * i] - layout[2 * j]) ** 2 + (layout[2 * i + 1] - layout[2 * j + 1]) ** 2);
  return nearestNeighbours(scores, count, k);
}

/** The share of each point's neighbours in `space` that are also its neighbours in `map`. */
function keptNeighbours(space: Neighbours, map: Neighbours): number {
  let kept = 0;
  for (let i = 0; i < space.count; i++) {
    const onMap = new Set(map.indices.subarray(i * map.k, (i + 1) * map.k));
    for (const j of space.indices.subarray(i * space.k, (i + 1) * space.k)) if (onMap.has(j)) kept++;
  }
  return kept / (space.count * space.k);
}

/** umap-js's epochs for fewer than 2,500 points. */
const UMAP_JS_EPOCHS = 500;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: '1000,2000' }, runs: { type: 'string', default: '3' }, seed: { type: 'string', default: '1' } },
  });
  const sizes = values.sizes.split(',').map(Number);
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const dataset = await readDatasetFolder(XQUAD_R);
  const encoder = createLexicalEncoder();
  const { dim } = encoder;
  console.log(`XQuAD-R: ${dataset.queries.length} queries, ${dataset.candidates.length} candidates, ${dataset.languages.length} languages; ${os.cpus().length} CPUs, Node ${process.version}`);
  const queries = await encoder.encode(dataset.queries.map((q) => q.text), 'query');
  const candidates = await encoder.encode(dataset.candidates.map((c) => c.text), 'passage');
  const rows: string[] = [];
  const since = (from: number) => (performance.now() - from) / 1000;
  const row = (cells: (string | number)[]) => {
    rows.push(`| ${cells.map((cell) => (typeof cell === 'number' ? cell.toFixed(2) : cell)).join(' | ')} |`);
    console.log(rows.at(-1));
  };
  /** The best of `runs` timings of each named part that `once` reports. */
  async function best(once: () => Promise<Record<string, number>>): Promise<Record<string, number>> {
    const all: Record<string, number>[] = [];
    for (let run = 0; run < runs; run++) all.push(await once());
    return Object.fromEntries(Object.keys(all[0]).map((part) => [part, Math.min(...all.map((timing) => timing[part]))]));
  }

  for (const size of sizes) {
    const sample = chooseMapSample(dataset, size, seed);
    const lexical = gatherRows(sample, queries, candidates, dim);
    const languages = sample.map((point) => point.language);
    const head = initHead('linear', dim, 0, seed);
    const random = seededRandom(seed);
    for (let i = 0; i < head.params.D.length; i++) head.params.D[i] = (random() - 0.5) * 0.05;
    const dense = await applyHead(head, lexical, sample.length);

    // umap-js alone: its initializeFit is the neighbour search and the graph; then the epochs.
    const points = Array.from({ length: sample.length }, (_, i) => Array.from(lexical.subarray(i * dim, (i + 1) * dim)));
    let aloneLayout: number[][] = [];
    const alone = await best(async () => {
      const start = performance.now();
      const umap = new UMAP({ nComponents: 2, nNeighbors: MAP_NEIGHBOURS + 1, random: seededRandom(seed) });
      const epochs = umap.initializeFit(points);
      const search = since(start);
      for (let epoch = 0; epoch < epochs; ) epoch = umap.step();
      aloneLayout = umap.getEmbedding();
      return { search, total: since(start) };
    });
    const exactLexical = await cosineNeighbours(lexical, sample.length, dim, MAP_NEIGHBOURS, { matmul: sparseMatmul });
    const aloneOnMap = mapNeighbours(Float32Array.from(aloneLayout.flat()), sample.length, MAP_NEIGHBOURS);
    row([
      String(sample.length), 'lexical', `umap-js alone (its NN-descent, ${UMAP_JS_EPOCHS} epochs)`, `${alone.search.toFixed(2)} with its graph`, alone.total,
      ownLanguageShare(exactLexical, languages).overall.toFixed(3), keptNeighbours(exactLexical, aloneOnMap).toFixed(3), ownLanguageShare(aloneOnMap, languages).overall.toFixed(3),
    ]);

    for (const [vectors, kind, matmul] of [
      [lexical, 'lexical (sparse kernel)', sparseMatmul],
      [dense, 'lexical + linear head (dense, onnxruntime-node)', ortNodeMatmul()],
    ] as const) {
      const neighbours = await cosineNeighbours(vectors, sample.length, dim, MAP_NEIGHBOURS, { matmul });
      const share = ownLanguageShare(neighbours, languages).overall;
      for (const epochs of [MAP_EPOCHS, UMAP_JS_EPOCHS]) {
        const timing = await best(async () => {
          let start = performance.now();
          const found = await cosineNeighbours(vectors, sample.length, dim, MAP_NEIGHBOURS, { matmul });
          const knn = since(start);
          start = performance.now();
          await umapLayout(found, { seed, epochs });
          return { knn, total: knn + since(start) };
        });
        const onMap = mapNeighbours(await umapLayout(neighbours, { seed, epochs }), sample.length, MAP_NEIGHBOURS);
        const mapShare = ownLanguageShare(onMap, languages).overall;
        row([String(sample.length), kind, `exact kNN here + umap-js (${epochs} epochs)`, timing.knn, timing.total, share.toFixed(3), keptNeighbours(neighbours, onMap).toFixed(3), mapShare.toFixed(3)]);
      }
    }
  }
  console.log(`\nBest of ${runs} runs; load average over the last 1/5/15 minutes at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
  console.log('\n| Points | Vectors | Path | kNN s | Total s | Own-language share@15 | Neighbours kept on the map | Own-language share on the map |');
  console.log('|---:|---|---|---:|---:|---:|---:|---:|');
  for (const line of rows) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
