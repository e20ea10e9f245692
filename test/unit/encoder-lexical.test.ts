import { describe, expect, test } from 'vitest';
import { createLexicalEncoder, normaliseForNgrams } from '../../src/core/encoders/lexical';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const row = (all: Float32Array, i: number, dim: number) => all.subarray(i * dim, (i + 1) * dim);

describe('lexical encoder', () => {
  test('normalises case, width, punctuation and whitespace before taking n-grams', () => {
    expect(normaliseForNgrams('  Hello,   ＷＯＲＬＤ!\n')).toBe(' hello world ');
    expect(normaliseForNgrams('北京是中国的首都。')).toBe(' 北京是中国的首都 ');
  });

  test('rows are L2-normalised, empty text gives a zero row', async () => {
    const encoder = createLexicalEncoder({ dim: 64 });
    const out = await encoder.encode(['The cat sat.', '', 'Le chat'], 'passage');
    expect(out.length).toBe(3 * 64);
    expect(dot(row(out, 0, 64), row(out, 0, 64))).toBeCloseTo(1, 5);
    expect(dot(row(out, 1, 64), row(out, 1, 64))).toBe(0);
    expect(dot(row(out, 2, 64), row(out, 2, 64))).toBeCloseTo(1, 5);
  });

  test('a one-character text has exactly the hand-counted n-grams', async () => {
    // " a " with n = 2..3 has the n-grams " a", "a " and " a ": three distinct features of tf 1,
    // so (barring a collision in 8192 buckets) three entries of magnitude 1/sqrt(3).
    const encoder = createLexicalEncoder({ dim: 8192, minN: 2, maxN: 3 });
    const v = await encoder.encode(['a'], 'query');
    const nonZero = Array.from(v).filter((x) => x !== 0);
    expect(nonZero).toHaveLength(3);
    for (const x of nonZero) expect(Math.abs(x)).toBeCloseTo(1 / Math.sqrt(3), 6);
  });

  test('repeated n-grams are weighted sublinearly (1 + ln tf)', async () => {
    // "aaaa" with n = 2..2: " a" (1), "aa" (3), "a " (1): weights 1, 1 + ln 3, 1.
    const encoder = createLexicalEncoder({ dim: 8192, minN: 2, maxN: 2 });
    const v = Array.from(await encoder.encode(['aaaa'], 'query')).filter((x) => x !== 0).map(Math.abs).sort();
    const big = 1 + Math.log(3);
    const norm = Math.sqrt(1 + 1 + big * big);
    expect(v).toHaveLength(3);
    expect(v[0]).toBeCloseTo(1 / norm, 6);
    expect(v[1]).toBeCloseTo(1 / norm, 6);
    expect(v[2]).toBeCloseTo(big / norm, 6);
  });

  test('deterministic, and similar texts score higher than unrelated ones', async () => {
    const encoder = createLexicalEncoder();
    const texts = ['Where is the capital of France?', 'The capital of France is Paris.', 'Zebras graze on savannas.'];
    const a = await encoder.encode(texts, 'query');
    const b = await createLexicalEncoder().encode(texts, 'query');
    expect(Array.from(a)).toEqual(Array.from(b));
    const d = encoder.dim;
    expect(dot(row(a, 0, d), row(a, 1, d))).toBeGreaterThan(dot(row(a, 0, d), row(a, 2, d)) + 0.2);
  });

  test('rejects impossible settings with a message that says what is allowed', () => {
    expect(() => createLexicalEncoder({ dim: 3 })).toThrow(/dim must be an integer from 16 to 8192/);
    expect(() => createLexicalEncoder({ minN: 4, maxN: 2 })).toThrow(/1 <= minN <= maxN <= 8/);
  });

  test('reports progress and stops when aborted', async () => {
    const encoder = createLexicalEncoder({ dim: 32 });
    const seen: number[] = [];
    await encoder.encode(Array(1200).fill('x'), 'query', { onProgress: (done) => seen.push(done) });
    expect(seen).toEqual([0, 512, 1024, 1200]);
    const controller = new AbortController();
    controller.abort();
    await expect(encoder.encode(['x'], 'query', { signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});
