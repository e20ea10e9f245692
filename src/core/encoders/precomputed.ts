/**
 * Embeddings computed elsewhere (a GPU server, an API, PyTorch), in the CLI's export format:
 * `queries.npy` and `candidates.npy` (rows x dimensions) with `queries.jsonl` (`{"id", "lang"}` a row)
 * and `candidates.jsonl` (`{"lang", "article", "paragraph", "sentence"}` a row for LAReQA datasets,
 * `{"lang", "id"}` for JSONL ones). Rows are matched to a dataset by these keys, not by position:
 * every query and candidate of the dataset must have a row; rows the dataset does not use are
 * allowed (vectors of a whole dataset serve any subset of it) and reported as a note.
 * File reading lives in src/node/embedding-files.ts (CLI) and workers/lab/embedding-files.ts (browser).
 */
import { IssueLog, MAX_ISSUES } from '../dataset/issues';
import { readLines } from '../dataset/jsonl';
import { DatasetError, type Candidate, type Dataset, type DatasetIssue, type Query } from '../dataset/types';
import { decodeNpyFloat32, NPY_PREFIX_BYTES, npyHeaderEnd, NpyError, readNpyHeader, type NpyMatrixHeader } from '../npy';
import type { SentenceEncoder, TextRole } from './types';

export const EMBEDDING_FILES = {
  queryVectors: 'queries.npy',
  candidateVectors: 'candidates.npy',
  queryRows: 'queries.jsonl',
  candidateRows: 'candidates.jsonl',
} as const;

/** Rows whose L2 norm is further than this from 1 are normalised on load; the others are kept bit for bit. */
export const UNIT_NORM_TOLERANCE = 1e-4;

/** Problems with embedding files: the file, the place (a line) and what is wrong, like a dataset's. */
export class EmbeddingFilesError extends DatasetError {
  constructor(issues: DatasetIssue[]) {
    super(issues);
    this.name = 'EmbeddingFilesError';
  }
}

export type QueryRow = { id: string; lang: string };
export type CandidateRow = { lang: string; article: number; paragraph: number; sentence: number } | { lang: string; id: string };

/** The row the export writes for a query: its key in the files. */
export function queryRow(query: Query): QueryRow {
  return { id: query.id, lang: query.lang };
}

/** The row the export writes for a candidate: its LAReQA position, or its id for JSONL datasets. */
export function candidateRow(candidate: Candidate): CandidateRow {
  const { lang, position } = candidate;
  return position ? { lang, article: position.article, paragraph: position.paragraph, sentence: position.sentence } : { lang, id: candidate.id };
}

/** Rows are built with their fields in one order, so their JSON is their key (and readable in messages). */
const keyOf = (row: QueryRow | CandidateRow) => JSON.stringify(row);

/** One side (queries or candidates) of a set of embedding files: a key and a unit vector per row. */
export interface EmbeddingRows {
  keys: string[];
  vectors: Float32Array;
}

export interface EmbeddingTable {
  /** Where the files came from, e.g. the folder's name: names the encoder (`npy:<name>`). */
  name: string;
  dim: number;
  queries: EmbeddingRows;
  candidates: EmbeddingRows;
  /** Things worth saying that are not errors: rows normalised on load, all-zero rows. */
  notes: string[];
}

/**
 * The tables of several shard folders (`xling encode --shard I/N`, or rows computed elsewhere in
 * parts) as one, named `name`: rows are matched by key later, so their order does not matter. A
 * dimension that differs, or a row in two folders (a shard given twice), is an error naming them.
 */
export function joinEmbeddingTables(name: string, parts: { folder: string; table: EmbeddingTable }[]): EmbeddingTable {
  const [first] = parts;
  const issues: DatasetIssue[] = [];
  const seen = new Map<string, string>();
  for (const { folder, table } of parts) {
    if (table.dim !== first.table.dim) issues.push({ file: folder, place: '', message: `${table.dim} dimensions, but ${first.folder} has ${first.table.dim}: the shards come from different encoders` });
    for (const key of [...table.queries.keys.map((k) => `q${k}`), ...table.candidates.keys.map((k) => `c${k}`)]) {
      const earlier = seen.get(key);
      if (earlier !== undefined && issues.length < 5) issues.push({ file: folder, place: '', message: `row ${key.slice(1)} is also in ${earlier}: give each shard folder once` });
      seen.set(key, folder);
    }
  }
  if (issues.length > 0) throw new EmbeddingFilesError(issues);
  const join = (side: 'queries' | 'candidates'): EmbeddingRows => {
    const vectors = new Float32Array(parts.reduce((n, p) => n + p.table[side].vectors.length, 0));
    let at = 0;
    for (const { table } of parts) {
      vectors.set(table[side].vectors, at);
      at += table[side].vectors.length;
    }
    return { keys: parts.flatMap((p) => p.table[side].keys), vectors };
  };
  return { name, dim: first.table.dim, queries: join('queries'), candidates: join('candidates'), notes: [...new Set(parts.flatMap((p) => p.table.notes))] };
}

/** The four files' contents: the .npy files as bytes, the row files as text. */
export interface EmbeddingFileContents {
  queryVectors: Uint8Array;
  candidateVectors: Uint8Array;
  queryRows: string;
  candidateRows: string;
}

/**
 * Checks a .npy file's header before its data is read: a float32 or float16 matrix within
 * MAX_NPY_VALUES whose size matches the file (`fileBytes`). `readStart(n)` reads the file's first
 * n bytes (a Node file handle, a browser Blob slice). Throws EmbeddingFilesError naming the file.
 */
export async function checkVectorFile(file: string, fileBytes: number, readStart: (bytes: number) => Promise<Uint8Array>): Promise<NpyMatrixHeader> {
  try {
    const prefix = await readStart(Math.min(fileBytes, NPY_PREFIX_BYTES));
    const headerEnd = npyHeaderEnd(prefix);
    return readNpyHeader(headerEnd <= prefix.length ? prefix : await readStart(Math.min(headerEnd, fileBytes)), fileBytes);
  } catch (error) {
    throw fileIssue(file, error);
  }
}

/** An NpyError as an EmbeddingFilesError naming the file; other errors as they are. */
function fileIssue(file: string, error: unknown): unknown {
  return error instanceof NpyError ? new EmbeddingFilesError([{ file, place: '', message: error.message }]) : error;
}

/** Reads and checks the four files: shapes, row counts, dimensions, keys, finite values; normalises rows to unit length. */
export function readEmbeddingTable(name: string, contents: EmbeddingFileContents): EmbeddingTable {
  const log = new IssueLog();
  const queryMatrix = decodeOrLog(EMBEDDING_FILES.queryVectors, contents.queryVectors, log);
  const candidateMatrix = decodeOrLog(EMBEDDING_FILES.candidateVectors, contents.candidateVectors, log);
  const queryKeys = readKeys(EMBEDDING_FILES.queryRows, contents.queryRows, parseQueryRow, 'query', log);
  const candidateKeys = readKeys(EMBEDDING_FILES.candidateRows, contents.candidateRows, parseCandidateRow, 'candidate', log);
  throwIfErrors(log);
  const [queries, candidates] = [queryMatrix!, candidateMatrix!];
  if (queries.cols !== candidates.cols) {
    log.error(EMBEDDING_FILES.candidateVectors, '', `${candidates.cols} dimensions, but ${EMBEDDING_FILES.queryVectors} has ${queries.cols}: ` +
      'queries and candidates must come from the same encoder (the same model and output dimension).');
  }
  for (const [file, matrix, rows, rowFile] of [
    [EMBEDDING_FILES.queryVectors, queries, queryKeys, EMBEDDING_FILES.queryRows],
    [EMBEDDING_FILES.candidateVectors, candidates, candidateKeys, EMBEDDING_FILES.candidateRows],
  ] as const) {
    if (matrix.rows !== rows.length) {
      log.error(file, '', `${matrix.rows.toLocaleString('en')} rows, but ${rowFile} names ${rows.length.toLocaleString('en')}: ` +
        `row i of ${file} is the vector of line i of ${rowFile}, so they must have as many.`);
    }
  }
  throwIfErrors(log);
  const notes: string[] = [];
  normalizeRows(EMBEDDING_FILES.queryVectors, EMBEDDING_FILES.queryRows, queries.data, queries.cols, log, notes);
  normalizeRows(EMBEDDING_FILES.candidateVectors, EMBEDDING_FILES.candidateRows, candidates.data, candidates.cols, log, notes);
  throwIfErrors(log);
  return {
    name,
    dim: queries.cols,
    queries: { keys: queryKeys, vectors: queries.data },
    candidates: { keys: candidateKeys, vectors: candidates.data },
    notes,
  };
}

function throwIfErrors(log: IssueLog): void {
  if (log.errors.length > 0) throw new EmbeddingFilesError(log.errors);
}

function decodeOrLog(file: string, bytes: Uint8Array, log: IssueLog): ReturnType<typeof decodeNpyFloat32> | null {
  try {
    return decodeNpyFloat32(bytes);
  } catch (error) {
    if (!(error instanceof NpyError)) throw error;
    log.error(file, '', error.message);
    return null;
  }
}

type RowParser<Row> = (value: Record<string, unknown>) => Row | string;

const isId = (value: unknown): value is string | number => (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value));
const isLang = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isIndex = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

const parseQueryRow: RowParser<QueryRow> = (value) =>
  isId(value.id) && isLang(value.lang) ? { id: String(value.id), lang: value.lang } : 'needs "id" (a string or a number) and "lang" (e.g. "en"), as the export writes them';

const parseCandidateRow: RowParser<CandidateRow> = (value) => {
  const { lang, article, paragraph, sentence, id } = value;
  if (isLang(lang) && isIndex(article) && isIndex(paragraph) && isIndex(sentence)) return { lang, article, paragraph, sentence };
  if (isLang(lang) && isId(id) && article === undefined) return { lang, id: String(id) };
  return 'needs "lang" with "article", "paragraph" and "sentence" (0-based integers; LAReQA datasets) or "lang" with "id" (JSONL datasets), as the export writes them';
};

/** The keys of a row file, in row order; a row twice is an error (which vector would it be?). */
function readKeys<Row extends QueryRow | CandidateRow>(file: string, text: string, parse: RowParser<Row>, what: string, log: IssueLog): string[] {
  const keys: string[] = [];
  const firstLine = new Map<string, number>();
  for (const { number, value } of readLines({ name: file, text }, log)) {
    const row = parse(value);
    if (typeof row === 'string') {
      log.error(file, `line ${number}`, row);
      continue;
    }
    const key = keyOf(row);
    const first = firstLine.get(key);
    if (first !== undefined) log.error(file, `line ${number}`, `duplicate row: ${what} ${key} is already on line ${first}; each row must name a different ${what}.`);
    else firstLine.set(key, number);
    keys.push(key);
  }
  return keys;
}

/** Score = cosine (design.md): rows not of unit length are divided by their norm; all-zero rows stay zero. */
function normalizeRows(file: string, rowFile: string, data: Float32Array, dim: number, log: IssueLog, notes: string[]): void {
  let normalized = 0;
  let zero = 0;
  for (let row = 0, offset = 0; offset < data.length; row++, offset += dim) {
    let sum = 0;
    for (let j = offset; j < offset + dim; j++) sum += data[j] * data[j];
    if (!Number.isFinite(sum)) {
      log.error(file, `row ${row}`, `NaN or infinite values (the vector of ${rowFile} line ${row + 1}): fix or drop that row where the vectors are computed.`);
    } else if (sum === 0) {
      zero++;
    } else if (Math.abs(Math.sqrt(sum) - 1) > UNIT_NORM_TOLERANCE) {
      const norm = Math.sqrt(sum);
      for (let j = offset; j < offset + dim; j++) data[j] /= norm;
      normalized++;
    }
  }
  if (normalized > 0) notes.push(`${file}: ${normalized.toLocaleString('en')} of ${(data.length / dim).toLocaleString('en')} rows were not of unit length and were L2-normalised (scores are cosines).`);
  if (zero > 0) notes.push(`${file}: ${zero.toLocaleString('en')} ${zero === 1 ? 'row is' : 'rows are'} all zeros, scoring 0 against everything.`);
}

/** Where each dataset row's vector is in the files, and what does not fit. */
export interface EmbeddingMatch {
  /** Per dataset query (candidate), its row in the files; -1 when the files have none. */
  queryRows: Int32Array;
  candidateRows: Int32Array;
  /** Dataset rows without a vector: a summary issue per file, then rows (capped at MAX_ISSUES). */
  missing: DatasetIssue[];
  missingCount: number;
  /** Rows the dataset does not use, and the table's notes. */
  notes: string[];
}

export function matchEmbeddings(table: EmbeddingTable, dataset: Dataset): EmbeddingMatch {
  const sides = [
    { file: EMBEDDING_FILES.queryRows, what: 'queries', rows: table.queries, wanted: dataset.queries.map((q) => keyOf(queryRow(q))) },
    { file: EMBEDDING_FILES.candidateRows, what: 'candidates', rows: table.candidates, wanted: dataset.candidates.map((c) => keyOf(candidateRow(c))) },
  ];
  const missing: DatasetIssue[] = [];
  const listed: DatasetIssue[] = [];
  const notes: string[] = [];
  let missingCount = 0;
  const [queryRows, candidateRows] = sides.map(({ file, what, rows, wanted }) => {
    const rowOf = new Map(rows.keys.map((key, i) => [key, i]));
    const found = new Int32Array(wanted.length);
    const used = new Uint8Array(rows.keys.length);
    const absent: string[] = [];
    wanted.forEach((key, i) => {
      const row = rowOf.get(key);
      found[i] = row ?? -1;
      if (row === undefined) absent.push(key);
      else used[row] = 1;
    });
    if (absent.length > 0) {
      missingCount += absent.length;
      missing.push({ file, place: '', message: `${absent.length.toLocaleString('en')} of the loaded dataset's ${wanted.length.toLocaleString('en')} ${what} have no row here ` +
        `(first: ${absent[0]}). Every query and candidate of the dataset needs a vector: export them all, or load the dataset subset the vectors were computed for.` });
      listed.push(...absent.map((key) => ({ file, place: '', message: `no row for ${key}` })));
    }
    const unused = rows.keys.filter((_, i) => !used[i]);
    if (unused.length > 0) {
      const byLanguage = new Map<string, number>();
      for (const key of unused) {
        const { lang } = JSON.parse(key) as { lang: string };
        byLanguage.set(lang, (byLanguage.get(lang) ?? 0) + 1);
      }
      const counts = [...byLanguage].map(([lang, n]) => `${lang} ${n.toLocaleString('en')}`).join(', ');
      notes.push(`${file}: ${unused.length.toLocaleString('en')} of ${rows.keys.length.toLocaleString('en')} rows are not in the loaded dataset (${counts}; e.g. ${unused[0]}) ` +
        'and are not used; fine when the dataset is loaded as a subset of the one the vectors were computed for.');
    }
    return found;
  });
  const room = MAX_ISSUES - missing.length;
  if (listed.length > room) {
    missing.push(...listed.slice(0, room - 1), { file: '(files)', place: '', message: `…and ${(listed.length - room + 1).toLocaleString('en')} more rows missing` });
  } else {
    missing.push(...listed);
  }
  return { queryRows, candidateRows, missing, missingCount, notes: [...notes, ...table.notes] };
}

/** The dataset's vectors in its own row order; throws EmbeddingFilesError when any row is missing. */
export function vectorsFor(table: EmbeddingTable, dataset: Dataset): { queries: Float32Array; candidates: Float32Array; notes: string[] } {
  const match = matchEmbeddings(table, dataset);
  if (match.missing.length > 0) throw new EmbeddingFilesError(match.missing);
  const gather = (rows: EmbeddingRows, order: Int32Array) => {
    const out = new Float32Array(order.length * table.dim);
    order.forEach((row, i) => out.set(rows.vectors.subarray(row * table.dim, (row + 1) * table.dim), i * table.dim));
    return out;
  };
  return { queries: gather(table.queries, match.queryRows), candidates: gather(table.candidates, match.candidateRows), notes: match.notes };
}

/**
 * A SentenceEncoder over the files, for these datasets (matched now, so a missing row is reported
 * before any work): `encode` recognises which dataset's queries or candidates it is given, by their
 * texts (candidates in either candidate-text mode: the sentence comes first), and returns their
 * vectors. The vectors are whatever was computed elsewhere: the candidate-text setting and prefixes
 * do not apply.
 */
export function precomputedEncoder(table: EmbeddingTable, datasets: Dataset[]): { encoder: SentenceEncoder; notes: string[] } {
  const matched = datasets.map((dataset) => ({ dataset, ...vectorsFor(table, dataset) }));
  const id = `npy:${table.name}`;
  const encoder: SentenceEncoder = {
    id,
    dim: table.dim,
    async encode(texts, role, { onProgress } = {}) {
      const bound = matched.find(({ dataset }) => textsAre(dataset, texts, role));
      if (!bound) {
        throw new Error(`${id} holds the vectors of ${datasets.map((d) => d.name).join(', ')}; ` +
          `the ${texts.length} texts asked for are not that dataset's ${role === 'query' ? 'queries' : 'candidates'}.`);
      }
      onProgress?.(texts.length, texts.length);
      return (role === 'query' ? bound.queries : bound.candidates).slice();
    },
  };
  return { encoder, notes: [...new Set(matched.flatMap((m) => m.notes))] };
}

function textsAre(dataset: Dataset, texts: string[], role: TextRole): boolean {
  if (role === 'query') return texts.length === dataset.queries.length && texts.every((text, i) => text === dataset.queries[i].text);
  return texts.length === dataset.candidates.length && texts.every((text, i) => text.startsWith(dataset.candidates[i].text));
}
