import { describe, expect, test } from 'vitest';
import { createLexicalEncoder, encodeLexicalRows, normaliseForNgrams, threadedLexicalEncoder, type LexicalThreads } from '../../src/core/encoders/lexical';
import { seededRandom } from '../../src/core/linalg/random';

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

describe('lexical encoder on threads', () => {
  /** Three fake threads that encode with the core's row encoder after a random number of turns, so chunks finish out of order. */
  function fakeThreads(log: number[]): LexicalThreads {
    const random = seededRandom(5);
    return {
      count: 3,
      async encode(thread, { options, texts, row, out }) {
        for (let turns = Math.floor(random() * 4); turns > 0; turns--) await new Promise((resolve) => setTimeout(resolve, 0));
        log.push(thread);
        encodeLexicalRows(texts, options, out.subarray(row * options.dim));
      },
    };
  }

  test('gives the single-threaded vectors bit for bit over several chunks finished out of order, with progress to the end', async () => {
    const texts = Array.from({ length: 1300 }, (_, i) => `question ${i} about ${['Paris', 'Київ', '北京', 'กรุงเทพ'][i % 4]} ${'x'.repeat(i % 7)}`);
    const options = { dim: 64, minN: 2, maxN: 3 };
    const threadsUsed: number[] = [];
    const progress: number[] = [];
    const got = await threadedLexicalEncoder(options, () => fakeThreads(threadsUsed)).encode(texts, 'query', { onProgress: (done) => progress.push(done) });
    const expected = await createLexicalEncoder(options).encode(texts, 'query');
    expect(got.buffer).toBeInstanceOf(ArrayBuffer); // a plain copy, storable and transferable
    expect(Array.from(got)).toEqual(Array.from(expected));
    expect(new Set(threadsUsed).size).toBeGreaterThan(1);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1300);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  test('stops between chunks when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(threadedLexicalEncoder({}, () => fakeThreads([])).encode(['a', 'b'], 'query', { signal: controller.signal })).rejects.toThrow();
  });
});
