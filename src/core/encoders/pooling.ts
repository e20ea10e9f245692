/**
 * Runtime-free parts of a neural sentence encoder, shared by Node and the browser: batches grouped
 * by token length (less padding, so less wasted compute) and mean pooling over the attention mask.
 */

export interface BatchPlan {
  /** Text indices per batch; every index appears exactly once. */
  batches: number[][];
  /** Tokens the model sees with these batches (rows x longest row, summed over batches). */
  paddedTokens: number;
  /** Tokens it would see with batches in input order: what grouping by length saves against. */
  paddedTokensInInputOrder: number;
  /** Real (unpadded) tokens. */
  tokens: number;
}

/** Sorts texts by token length (stable, so equal lengths keep input order) and cuts batches of `batchSize`. */
export function planLengthBatches(lengths: readonly number[], batchSize: number): BatchPlan {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}.`);
  const byLength = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const inInputOrder = lengths.map((_, i) => i);
  const batches = cut(byLength, batchSize);
  return {
    batches,
    paddedTokens: paddedTokens(batches, lengths),
    paddedTokensInInputOrder: paddedTokens(cut(inInputOrder, batchSize), lengths),
    tokens: lengths.reduce((sum, n) => sum + n, 0),
  };
}

function cut(indices: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < indices.length; start += size) out.push(indices.slice(start, start + size));
  return out;
}

function paddedTokens(batches: number[][], lengths: readonly number[]): number {
  return batches.reduce((sum, batch) => sum + batch.length * Math.max(0, ...batch.map((i) => lengths[i])), 0);
}

/** How a row of token states becomes one unit vector. */
export type PoolRows = (
  hidden: Float32Array,
  mask: ArrayLike<number | bigint>,
  rows: number,
  seq: number,
  dim: number,
  out: Float32Array,
  targetRows: readonly number[],
) => void;

/**
 * Mean of each row's hidden states over its attended tokens, L2-normalised, written to
 * `out[targetRows[r] * dim ...]`. `hidden` is [rows, seq, dim] row-major; `mask` is [rows, seq].
 * A row with no attended token (cannot happen with a post-processor adding <s> ... </s>) stays zero.
 */
export const meanPoolNormalised: PoolRows = (hidden, mask, rows, seq, dim, out, targetRows) => {
  const sum = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    maskedSum(hidden, mask, r, seq, dim, sum);
    // Dividing by the token count would not change the direction; normalising is enough.
    writeNormalised(sum, 0, dim, out, targetRows[r] * dim);
  }
};

/** `sum` = row r's hidden states summed over its attended tokens (float64). */
export function maskedSum(hidden: Float32Array, mask: ArrayLike<number | bigint>, r: number, seq: number, dim: number, sum: Float64Array): void {
  sum.fill(0, 0, dim);
  for (let t = 0; t < seq; t++) {
    if (Number(mask[r * seq + t]) === 0) continue;
    const base = (r * seq + t) * dim;
    for (let d = 0; d < dim; d++) sum[d] += hidden[base + d];
  }
}

/** The first token's (<s> / [CLS]) hidden state of each row, L2-normalised: CLS pooling. */
export const clsPoolNormalised: PoolRows = (hidden, _mask, rows, seq, dim, out, targetRows) => {
  for (let r = 0; r < rows; r++) writeNormalised(hidden, r * seq * dim, dim, out, targetRows[r] * dim);
};

/** `out[target ...] = v / |v|` for `v = source[start ... start + dim]`; a zero vector stays zero. */
function writeNormalised(source: ArrayLike<number>, start: number, dim: number, out: Float32Array, target: number): void {
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += source[start + d] * source[start + d];
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let d = 0; d < dim; d++) out[target + d] = source[start + d] * scale;
}
