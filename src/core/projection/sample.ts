/**
 * Which rows of a dataset the embedding map shows: a sample of queries and candidates, the same
 * number from every language (so no language crowds the picture, and a language-blind space gives
 * every language the same neighbour share), half queries and half candidates where a language has
 * enough of each. Deterministic by seed: the same seed always picks the same rows.
 */
import { seededRandom } from '../linalg/random';
import { shuffledIndices } from '../training/split';

export type MapRowKind = 'query' | 'candidate';

/** A sampled point: a query or candidate row of the dataset (or part) it was sampled from, and its language. */
export interface MapRow {
  kind: MapRowKind;
  row: number;
  language: string;
}

export interface MapSource {
  /** The language order: the order of the sample, and of the colours. */
  languages: readonly string[];
  queries: readonly { lang: string }[];
  candidates: readonly { lang: string }[];
}

/**
 * About `size` points: an equal share per language (the remainder to the first languages), split
 * between its queries (the larger half) and candidates; a language short of one kind fills up with the
 * other. Rows come in language order, queries before candidates, ascending within each.
 */
export function chooseMapSample(source: MapSource, size: number, seed: number): MapRow[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Map sample size must be a positive integer, got ${size}`);
  const random = seededRandom(seed ^ 0x6d61);
  const rowsOf = (items: readonly { lang: string }[], language: string) =>
    items.flatMap((item, row) => (item.lang === language ? [row] : []));
  const { languages } = source;
  const sample: MapRow[] = [];
  languages.forEach((language, index) => {
    const quota = Math.floor(size / languages.length) + (index < size % languages.length ? 1 : 0);
    const queries = rowsOf(source.queries, language);
    const candidates = rowsOf(source.candidates, language);
    const queryCount = Math.min(queries.length, Math.max(Math.ceil(quota / 2), quota - candidates.length));
    const candidateCount = Math.min(candidates.length, quota - queryCount);
    const pick = (rows: number[], count: number) =>
      shuffledIndices(rows.length, random).slice(0, count).map((i) => rows[i]).sort((a, b) => a - b);
    sample.push(...pick(queries, queryCount).map((row) => ({ kind: 'query' as const, row, language })));
    sample.push(...pick(candidates, candidateCount).map((row) => ({ kind: 'candidate' as const, row, language })));
  });
  return sample;
}

/** The sampled rows' vectors, one after another (`sample.length x dim`), from the query and candidate matrices. */
export function gatherRows(sample: readonly MapRow[], queries: Float32Array, candidates: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(sample.length * dim);
  sample.forEach(({ kind, row }, i) => {
    const matrix = kind === 'query' ? queries : candidates;
    out.set(matrix.subarray(row * dim, (row + 1) * dim), i * dim);
  });
  return out;
}
