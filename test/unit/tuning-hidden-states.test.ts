/**
 * The runtime-free half of the layer tuner's frozen bottom (src/core/tuning/hidden-states.ts) with a
 * stand-in tokenizer and model whose states say which text and token they belong to: per-text
 * slices in input order across length-grouped batches, prefixes and truncation as the encoder does
 * them, and the padded engine batch made back from the slices.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_TRANSFORMER_SETTINGS, type TokenizerLike } from '../../src/core/encoders/transformer';
import { hiddenStatesOf, layerInputOf } from '../../src/core/tuning/hidden-states';

/** One token per character: <s> = 0, character codes, </s> = 2; padding 1. */
const tokenizer: TokenizerLike = { encode: (text) => [0, ...[...text].map((c) => c.codePointAt(0)!), 2], padTokenId: 1 };
const HIDDEN = 2;
/** State of token t of a row: [its id, 1000 * (row's own first real id) + t], so padding shows as id 1. */
const run = async (ids: BigInt64Array, _mask: BigInt64Array, rows: number, seq: number) => {
  const out = new Float32Array(rows * seq * HIDDEN);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < seq; t++) {
      out[(r * seq + t) * HIDDEN] = Number(ids[r * seq + t]);
      out[(r * seq + t) * HIDDEN + 1] = 1000 * Number(ids[r * seq + 1]) + t;
    }
  }
  return out;
};

describe('hiddenStatesOf', () => {
  test('each text gets its own unpadded tokens, in input order, across length-grouped batches', async () => {
    const settings = { ...DEFAULT_TRANSFORMER_SETTINGS, batchSize: 2, queryPrefix: 'q', maxTokens: 5 };
    // Lengths with prefix and specials 5 (9 truncated: start kept, </s> last), 4, 5, 3: batches
    // [text 3, text 1] (one padded token) and [text 0, text 2].
    const texts = ['abcdef', 'x', 'yz', ''];
    const states = await hiddenStatesOf(texts, 'query', tokenizer, run, HIDDEN, settings);
    const q = 'q'.codePointAt(0)!;
    const ids = (s: string) => [...s].map((c) => c.codePointAt(0)!);
    const expected = [[0, q, ...ids('ab'), 2], [0, q, ...ids('x'), 2], [0, q, ...ids('yz'), 2], [0, q, 2]];
    expect(states.map((s) => s.tokens)).toEqual([5, 4, 5, 3]);
    states.forEach((text, i) => {
      expect(Array.from(text.states.filter((_, j) => j % HIDDEN === 0))).toEqual(expected[i]);
      expect(Array.from(text.states.filter((_, j) => j % HIDDEN === 1))).toEqual(expected[i].map((_, t) => 1000 * q + t));
    });
  });
});

describe('layerInputOf', () => {
  test('pads to the longest text with zeros and marks the tokens in the mask', () => {
    const input = layerInputOf([{ tokens: 1, states: new Float32Array([1, 2]) }, { tokens: 3, states: new Float32Array([3, 4, 5, 6, 7, 8]) }], 2);
    expect({ batch: input.batch, seq: input.seq }).toEqual({ batch: 2, seq: 3 });
    expect(Array.from(input.hidden)).toEqual([1, 2, 0, 0, 0, 0, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(input.mask)).toEqual([1, 0, 0, 1, 1, 1]);
    expect(() => layerInputOf([{ tokens: 2, states: new Float32Array(3) }], 2)).toThrow(/text 0 has 3 values for 2 tokens of 2/);
  });
});
