/**
 * The embedding exchange format on disk (design.md, `--export`; docs/formats.md, "Embeddings from
 * elsewhere"): written by `xling eval --export`, read by `--encoder npy:<folder>`. Each .npy header
 * is checked (dtype, shape, size limit) before the file's data is read.
 */
import { open, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Dataset } from '../core/dataset/types';
import type { EvalEmbeddings } from '../core/evaluate';
import { candidateRow, checkVectorFile, EMBEDDING_FILES, EmbeddingFilesError, joinEmbeddingTables, queryRow, readEmbeddingTable, type EmbeddingTable } from '../core/encoders/precomputed';
import type { CandidateRange } from '../core/metrics/streaming';
import { encodeNpyFloat32 } from '../core/npy';

/**
 * Writes the four files for a dataset's embeddings, rows in the dataset's order; with `rows`, only
 * those ranges of queries and candidates (a shard, `xling encode --shard`), whose vectors
 * `embeddings` then holds.
 */
export async function writeEmbeddingFolder(dir: string, dataset: Dataset, embeddings: EvalEmbeddings,
  rows: { queries: CandidateRange; candidates: CandidateRange } = { queries: { from: 0, to: dataset.queries.length }, candidates: { from: 0, to: dataset.candidates.length } }): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { dim } = embeddings;
  const lines = (items: object[]) => items.map((row) => JSON.stringify(row)).join('\n') + (items.length > 0 ? '\n' : '');
  const { queries, candidates } = rows;
  await Promise.all([
    writeFile(join(dir, EMBEDDING_FILES.queryVectors), encodeNpyFloat32(embeddings.queries, queries.to - queries.from, dim)),
    writeFile(join(dir, EMBEDDING_FILES.candidateVectors), encodeNpyFloat32(embeddings.candidates, candidates.to - candidates.from, dim)),
    writeFile(join(dir, EMBEDDING_FILES.queryRows), lines(dataset.queries.slice(queries.from, queries.to).map(queryRow))),
    writeFile(join(dir, EMBEDDING_FILES.candidateRows), lines(dataset.candidates.slice(candidates.from, candidates.to).map(candidateRow))),
  ]);
}

/**
 * Reads and checks the four files of a folder, or of each of its shard folders (joined). The folder's own name names the encoder
 * (`npy:<name>`), as in the notebook, so that a head trained on the command line imports there.
 */
export async function readEmbeddingFolder(dir: string): Promise<EmbeddingTable> {
  const names = Object.values(EMBEDDING_FILES);
  // A folder of shard folders (xling encode --shard I/N writes one each): all of them, joined.
  if (!(await readable(join(dir, EMBEDDING_FILES.queryVectors)))) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const shards = [];
    for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      if (await readable(join(dir, entry.name, EMBEDDING_FILES.queryVectors))) shards.push(join(dir, entry.name));
    }
    if (shards.length > 0) {
      const parts = [];
      for (const folder of shards) parts.push({ folder, table: await readEmbeddingFolder(folder) });
      return joinEmbeddingTables(basename(resolve(dir)), parts);
    }
  }
  const absent = (await Promise.all(names.map((file) => readable(join(dir, file))))).flatMap((ok, i) => (ok ? [] : [names[i]]));
  if (absent.length > 0) {
    throw new EmbeddingFilesError(absent.map((file) => ({ file: join(dir, file), place: '', message: `file not found: a folder of embeddings holds ${names.join(', ')} (what xling eval --export writes)` })));
  }
  const [queryVectors, candidateVectors] = await Promise.all([EMBEDDING_FILES.queryVectors, EMBEDDING_FILES.candidateVectors].map((file) => readVectorFile(dir, file)));
  const [queryRows, candidateRows] = await Promise.all([EMBEDDING_FILES.queryRows, EMBEDDING_FILES.candidateRows].map((file) => readFile(join(dir, file), 'utf8')));
  return readEmbeddingTable(basename(resolve(dir)), { queryVectors, candidateVectors, queryRows, candidateRows });
}

async function readable(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

/** The header first (a refused dtype or an oversized matrix costs no read of the data), then the whole file. */
async function readVectorFile(dir: string, file: string): Promise<Uint8Array> {
  const path = join(dir, file);
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    await checkVectorFile(file, size, async (bytes) => {
      const start = new Uint8Array(bytes);
      await handle.read(start, 0, bytes, 0);
      return start;
    });
  } finally {
    await handle.close();
  }
  return readFile(path);
}
