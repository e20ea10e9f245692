/**
 * The MIRACL layout's files on their way in: gzipped corpus files unzipped for every reader (a broken
 * one named), the languages read off the folder names before loading, which files of a dropped or
 * picked folder come along, and the data folder's index listing language folders.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepsFile } from '../../src/app/datasets/dropped-files';
import { gunzipDatasetFiles } from '../../src/core/dataset/gzip';
import { languagesFromFileNames } from '../../src/core/dataset/load';
import { DatasetError, type DatasetIssue } from '../../src/core/dataset/types';
import { readDataFolderIndex } from '../../src/dev-server/data-server';
import { readDatasetFolder } from '../../src/node/read-dataset';

const bytes = (text: string) => new TextEncoder().encode(text);
const DOC = '{"docid": "d1", "title": "", "text": "moja"}\n';

describe('MIRACL files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-miracl-files-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('unzips .gz files under the name without .gz and passes other files and unread ones as they are', async () => {
    const files = await gunzipDatasetFiles([
      { name: 'm/sw/docs-1.jsonl.gz', bytes: gzipSync(DOC) },
      { name: 'm/sw/docs-0.jsonl', bytes: bytes('plain') },
      { name: 'm/README.gz', bytes: null },
    ]);
    expect(files.map((f) => [f.name, f.bytes && new TextDecoder().decode(f.bytes)])).toEqual([
      ['m/sw/docs-1.jsonl', DOC],
      ['m/sw/docs-0.jsonl', 'plain'],
      ['m/README.gz', null],
    ]);
  });

  it('names every .gz that is not whole gzip (cut short, or no gzip at all), and says what to do', async () => {
    const whole = gzipSync(DOC);
    const attempt = gunzipDatasetFiles([
      { name: 'm/sw/docs-1.jsonl.gz', bytes: whole.subarray(0, whole.length - 6) },
      { name: 'm/fi/docs-0.jsonl.gz', bytes: bytes(DOC) },
      { name: 'm/fi/docs-1.jsonl.gz', bytes: whole },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(DatasetError);
    const issues = await attempt.then((): DatasetIssue[] => [], (error: DatasetError) => error.issues);
    expect(issues.map((issue) => issue.file)).toEqual(['m/sw/docs-1.jsonl.gz', 'm/fi/docs-0.jsonl.gz']);
    for (const issue of issues) expect(issue.message).toMatch(/^not a whole gzip file \(.+\): compress it again with gzip, or give the \.jsonl unzipped$/);
  });

  it('the command line names a broken .gz in a dataset folder too', async () => {
    const folder = join(dir, 'broken', 'sw');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'topics.tsv'), '1\tNini?\n');
    await writeFile(join(folder, 'qrels.tsv'), '1 Q0 d1 1\n');
    await writeFile(join(folder, 'docs-0.jsonl.gz'), 'not gzip');
    await expect(readDatasetFolder(join(dir, 'broken'))).rejects.toThrow(/sw\/docs-0\.jsonl\.gz: not a whole gzip file/);
  });

  it('reads the languages off LAReQA file names and MIRACL folder names; JSONL and mixed names do not say', () => {
    expect(languagesFromFileNames(['m/sw/topics.tsv', 'm/sw/qrels.tsv', 'm/fi/docs-0.jsonl.gz', 'm/LICENSE'])).toEqual(['fi', 'sw']);
    expect(languagesFromFileNames(['x/en.json', 'x/de.json'])).toEqual(['de', 'en']);
    expect(languagesFromFileNames(['queries.jsonl', 'candidates.jsonl'])).toBeNull();
    expect(languagesFromFileNames(['m/sw/topics.tsv', 'x/en.json'])).toBeNull();
    expect(languagesFromFileNames(['topics.tsv'])).toBeNull(); // not in a language folder: the load says so
  });

  it('a dataset folder brings its own files and its language folders\' MIRACL files; a model folder everything', () => {
    // depth: 1 = the folder's own file, 2 = a file in one of its subfolders, 3 = deeper.
    expect(keepsFile('en.json', 1, 'language folders')).toBe(true);
    expect(keepsFile('topics.tsv', 2, 'language folders')).toBe(true);
    expect(keepsFile('docs-3.jsonl.gz', 2, 'language folders')).toBe(true);
    expect(keepsFile('en.json', 2, 'language folders')).toBe(false);
    expect(keepsFile('topics.tsv', 3, 'language folders')).toBe(false);
    expect(keepsFile('topics.tsv', 2, 'none')).toBe(false);
    expect(keepsFile('model.onnx', 3, 'all')).toBe(true);
    expect(keepsFile('topics.tsv', 0, 'none')).toBe(true); // a dropped file
  });

  it('the data folder lists a MIRACL folder\'s language folders, their files only', async () => {
    const data = join(dir, 'data');
    await mkdir(join(data, 'mini', 'sw', 'extra'), { recursive: true });
    await mkdir(join(data, 'lareqa'), { recursive: true });
    await writeFile(join(data, 'mini', 'sw', 'topics.tsv'), '1\tNini?\n');
    await writeFile(join(data, 'mini', 'sw', 'docs-0.jsonl.gz'), gzipSync(DOC));
    await writeFile(join(data, 'mini', 'sw', 'notes.txt'), 'not data');
    await writeFile(join(data, 'mini', 'sw', 'extra', 'qrels.tsv'), 'too deep');
    await writeFile(join(data, 'lareqa', 'en.json'), '{}');
    const index = await readDataFolderIndex(data);
    expect(index.folders.map((f) => [f.name, f.files.map((file) => file.name)])).toEqual([
      ['lareqa', ['en.json']],
      ['mini', ['sw/docs-0.jsonl.gz', 'sw/topics.tsv']],
    ]);
  });
});
