/**
 * Embeddings from elsewhere: the .npy variants NumPy writes (float16, Fortran order, format 2.0 and
 * 3.0) read to hand-computed values, the ones it should not be given refused with the fix, and the
 * rows matched to a dataset by key, with every mismatch named.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Dataset } from '../../src/core/dataset/types';
import {
  checkVectorFile,
  EmbeddingFilesError,
  matchEmbeddings,
  precomputedEncoder,
  readEmbeddingTable,
  vectorsFor,
  type EmbeddingFileContents,
} from '../../src/core/encoders/precomputed';
import { decodeNpyFloat32, encodeNpyFloat32, MAX_NPY_VALUES } from '../../src/core/npy';
import { readDatasetFolder } from '../../src/node/read-dataset';

/** A .npy file with any version, header dict and data, laid out by hand as the NumPy format describes. */
function npy(version: 1 | 2 | 3, dict: string, data: Uint8Array = new Uint8Array()): Uint8Array {
  const lengthBytes = version === 1 ? 2 : 4;
  const preamble = 8 + lengthBytes;
  const encoded = new TextEncoder().encode(dict);
  const padded = Math.ceil((preamble + encoded.length + 1) / 64) * 64 - preamble;
  const header = new Uint8Array(padded).fill(0x20);
  header.set(encoded);
  header[padded - 1] = 0x0a;
  const out = new Uint8Array(preamble + padded + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded, true);
  else view.setUint32(8, padded, true);
  out.set(header, preamble);
  out.set(data, preamble + padded);
  return out;
}

const bytesOf = (values: ArrayLike<number>, Type: Float32ArrayConstructor | Uint16ArrayConstructor = Float32Array) => new Uint8Array(new Type(Array.from(values)).buffer);

describe('.npy reading', () => {
  test('float16: exact values for ones, halves, the largest half, a subnormal and a negative zero', () => {
    // binary16: 0x3c00 = 1, 0xc000 = -2, 0x3800 = 0.5, 0x7bff = 65504, 0x0001 = 2^-24, 0x8000 = -0.
    const halves = bytesOf([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000], Uint16Array);
    const { data, rows, cols } = decodeNpyFloat32(npy(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }", halves));
    expect([rows, cols]).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([1, -2, 0.5, 65504, 2 ** -24, -0]);
  });

  test('Fortran order: column-major data comes out row-major', () => {
    // [[1, 2, 3], [4, 5, 6]] in Fortran order is stored column by column: 1 4 2 5 3 6.
    const file = npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", bytesOf([1, 4, 2, 5, 3, 6]));
    expect(Array.from(decodeNpyFloat32(file).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('format 2.0 (4-byte header length) and 3.0 (UTF-8 header) read like 1.0', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
    for (const version of [2, 3] as const) {
      const file = npy(version, dict, bytesOf([0.25, -8]));
      expect(Array.from(file.subarray(6, 8))).toEqual([version, 0]);
      expect(Array.from(decodeNpyFloat32(file).data)).toEqual([0.25, -8]);
    }
    // What the writer produces reads back too.
    expect(Array.from(decodeNpyFloat32(encodeNpyFloat32(new Float32Array([3, 4]), 1, 2)).data)).toEqual([3, 4]);
  });

  test('files written by NumPy itself: float16 in Fortran order, format 2.0 and 3.0, float64 and int32 refused', async () => {
    const fixture = (name: string) => readFile(resolve(__dirname, '../fixtures/npy', name));
    const matrix = [1, 2, 3, 4, 0.5, -0.25, 8, 16, -1, 0, Math.fround(1e-3), 100];
    for (const name of ['float32-v2.npy', 'float32-v3.npy', 'float32-fortran.npy']) {
      const { data, rows, cols } = decodeNpyFloat32(await fixture(name));
      expect([rows, cols]).toEqual([3, 4]);
      expect(Array.from(data)).toEqual(matrix);
    }
    // 1e-3 in binary16 is 0x1419: (1 + 25/1024) * 2^-10.
    expect(Array.from(decodeNpyFloat32(await fixture('float16-fortran-v1.npy')).data)).toEqual([...matrix.slice(0, 10), (1 + 25 / 1024) * 2 ** -10, 100]);
    expect(() => decodeNpyFloat32(Buffer.alloc(0))).toThrow(/not a \.npy file/);
    const float64 = await fixture('float64-v1.npy');
    expect(() => decodeNpyFloat32(float64)).toThrow("dtype '<f8' (float64) is not read here: save float32, np.save(path, x.astype(np.float32))");
    const int32 = await fixture('int32-v1.npy');
    expect(() => decodeNpyFloat32(int32)).toThrow("dtype '<i4' is not a float type");
  });

  test('refuses what it cannot read, saying how to convert it', () => {
    const refused = (descr: string, shape: string, data = new Uint8Array(0)) =>
      () => decodeNpyFloat32(npy(1, `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`, data));
    expect(refused('<f8', '(1, 1)', new Uint8Array(8))).toThrow("dtype '<f8' (float64) is not read here: save float32, np.save(path, x.astype(np.float32))");
    expect(refused('<i8', '(1, 1)', new Uint8Array(8))).toThrow("dtype '<i8' is not a float type: vectors must be float32 or float16, e.g. np.save(path, x.astype(np.float32))");
    expect(refused('|b1', '(1, 1)', new Uint8Array(1))).toThrow(/not a float type/);
    expect(refused('>f4', '(1, 1)', new Uint8Array(4))).toThrow("dtype '>f4' is big-endian: save little-endian, np.save(path, x.astype('<f4'))");
    expect(refused('<f4', '(3,)', new Uint8Array(12))).toThrow('shape (3,) is not a matrix of rows x dimensions: save a 2-D array (x.reshape(1, -1) for one vector)');
    expect(refused('<f4', '(2, 3, 4)', new Uint8Array(96))).toThrow(/shape \(2, 3, 4\) is not a matrix.*pool token vectors first/);
    expect(refused('<f4', '(2, 3)', new Uint8Array(20))).toThrow(/the header says 2 x 3 float32 \(152 bytes with the header\), but the file has 148 bytes: it is cut short/);
    expect(() => decodeNpyFloat32(new TextEncoder().encode('x,y\n1,2\n'))).toThrow(/not a \.npy file/);
    const v4 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", new Uint8Array(4));
    v4[6] = 4;
    expect(() => decodeNpyFloat32(v4)).toThrow('.npy format version 4.0 is not supported (1.0, 2.0 and 3.0 are)');
  });

  test('the size limit is checked from the header, before any data is read', async () => {
    const rows = MAX_NPY_VALUES / 1024 + 1;
    const header = npy(1, `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, 1024), }`);
    const reads: number[] = [];
    const readStart = async (bytes: number) => {
      reads.push(bytes);
      return header.subarray(0, bytes);
    };
    const fileBytes = header.length + rows * 1024 * 4;
    await expect(checkVectorFile('queries.npy', fileBytes, readStart)).rejects.toThrow(
      'queries.npy: 131,073 x 1,024 = 134,218,752 values, more than the 134,217,728 (2^27, 512 MiB as float32) a matrix may have here',
    );
    expect(Math.max(...reads)).toBeLessThanOrEqual(header.length);
    // 13,090 x 1,024 float32 (XQuAD-R's queries from a 1024-d model) is within it.
    const xquad = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (13090, 1024), }");
    const checked = await checkVectorFile('queries.npy', xquad.length + 13090 * 1024 * 4, async (bytes) => xquad.subarray(0, bytes));
    expect(checked).toMatchObject({ rows: 13090, cols: 1024, descr: '<f4', dataOffset: 128 });
  });
});

/** test/fixtures/jsonl-mini: queries en/q1 en/q2 fr/q1 fr/q3; candidates in pool order c5 c6 | c1 c3 c7 | c2 c4. */
const QUERY_ROWS = ['{"id": "q1", "lang": "en"}', '{"id": "q2", "lang": "en"}', '{"id": "q1", "lang": "fr"}', '{"id": "q3", "lang": "fr"}'];
const CANDIDATE_ROWS = ['c5 de', 'c6 de', 'c1 en', 'c3 en', 'c7 en', 'c2 fr', 'c4 fr'].map((s) => {
  const [id, lang] = s.split(' ');
  return JSON.stringify({ lang, id });
});

/** Files whose row i is the unit vector e_(i mod 4) scaled by (i + 1) (so normalisation has work), in dimension 4. */
function files(queryLines: string[], candidateLines: string[], dims = [4, 4]): EmbeddingFileContents {
  const matrix = (n: number, dim: number) => {
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) data[i * dim + (i % dim)] = i + 1;
    return encodeNpyFloat32(data, n, dim);
  };
  return {
    queryVectors: matrix(queryLines.length, dims[0]),
    candidateVectors: matrix(candidateLines.length, dims[1]),
    queryRows: queryLines.join('\n') + '\n',
    candidateRows: candidateLines.join('\n') + '\n',
  };
}

function issuesOf(f: () => unknown): { file: string; place: string; message: string }[] {
  try {
    f();
  } catch (error) {
    if (error instanceof EmbeddingFilesError) return error.issues;
    throw error;
  }
  throw new Error('expected an EmbeddingFilesError');
}

describe('embedding files matched to a dataset', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    dataset = await readDatasetFolder(resolve(__dirname, '../fixtures/jsonl-mini'));
  });

  test('rows are matched by key, not position, and normalised: shuffled files give the same vectors', () => {
    const table = readEmbeddingTable('mini', files(QUERY_ROWS, CANDIDATE_ROWS));
    expect(table.dim).toBe(4);
    expect(table.notes).toEqual([
      'queries.npy: 3 of 4 rows were not of unit length and were L2-normalised (scores are cosines).',
      'candidates.npy: 6 of 7 rows were not of unit length and were L2-normalised (scores are cosines).',
    ]);
    const inOrder = vectorsFor(table, dataset);
    // Query i is e_(i mod 4) after normalisation.
    expect(Array.from(inOrder.queries)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

    // The same vectors with the rows in another order (query rows reversed, candidate rows rotated).
    const contents = files(QUERY_ROWS, CANDIDATE_ROWS);
    const permute = (bytes: Uint8Array, order: number[]) => {
      const { data, rows, cols } = decodeNpyFloat32(bytes);
      const out = new Float32Array(data.length);
      order.forEach((from, to) => out.set(data.subarray(from * cols, (from + 1) * cols), to * cols));
      return encodeNpyFloat32(out, rows, cols);
    };
    const queryOrder = [3, 2, 1, 0];
    const candidateOrder = [2, 3, 4, 5, 6, 0, 1];
    const shuffled = readEmbeddingTable('mini', {
      queryVectors: permute(contents.queryVectors, queryOrder),
      candidateVectors: permute(contents.candidateVectors, candidateOrder),
      queryRows: queryOrder.map((i) => QUERY_ROWS[i]).join('\n'),
      candidateRows: candidateOrder.map((i) => CANDIDATE_ROWS[i]).join('\n'),
    });
    const again = vectorsFor(shuffled, dataset);
    expect(Array.from(again.queries)).toEqual(Array.from(inOrder.queries));
    expect(Array.from(again.candidates)).toEqual(Array.from(inOrder.candidates));
  });

  test('a unit-length row is kept bit for bit; an all-zero row stays zero, with a note', () => {
    const v = [0.1, 0.7, Math.sqrt(1 - 0.01 - 0.49), 0].map(Math.fround);
    const contents = files(QUERY_ROWS.slice(0, 2), CANDIDATE_ROWS.slice(0, 1));
    contents.queryVectors = encodeNpyFloat32(new Float32Array([...v, 0, 0, 0, 0]), 2, 4);
    const table = readEmbeddingTable('mini', contents);
    expect(Array.from(table.queries.vectors)).toEqual([...v, 0, 0, 0, 0]);
    expect(table.notes).toContain('queries.npy: 1 row is all zeros, scoring 0 against everything.');
  });

  test('extra rows are allowed and named; a missing row is an error naming the row', () => {
    const extra = readEmbeddingTable('mini', files([...QUERY_ROWS, '{"id": "q9", "lang": "en"}'], CANDIDATE_ROWS));
    const match = matchEmbeddings(extra, dataset);
    expect(match.missing).toEqual([]);
    expect(match.notes[0]).toBe('queries.jsonl: 1 of 5 rows are not in the loaded dataset (en 1; e.g. {"id":"q9","lang":"en"}) and are not used; ' +
      'fine when the dataset is loaded as a subset of the one the vectors were computed for.');

    const short = readEmbeddingTable('mini', files(QUERY_ROWS, CANDIDATE_ROWS.filter((row) => !row.includes('"c3"'))));
    expect(issuesOf(() => vectorsFor(short, dataset))).toEqual([
      { file: 'candidates.jsonl', place: '', message: expect.stringMatching(/^1 of the loaded dataset's 7 candidates have no row here \(first: \{"lang":"en","id":"c3"\}\)\. Every query and candidate/) },
      { file: 'candidates.jsonl', place: '', message: 'no row for {"lang":"en","id":"c3"}' },
    ]);
    expect(() => precomputedEncoder(short, [dataset])).toThrow(EmbeddingFilesError);
  });

  test('a duplicate row, a wrong dimension, a row-count mismatch and a bad row are each named', () => {
    const duplicate = issuesOf(() => readEmbeddingTable('mini', files([...QUERY_ROWS, '{"lang": "en", "id": "q2"}'], CANDIDATE_ROWS)));
    expect(duplicate).toEqual([{ file: 'queries.jsonl', place: 'line 5', message: 'duplicate row: query {"id":"q2","lang":"en"} is already on line 2; each row must name a different query.' }]);

    expect(issuesOf(() => readEmbeddingTable('mini', files(QUERY_ROWS, CANDIDATE_ROWS, [4, 3])))).toEqual([
      { file: 'candidates.npy', place: '', message: '3 dimensions, but queries.npy has 4: queries and candidates must come from the same encoder (the same model and output dimension).' },
    ]);

    const counts = files(QUERY_ROWS, CANDIDATE_ROWS);
    counts.queryRows = QUERY_ROWS.slice(0, 3).join('\n');
    expect(issuesOf(() => readEmbeddingTable('mini', counts))).toEqual([
      { file: 'queries.npy', place: '', message: '4 rows, but queries.jsonl names 3: row i of queries.npy is the vector of line i of queries.jsonl, so they must have as many.' },
    ]);

    const bad = files(QUERY_ROWS, CANDIDATE_ROWS);
    bad.candidateRows = bad.candidateRows.replace('{"lang":"de","id":"c5"}', '{"lang": "de", "article": 0}');
    expect(issuesOf(() => readEmbeddingTable('mini', bad))).toEqual([
      { file: 'candidates.jsonl', place: 'line 1', message: expect.stringContaining('needs "lang" with "article", "paragraph" and "sentence"') },
    ]);

    const nan = files(QUERY_ROWS, CANDIDATE_ROWS);
    nan.queryVectors = encodeNpyFloat32(new Float32Array([1, 0, 0, 0, NaN, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), 4, 4);
    expect(issuesOf(() => readEmbeddingTable('mini', nan))).toEqual([
      { file: 'queries.npy', place: 'row 1', message: 'NaN or infinite values (the vector of queries.jsonl line 2): fix or drop that row where the vectors are computed.' },
    ]);

    const dtype = files(QUERY_ROWS, CANDIDATE_ROWS);
    dtype.candidateVectors = npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (7, 4), }", new Uint8Array(7 * 16));
    expect(issuesOf(() => readEmbeddingTable('mini', dtype))).toEqual([
      { file: 'candidates.npy', place: '', message: "dtype '<i4' is not a float type: vectors must be float32 or float16, e.g. np.save(path, x.astype(np.float32))." },
    ]);
  });

  test('the encoder serves the dataset it was matched to, by its texts, and refuses other texts', async () => {
    const table = readEmbeddingTable('mini', files(QUERY_ROWS, CANDIDATE_ROWS));
    const { encoder } = precomputedEncoder(table, [dataset]);
    expect([encoder.id, encoder.dim]).toEqual(['npy:mini', 4]);
    const expected = vectorsFor(table, dataset);
    expect(Array.from(await encoder.encode(dataset.queries.map((q) => q.text), 'query'))).toEqual(Array.from(expected.queries));
    expect(Array.from(await encoder.encode(dataset.candidates.map((c) => c.text), 'passage'))).toEqual(Array.from(expected.candidates));
    await expect(encoder.encode(['Where is the Eiffel Tower?'], 'query')).rejects.toThrow(
      "npy:mini holds the vectors of jsonl-mini; the 1 texts asked for are not that dataset's queries.",
    );
  });
});
