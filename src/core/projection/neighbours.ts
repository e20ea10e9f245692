/**
 * Nearest neighbours of the map's points by cosine similarity, computed with the project's scoring
 * kernels (the vectors are L2-normalised, so a dot product is the cosine), and the one number that
 * says what the map shows: the share of each point's nearest neighbours in its own language.
 */
import type { ScoreMatmulFactory } from '../linalg/types';
import { nextTurn } from '../scheduling';

/** Each point's `k` nearest other points, most similar first (ties: the lower index first). */
export interface Neighbours {
  count: number;
  k: number;
  /** Row i's neighbours at `i * k .. (i + 1) * k`. */
  indices: Int32Array;
  /** Their cosine similarities, in the same places. */
  similarities: Float32Array;
}

/** Score rows per block: bounds the scratch scores and paces the progress reports. */
const BLOCK_ROWS = 256;

/** The `k` nearest neighbours of every point of a full `count x count` similarity matrix (a point is never its own neighbour). */
export function nearestNeighbours(scores: Float32Array, count: number, k: number): Neighbours {
  const neighbours = emptyNeighbours(count, k);
  neighboursOfBlock(scores, 0, count, neighbours);
  return neighbours;
}

/**
 * The same from the vectors (`count x dim`, L2-normalised): similarities through `matmul` (the exact
 * sparse kernel or a dense one) a block of rows at a time, so the full matrix is never held.
 */
export async function cosineNeighbours(
  vectors: Float32Array,
  count: number,
  dim: number,
  k: number,
  options: { matmul: ScoreMatmulFactory; onProgress?: (done: number, total: number) => void; signal?: AbortSignal },
): Promise<Neighbours> {
  const neighbours = emptyNeighbours(count, k);
  const product = await options.matmul(vectors, count, dim);
  try {
    for (let first = 0; first < count; first += BLOCK_ROWS) {
      options.signal?.throwIfAborted();
      const rows = Math.min(BLOCK_ROWS, count - first);
      const scores = await product.scores(vectors.subarray(first * dim, (first + rows) * dim), rows);
      neighboursOfBlock(scores, first, rows, neighbours);
      options.onProgress?.(first + rows, count);
      await nextTurn();
    }
  } finally {
    await product.dispose();
  }
  return neighbours;
}

function emptyNeighbours(count: number, k: number): Neighbours {
  if (!Number.isInteger(k) || k < 1 || k >= count) throw new RangeError(`Neighbours: k must be from 1 to ${count - 1} for ${count} points, got ${k}`);
  return { count, k, indices: new Int32Array(count * k), similarities: new Float32Array(count * k) };
}

/** Rows `first .. first + rows` of the similarity matrix (row-major, `rows x count`) into `into`, by insertion into a sorted top k. */
function neighboursOfBlock(scores: Float32Array, first: number, rows: number, into: Neighbours): void {
  const { count, k, indices, similarities } = into;
  const topIndex = new Int32Array(k);
  const topScore = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    const self = first + r;
    let filled = 0;
    for (let j = 0; j < count; j++) {
      if (j === self) continue;
      const s = scores[r * count + j];
      // Strictly greater: an equal score never passes one already kept, which has the lower index.
      if (filled === k && !(s > topScore[k - 1])) continue;
      let place = filled < k ? filled++ : k - 1;
      while (place > 0 && s > topScore[place - 1]) {
        topScore[place] = topScore[place - 1];
        topIndex[place] = topIndex[place - 1];
        place--;
      }
      topScore[place] = s;
      topIndex[place] = j;
    }
    indices.set(topIndex, self * k);
    similarities.set(topScore, self * k);
  }
}

/** Own-language share of the nearest neighbours: over all points, per language, and what a language-blind space would give. */
export interface OwnLanguageShare {
  /** The mean over points of (neighbours in the point's language) / k. */
  overall: number;
  /** The same mean over the points of each language. */
  byLanguage: Record<string, number>;
  /** The expected share if neighbours ignored language: the mean over points of (same-language points − 1) / (points − 1). */
  languageBlind: number;
}

/** `languages[i]` is point i's language. */
export function ownLanguageShare(neighbours: Neighbours, languages: readonly string[]): OwnLanguageShare {
  const { count, k, indices } = neighbours;
  if (languages.length !== count) throw new RangeError(`Own-language share: ${languages.length} languages for ${count} points`);
  const sizes = new Map<string, number>();
  for (const language of languages) sizes.set(language, (sizes.get(language) ?? 0) + 1);
  const sums = new Map<string, number>();
  let total = 0;
  let blind = 0;
  for (let i = 0; i < count; i++) {
    let own = 0;
    for (let t = i * k; t < (i + 1) * k; t++) if (languages[indices[t]] === languages[i]) own++;
    sums.set(languages[i], (sums.get(languages[i]) ?? 0) + own / k);
    total += own / k;
    blind += (sizes.get(languages[i])! - 1) / (count - 1);
  }
  const byLanguage = Object.fromEntries([...sums].map(([language, sum]) => [language, sum / sizes.get(language)!]));
  return { overall: total / count, byLanguage, languageBlind: blind / count };
}
