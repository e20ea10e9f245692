/**
 * Names that come from data: language codes that are property names of plain objects or carry
 * markup, codes that differ only in case, question ids like "__proto__", sentence breaks that
 * overlap, bytes that are not UTF-8. Each is either refused with a located error or carried
 * through to the report intact; the expected numbers are counted by hand from the tiny files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { plainLabels } from '../../src/app/results/plotly';
import { loadDataset } from '../../src/core/dataset/load';
import type { DatasetFile } from '../../src/core/dataset/types';
import { decodeDatasetFiles } from '../../src/core/dataset/utf8';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { subsetDataset } from '../../src/core/training/split';
import { issuesOf } from './dataset-issues';

const here = dirname(fileURLToPath(import.meta.url));
const MLQA_STYLE = join(here, '../fixtures/lareqa-mlqa-style');
const JSONL = join(here, '../fixtures/jsonl-mini');
const text = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
const en = (): DatasetFile => ({ name: 'en.json', text: text(MLQA_STYLE, 'en.json') });
const de = (): DatasetFile => ({ name: 'de.json', text: text(MLQA_STYLE, 'de.json') });
const jsonl = (queries: string): DatasetFile[] => [
  { name: 'queries.jsonl', text: queries },
  { name: 'candidates.jsonl', text: text(JSONL, 'candidates.jsonl') },
  { name: 'relevance.jsonl', text: text(JSONL, 'relevance.jsonl') },
];

describe('language codes', () => {
  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '<a href="x">en</a>', 'en de', '-en', 'é'])(
    'a LAReQA file named %s.json is refused, naming the file',
    (code) => {
      const issues = issuesOf(() => loadDataset([en(), de(), { name: `${code}.json`, text: text(MLQA_STYLE, 'de.json') }]));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ file: `${code}.json`, place: '' });
      expect(issues[0].message).toContain('is not a language code');
      expect(issues[0].message).toContain('(the language code comes from the file name)');
    },
  );

  test.each(['__proto__', 'constructor', '<b>en</b>'])('a JSONL query with lang %s is refused at its line', (code) => {
    const queries = `${text(JSONL, 'queries.jsonl').trimEnd()}\n${JSON.stringify({ id: 'q9', lang: code, text: 'odd' })}\n`;
    const issues = issuesOf(() => loadDataset(jsonl(queries)));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'queries.jsonl', place: 'line 5' });
    expect(issues[0].message).toMatch(/^"lang": ".*" is not a language code/);
  });

  test('codes that are fine: en, zh-Hans, pt_BR, fil, x1', () => {
    const dataset = loadDataset(['zh-Hans', 'pt_BR', 'fil', 'x1'].map((code) => ({ name: `${code}.json`, text: text(MLQA_STYLE, 'de.json') })).concat(en()));
    expect(dataset.languages).toEqual(['en', 'fil', 'pt_BR', 'x1', 'zh-Hans']);
  });

  test('EN.json beside en.json is one error naming both files', () => {
    const issues = issuesOf(() => loadDataset([en(), { name: 'EN.json', text: text(MLQA_STYLE, 'en.json') }, de()]));
    expect(issues).toEqual([{ file: '(dataset)', place: '', message: expect.stringMatching(/^(en|EN)\.json and (EN|en)\.json differ only in case: one language, two spellings/) }]);
  });

  test('JSONL codes EN and en in one dataset are one error naming both', () => {
    const queries = `${text(JSONL, 'queries.jsonl').trimEnd()}\n${JSON.stringify({ id: 'q9', lang: 'EN', text: 'odd' })}\n`;
    const issues = issuesOf(() => loadDataset(jsonl(queries)));
    expect(issues.map((issue) => issue.message)).toContainEqual(expect.stringMatching(/^language "(en|EN)" and language "(en|EN)" differ only in case/));
  });
});

describe('question ids that are property names of plain objects', () => {
  // en.json's questions q1, q2, q3 and de.json's q1, q3, renamed: every one must still count.
  const renamed = (file: DatasetFile) => ({ ...file, text: file.text.replace('"q1"', '"__proto__"').replace('"q3"', '"constructor"') });

  test('load, evaluate and subset with every query and its answers', async () => {
    const dataset = loadDataset([renamed(en()), renamed(de())]);
    expect(Object.keys(dataset.relevance).sort()).toEqual(['__proto__', 'constructor', 'q2']);
    expect(dataset.relevance['__proto__']).toHaveLength(2);
    expect(dataset.relevance['constructor']).toHaveLength(2);
    const { report } = await evaluateDataset(dataset, createLexicalEncoder(), { matmul: jsMatmul });
    // 3 English and 2 German questions; q2 has no German translation, so en->de has 2.
    expect([report.cells.en.en.n, report.cells.en.de.n, report.cells.de.de.n, report.cells.de.en.n]).toEqual([3, 2, 2, 2]);
    const all = subsetDataset(dataset, () => true, new Uint8Array(dataset.candidates.length).fill(1));
    expect(Object.getPrototypeOf(all.dataset.relevance)).toBe(Object.prototype);
    expect(all.dataset.relevance['__proto__']).toEqual(dataset.relevance['__proto__']);
    expect(all.dataset.relevance['constructor']).toEqual(dataset.relevance['constructor']);
  });
});

describe('sentence breaks', () => {
  test('overlapping or out-of-context breaks are errors at the paragraph', () => {
    const file = de();
    const overlapping = { ...file, text: file.text.replace('[[0, 17], [18, 35]]', '[[0, 19], [18, 35]]') };
    expect(issuesOf(() => loadDataset([en(), overlapping]))).toEqual([{
      file: 'de.json',
      place: 'data[0].paragraphs[0]',
      message: 'sentence_breaks[1] [18, 35] overlaps sentence_breaks[0] [0, 19]: breaks must be in order and must not overlap',
    }]);
    const outside = { ...file, text: file.text.replace('[[0, 5], [5, 10]]', '[[0, 5], [5, 12]]') };
    expect(issuesOf(() => loadDataset([en(), outside]))).toEqual([{
      file: 'de.json',
      place: 'data[1].paragraphs[0]',
      message: 'sentence_breaks[1] [5, 12] ends after the context (10 characters)',
    }]);
  });
});

describe('UTF-8', () => {
  const bytes = (...parts: Array<string | number[]>) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

  test('valid text in four scripts decodes as is; files that are not data stay unread', () => {
    const files = decodeDatasetFiles([{ name: 'en.json', bytes: bytes('{"a": "ü 中 ع 😀"}') }, { name: 'LICENSE', bytes: null }]);
    expect(files).toEqual([{ name: 'en.json', text: '{"a": "ü 中 ع 😀"}' }, { name: 'LICENSE', text: '' }]);
  });

  test.each([
    ['a stray continuation byte', bytes('{\n"a": "x', [0x80], '"}'), 'line 2, byte 9'],
    ['a Latin-1 é', bytes('{\n\n"a": "caf', [0xe9], '"}'), 'line 3, byte 12'],
    ['a 3-byte sequence broken in its third byte', bytes('{"a": "', [0xe4, 0xb8], 'x"}'), 'line 1, byte 7'],
    ['a sequence cut by the end of the file', bytes('{"a": 1}', [0xe4, 0xb8]), 'line 1, byte 8'],
  ])('%s is an error naming the file, line and byte', (_name, data, place) => {
    const issues = issuesOf(() => decodeDatasetFiles([{ name: 'de.json', bytes: bytes('{}') }, { name: 'fr.json', bytes: data }]));
    expect(issues).toEqual([{ file: 'fr.json', place, message: expect.stringMatching(/^not valid UTF-8/) }]);
  });
});

test('chart labels from data are plain text for plotly', () => {
  expect(plainLabels(['en', '<a href="javascript:x">de</a>', 'a&b'])).toEqual(['en', '&lt;a href="javascript:x"&gt;de&lt;/a&gt;', 'a&amp;b']);
});
