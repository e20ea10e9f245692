import type { Dataset } from '../dataset/types';

/**
 * A fingerprint of the data a run measured: the query ids and languages and the candidate keys, in
 * order, hashed (two 32-bit FNV-1a lanes with different offsets; not cryptographic, it only tells
 * different data apart), with the counts in front so that a mismatch is readable:
 * `13090q-10497c-<16 hex>`. Two runs are compared only when their fingerprints are equal.
 */
export function datasetFingerprint(dataset: Pick<Dataset, 'queries' | 'candidates'>): string {
  const hash = new TwoLaneHash();
  for (const query of dataset.queries) hash.add(`q\u0000${query.id}\u0000${query.lang}`);
  for (const candidate of dataset.candidates) hash.add(`c\u0000${candidate.id}\u0000${candidate.lang}`);
  return `${dataset.queries.length}q-${dataset.candidates.length}c-${hash.hex()}`;
}

class TwoLaneHash {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;

  add(text: string): void {
    let { a, b } = this;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      a = Math.imul(a ^ code, 0x01000193);
      b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 15);
    }
    // A separator between strings, so that ("ab", "c") and ("a", "bc") differ.
    this.a = Math.imul(a ^ 0xff, 0x01000193);
    this.b = Math.imul(b ^ 0xff, 0x01000193);
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}
