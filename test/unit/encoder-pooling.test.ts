/**
 * The runtime-free half of a transformer encoder (pooling.ts, transformer.ts) on hand-computed cases:
 * mean pooling over the attention mask, CLS pooling of the first token, batches grouped by length,
 * prefixes, and truncation to the model's maximum length (the start and the last token kept). The
 * model is a stand-in whose hidden state of a token is a known function of its id, so every expected
 * embedding is written out from the definition.
 */
import { describe, expect, test } from 'vitest';
import { clsPoolNormalised, meanPoolNormalised, planLengthBatches } from '../../src/core/encoders/pooling';
import { encodeWithModel, type RunModel, type TokenizerLike } from '../../src/core/encoders/transformer';
import { maxRelError } from '../support/numeric';

/** `out` equals the expected rows up to float32 rounding. */
function expectRows(out: Float32Array, rows: number[][]): void {
  expect(out).toHaveLength(rows.flat().length);
  expect(maxRelError(out, rows.flat())).toBeLessThan(1e-6);
}

describe('pooling', () => {
  // Two rows of three tokens, dim 2; row 0 has a padded third token, row 1 a padded second one.
  const hidden = Float32Array.from([
    3, 0, /**/ 0, 4, /**/ 9, 9, // row 0: tokens (3,0) (0,4) [pad (9,9)]
    0, -2, /**/ 5, 5, /**/ 1, 1, // row 1: tokens (0,-2) [pad (5,5)] (1,1)
  ]);
  const mask = [1, 1, 0, 1, 0, 1];

  test('mean: the sum over attended tokens, unit length, written to its target row', () => {
    const out = new Float32Array(3 * 2).fill(7);
    meanPoolNormalised(hidden, mask, 2, 3, 2, out, [2, 0]);
    // Row 0: (3,0)+(0,4) = (3,4) -> (0.6, 0.8). Row 1: (0,-2)+(1,1) = (1,-1) -> (1,-1)/√2.
    expectRows(out, [[Math.SQRT1_2, -Math.SQRT1_2], [7, 7], [0.6, 0.8]]);
  });

  test('mean: a bigint mask is read the same; a row with no attended token stays zero', () => {
    const out = new Float32Array(2 * 2).fill(7);
    meanPoolNormalised(hidden, BigInt64Array.from([0n, 0n, 0n, 1n, 1n, 1n]), 2, 3, 2, out, [0, 1]);
    // Row 1: (0,-2)+(5,5)+(1,1) = (6,4) -> (3,2)/√13.
    expectRows(out, [[0, 0], [3 / Math.sqrt(13), 2 / Math.sqrt(13)]]);
  });

  test('cls: the first token of each row, unit length, mask ignored', () => {
    const out = new Float32Array(2 * 2);
    clsPoolNormalised(hidden, mask, 2, 3, 2, out, [1, 0]);
    expectRows(out, [[0, -1], [1, 0]]);
  });
});

describe('batches grouped by length', () => {
  test('sorted by length, ties in input order, cut into batches; padded token counts both ways', () => {
    const plan = planLengthBatches([5, 2, 9, 2, 5, 1, 7], 3);
    expect(plan.batches).toEqual([[5, 1, 3], [0, 4, 6], [2]]);
    expect(plan.tokens).toBe(31);
    expect(plan.paddedTokens).toBe(3 * 2 + 3 * 7 + 1 * 9);
    expect(plan.paddedTokensInInputOrder).toBe(3 * 9 + 3 * 5 + 1 * 7);
    expect(planLengthBatches([], 4)).toEqual({ batches: [], paddedTokens: 0, paddedTokensInInputOrder: 0, tokens: 0 });
    expect(planLengthBatches([3, 1], 1).batches).toEqual([[1], [0]]);
    expect(() => planLengthBatches([1], 0)).toThrow(/batch size must be a positive integer, got 0/);
    expect(() => planLengthBatches([1], 1.5)).toThrow(/positive integer/);
  });
});

describe('encodeWithModel', () => {
  /** <s> = 0, </s> = 2, <pad> = 1; every character is one token, its char code. */
  const tokenizer: TokenizerLike = { encode: (text) => [0, ...Array.from(text, (c) => c.charCodeAt(0)), 2], padTokenId: 1 };
  /** Hidden state of a token with id t at position p: (t, 1, p); padding positions get (1000, 1000, 1000). */
  function model(calls: Array<{ ids: number[][]; mask: number[][] }>): RunModel {
    return async (inputIds, attentionMask, rows, seq) => {
      const ids = Array.from({ length: rows }, (_, r) => Array.from(inputIds.subarray(r * seq, (r + 1) * seq), Number));
      const mask = Array.from({ length: rows }, (_, r) => Array.from(attentionMask.subarray(r * seq, (r + 1) * seq), Number));
      calls.push({ ids, mask });
      return Float32Array.from(ids.flatMap((row, r) => row.flatMap((t, p) => (mask[r][p] ? [t, 1, p] : [1000, 1000, 1000]))));
    };
  }
  const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));

  test('texts longer than maxTokens keep their first maxTokens - 1 tokens and their last; mean over what is kept', async () => {
    const calls: Array<{ ids: number[][]; mask: number[][] }> = [];
    const settings = { pooling: 'mean' as const, queryPrefix: 'q', passagePrefix: '', batchSize: 2, maxTokens: 4 };
    const out = await encodeWithModel(['abcdef', 'b', 'c'], 'query', tokenizer, model(calls), 3, settings);
    // 'qabcdef' -> <s> q a b c d e f </s> (9 tokens) -> <s> q a </s>; 'qb' -> <s> q b </s> (4, kept whole); 'qc' likewise.
    const q = 113, a = 97, b = 98, c = 99;
    expect(calls.map((call) => call.ids)).toEqual([[[0, q, a, 2], [0, q, b, 2]], [[0, q, c, 2]]]);
    expect(calls.every((call) => call.mask.flat().every((m) => m === 1))).toBe(true);
    const mean = (ids: number[]) => [ids.reduce((s, t) => s + t, 0), ids.length, 0 + 1 + 2 + 3];
    expectRows(out, [unit(mean([0, q, a, 2])), unit(mean([0, q, b, 2])), unit(mean([0, q, c, 2]))]);
  });

  test('padding: shorter rows of a batch get the pad id and mask 0, and pooling ignores them; cls reads position 0', async () => {
    const calls: Array<{ ids: number[][]; mask: number[][] }> = [];
    const settings = { pooling: 'mean' as const, queryPrefix: '', passagePrefix: 'p', batchSize: 4, maxTokens: 16 };
    const out = await encodeWithModel(['xyz', 'x'], 'passage', tokenizer, model(calls), 3, settings);
    const p = 112, x = 120, y = 121, z = 122;
    // Sorted by length: 'px' (4 tokens) first, then 'pxyz' (6).
    expect(calls).toEqual([{ ids: [[0, p, x, 2, 1, 1], [0, p, x, y, z, 2]], mask: [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]] }]);
    expectRows(out, [unit([p + x + y + z + 2, 6, 15]), unit([p + x + 2, 4, 6])]);

    const cls = await encodeWithModel(['xyz', 'x'], 'passage', tokenizer, model([]), 3, { ...settings, pooling: 'cls' });
    // Token 0 is <s> (id 0) at position 0: (0, 1, 0) for every row.
    expectRows(cls, [[0, 1, 0], [0, 1, 0]]);
  });

  test('a model output of the wrong size is an error that says the hidden size', async () => {
    const settings = { pooling: 'mean' as const, queryPrefix: '', passagePrefix: '', batchSize: 4, maxTokens: 8 };
    await expect(encodeWithModel(['a'], 'query', tokenizer, async () => new Float32Array(5), 3, settings))
      .rejects.toThrow('the model returned 5 values for a 1 x 3 batch; expected 9 (hidden size 3).');
  });
});
