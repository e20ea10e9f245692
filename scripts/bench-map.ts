/**
 * The embedding map on full XQuAD-R: how long a UMAP layout of a sample of queries and candidates
 * takes with umap-js's own neighbour search against the kNN computed with the project's scoring
 * kernels and handed to umap-js (setPrecomputedKNN), the path the notebook uses.
 *
 *   npm run bench:map -- [--sizes 1000,2000] [--own-knn-sizes 1000] [--seed 1]
 *
 * The lexical encoder's vectors (2048-d, about 15% non-zero) go through the exact sparse kernel; the
 * same vectors through a random linear head (dense, like a trained run's) through onnxruntime-node's
 * Gemm, the CLI's dense kernel (the notebook uses onnxruntime-web's). Prints a markdown table.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { UMAP } from 'umap-js';
import { createLexicalEncoder } from '../src/core/encoders/lexical';
import { seededRandom } from '../src/core/linalg/random';
import { sparseMatmul } from '../src/core/linalg/sparse-matmul';
import { umapLayout } from '../src/core/projection/layout';
import { cosineNeighbours, ownLanguageShare } from '../src/core/projection/neighbours';
import { chooseMapSample, gatherRows } from '../src/core/projection/sample';
import { applyHead, initHead } from '../src/core/training';
import { ortNodeMatmul } from '../src/node/ort-node-matmul';
import { readDatasetFolder } from '../src/node/read-dataset';
import { MAP_NEIGHBOURS } from '../src/core/projection/map-settings';

const XQUAD_R = '../shared/data/xquad-r';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,2000' },
      'own-knn-sizes': { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const ownKnnSizes = new Set(values['own-knn-sizes'].split(',').filter(Boolean).map(Number));
  const seed = Number(values.seed);
  const dataset = await readDatasetFolder(XQUAD_R);
  const encoder = createLexicalEncoder();
  const { dim } = encoder;
  console.log(`XQuAD-R: ${dataset.queries.length} queries, ${dataset.candidates.length} candidates, ${dataset.languages.length} languages; ${os.cpus().length} CPUs, Node ${process.version}`);
  const rows: string[] = [];
  const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(2);

  const queries = await encoder.encode(dataset.queries.map((q) => q.text), 'query');
  const candidates = await encoder.encode(dataset.candidates.map((c) => c.text), 'passage');
  for (const size of sizes) {
    const sample = chooseMapSample(dataset, size, seed);
    const lexical = gatherRows(sample, queries, candidates, dim);
    const languages = sample.map((point) => point.language);
    const head = initHead('linear', dim, 0, seed);
    const random = seededRandom(seed);
    for (let i = 0; i < head.params.D.length; i++) head.params.D[i] = (random() - 0.5) * 0.05;
    const dense = await applyHead(head, lexical, sample.length);

    for (const [vectors, kind, matmul] of [
      [lexical, 'lexical (sparse kernel)', sparseMatmul],
      [dense, 'lexical + linear head (dense, onnxruntime-node)', ortNodeMatmul()],
    ] as const) {
      let start = performance.now();
      const neighbours = await cosineNeighbours(vectors, sample.length, dim, MAP_NEIGHBOURS, { matmul });
      const knnSeconds = seconds(start);
      start = performance.now();
      await umapLayout(neighbours, { seed });
      const layoutSeconds = seconds(start);
      const share = ownLanguageShare(neighbours, languages).overall.toFixed(3);
      rows.push(`| ${sample.length} | ${kind} | kNN here + umap-js layout | ${knnSeconds} | ${layoutSeconds} | ${(Number(knnSeconds) + Number(layoutSeconds)).toFixed(2)} | ${share} |`);
      console.log(rows.at(-1));
    }

    if (ownKnnSizes.has(size)) {
      const points = Array.from({ length: sample.length }, (_, i) => Array.from(lexical.subarray(i * dim, (i + 1) * dim)));
      const start = performance.now();
      new UMAP({ nComponents: 2, nNeighbors: MAP_NEIGHBOURS + 1, random: seededRandom(seed) }).fit(points);
      rows.push(`| ${sample.length} | lexical | umap-js alone (its own kNN) | | | ${seconds(start)} | |`);
      console.log(rows.at(-1));
    }
  }
  console.log('\n| Points | Vectors | Path | kNN s | Layout s | Total s | Own-language share |');
  console.log('|---:|---|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
