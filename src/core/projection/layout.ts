/**
 * The map's 2-D layout: UMAP (umap-js) on a kNN graph computed here (neighbours.ts) rather than by
 * umap-js's own search, which on high-dimensional vectors costs tens of seconds for a thousand points
 * (docs/benchmarks.md, "The embedding map"). Seeded, so one sample and seed always give one picture.
 */
import { UMAP } from 'umap-js';
import { seededRandom } from '../linalg/random';
import { nextTurn } from '../scheduling';
import { MAP_EPOCHS } from './map-settings';
import type { Neighbours } from './neighbours';

/** Epochs between progress reports and cancel checks. */
const EPOCHS_PER_REPORT = 20;

/** Point i at `[2i, 2i + 1]`. */
export async function umapLayout(
  neighbours: Neighbours,
  options: { seed: number; epochs?: number; onProgress?: (epoch: number, epochs: number) => void; signal?: AbortSignal },
): Promise<Float32Array> {
  const { count, k, indices, similarities } = neighbours;
  const umap = new UMAP({ nComponents: 2, nNeighbors: k + 1, nEpochs: options.epochs ?? MAP_EPOCHS, random: seededRandom(options.seed) });
  // UMAP's kNN lists start with the point itself at distance 0, as its own search returns them.
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  for (let i = 0; i < count; i++) {
    knnIndices.push([i, ...indices.subarray(i * k, (i + 1) * k)]);
    knnDistances.push([0, ...Array.from(similarities.subarray(i * k, (i + 1) * k), (s) => Math.max(0, 1 - s))]);
  }
  umap.setPrecomputedKNN(knnIndices, knnDistances);
  // With the kNN given, umap-js reads only the number of rows of its input.
  const epochs = umap.initializeFit(Array.from({ length: count }, () => []));
  for (let epoch = 0; epoch < epochs; ) {
    options.signal?.throwIfAborted();
    for (const end = Math.min(epochs, epoch + EPOCHS_PER_REPORT); epoch < end; ) epoch = umap.step();
    options.onProgress?.(epoch, epochs);
    await nextTurn();
  }
  return Float32Array.from(umap.getEmbedding().flat());
}
