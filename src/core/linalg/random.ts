/** Seeded pseudo-random numbers in [0, 1) (mulberry32): reproducible test data and benchmarks. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random unit vectors of length `dim`, row-major (Gaussian directions via Box-Muller). */
export function randomUnitVectors(count: number, dim: number, random: () => number): Float32Array {
  const out = new Float32Array(count * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    let norm = 0;
    for (let t = 0; t < dim; t++) {
      row[t] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      norm += row[t] * row[t];
    }
    const scale = 1 / Math.sqrt(norm);
    for (let t = 0; t < dim; t++) out[i * dim + t] = row[t] * scale;
  }
  return out;
}
