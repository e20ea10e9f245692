import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { MAX_ISSUES } from '../../src/core/dataset/issues';
import { lareqaLanguage } from '../../src/core/dataset/lareqa';
import { loadDataset } from '../../src/core/dataset/load';
import { candidateTexts, datasetSummary } from '../../src/core/dataset/texts';
import { DatasetError, type Dataset, type DatasetFile } from '../../src/core/dataset/types';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { issuesOf } from './dataset-issues';

const here = dirname(fileURLToPath(import.meta.url));
const XQUAD_R = join(here, '../../../shared/data/xquad-r');
const MLQA_STYLE = join(here, '../fixtures/lareqa-mlqa-style');
const INVALID = join(here, '../fixtures/lareqa-invalid');

const fixture = (dir: string, name: string): DatasetFile => ({
  name,
  text: readFileSync(join(dir, name), 'utf8'),
});
/** A broken file next to a good one, so that only the broken file's problems show. */
const withGoodFile = (broken: string): DatasetFile[] => [
  fixture(MLQA_STYLE, 'de.json'),
  fixture(INVALID, broken),
];


const byId = (dataset: Dataset, id: string) => dataset.candidates.find((c) => c.id === id)!;
const relevantIds = (dataset: Dataset, id: string) =>
  dataset.relevance[id].map((i) => dataset.candidates[i].id);

describe('XQuAD-R (the real files)', () => {
  let xquad: Dataset;
  beforeAll(async () => {
    xquad = await readDatasetFolder(XQUAD_R);
  });

  test('languages are sorted, the name is the folder name, no warnings', () => {
    expect(xquad.name).toBe('xquad-r');
    expect(xquad.languages).toEqual(['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh']);
    expect(xquad.warnings).toBeUndefined();
  });

  test('the published counts come out exactly', () => {
    const published = {
      ...{ ar: 1222, de: 1276, el: 1234, en: 1180, es: 1215, hi: 1244 },
      ...{ ru: 1219, th: 852, tr: 1167, vi: 1209, zh: 1196 },
    };
    const summary = datasetSummary(xquad);
    expect(Object.fromEntries(summary.languages.map((l) => [l.lang, l.candidates]))).toEqual(published);
    expect(summary.languages.every((l) => l.queries === 1190)).toBe(true);
    expect(summary.questions).toBe(1190);
    expect(summary.queries).toBe(11 * 1190);
    expect(summary.candidates).toBe(13014);
  });

  test('every question has 11 relevant items, one per language, ascending', () => {
    const relevance = Object.values(xquad.relevance);
    expect(relevance).toHaveLength(1190);
    for (const items of relevance) {
      expect(items.map((i) => xquad.candidates[i].lang)).toEqual(xquad.languages);
      expect([...items].sort((a, b) => a - b)).toEqual(items);
    }
  });

  test('pool order: languages in order, then file order; ids and positions agree', () => {
    const first = xquad.candidates[0];
    expect(first).toMatchObject({
      id: 'ar:0:0:0',
      lang: 'ar',
      position: { article: 0, paragraph: 0, sentence: 0 },
    });
    const langs = xquad.candidates.map((c) => c.lang);
    expect(langs.findIndex((l) => l === 'de')).toBe(1222);
    for (const c of xquad.candidates.slice(0, 2000)) {
      const { article, paragraph, sentence } = c.position!;
      expect(c.id).toBe(`${c.lang}:${article}:${paragraph}:${sentence}`);
      expect(c.context).toContain(c.text.slice(0, 10));
    }
    expect(xquad.queries[0]).toEqual({ id: '56beb4343aeaaa14008c925b', lang: 'ar', text: expect.any(String) });
  });

  test('hand-checked answer sentences', () => {
    // "How many career sacks did Jared Allen have?": the 4th sentence of the first paragraph.
    const sacks = relevantIds(xquad, '56beb4343aeaaa14008c925c');
    expect(sacks).toEqual(xquad.languages.map((l) => `${l}:0:0:3`));
    expect(byId(xquad, 'en:0:0:3').text).toMatch(/^The Panthers line also featured veteran defensive end Jared Allen/);
    expect(byId(xquad, 'de:0:0:3').text).toMatch(/^Die Panthers-Line präsentierte auch den erfahrenen Defensive End/);

    // zh: answer_start 120 where breaks [0,120] and [120,189] touch; end-exclusive picks the second.
    const theatre = relevantIds(xquad, '57339c16d058e614000b5ec9');
    expect(theatre).toContain('zh:1:0:1');
    expect(byId(xquad, 'zh:1:0:1').text).toBe(
      '沃伊切赫波古斯洛斯基剧院 (Wojciech Bogusławski Theatre) (1922–26) 是“波兰纪念剧院”的最佳典范。',
    );
    expect(byId(xquad, 'en:1:0:1').text).toBe(
      'The Wojciech Bogusławski Theatre (1922–26), was the best example of "Polish monumental theatre".',
    );

    // The last question of the last article, in Thai.
    expect(relevantIds(xquad, '5737a25ac3c5551400e51f54')).toContain('th:47:4:1');
    expect(byId(xquad, 'en:47:4:1').text).toMatch(/^This formalism includes pressure terms/);
  });

  test('candidate texts: sentence alone, or sentence, a space, then the paragraph', () => {
    const sentence = candidateTexts(xquad, 'sentence');
    const withParagraph = candidateTexts(xquad, 'sentence+paragraph');
    const c = xquad.candidates[5];
    expect(sentence).toHaveLength(13014);
    expect(sentence[5]).toBe(c.text);
    expect(withParagraph[5]).toBe(`${c.text} ${c.context}`);
  });

  test('subset: --languages keeps those files in that order, --articles the first K articles', async () => {
    const subset = await readDatasetFolder(XQUAD_R, { languages: ['zh', 'en'], articles: 2 });
    expect(subset.languages).toEqual(['zh', 'en']);
    expect(subset.candidates[0].lang).toBe('zh');
    expect(new Set(subset.candidates.map((c) => c.position!.article))).toEqual(new Set([0, 1]));
    // Hand-counted with python: the first 2 articles of en.json have 97 questions and 48 sentences.
    const en = datasetSummary(subset).languages.find((l) => l.lang === 'en')!;
    expect(en).toEqual({ lang: 'en', queries: 97, candidates: 48 });
    expect(Object.values(subset.relevance).every((r) => r.length === 2)).toBe(true);
    expect(relevantIds(subset, '56beb4343aeaaa14008c925c')).toEqual(['zh:0:0:3', 'en:0:0:3']);
  });

  test('an article count beyond the file keeps everything', async () => {
    const all = await readDatasetFolder(XQUAD_R, { languages: ['en', 'de'], articles: 1000 });
    expect(all.candidates).toHaveLength(1180 + 1276);
  });
});

describe('MLQA-R-style data (fixture)', () => {
  let mlqa: Dataset;
  beforeAll(async () => {
    mlqa = await readDatasetFolder(MLQA_STYLE);
  });

  test('pools of different sizes, questions in 2 of 3 languages, README ignored', () => {
    expect(mlqa.name).toBe('lareqa-mlqa-style');
    expect(mlqa.languages).toEqual(['de', 'en', 'es']);
    expect(datasetSummary(mlqa).languages).toEqual([
      { lang: 'de', queries: 2, candidates: 4 },
      { lang: 'en', queries: 3, candidates: 5 },
      { lang: 'es', queries: 1, candidates: 6 },
    ]);
    expect(mlqa.queries.map((q) => `${q.lang}/${q.id}`)).toEqual([
      ...['de/q1', 'de/q3'],
      ...['en/q1', 'en/q2', 'en/q3'],
      'es/q2',
    ]);
    expect(mlqa.relevance).toEqual({ q1: [1, 5], q2: [6, 11], q3: [3, 8] });
    expect(relevantIds(mlqa, 'q2')).toEqual(['en:0:0:2', 'es:0:0:2']);
    expect(byId(mlqa, 'es:0:0:2').text).toBe('Gamma es tercera.');
  });

  test('touching breaks: an answer starting exactly at a boundary belongs to the next sentence', () => {
    // en breaks [0,4] [4,8] with answer_start 4; de [0,5] [5,10] with answer_start 5.
    expect(relevantIds(mlqa, 'q3')).toEqual(['de:1:0:1', 'en:1:0:1']);
    expect(byId(mlqa, 'en:1:0:1').text).toBe('Two.');
  });

  test('file order does not matter; options.languages does', () => {
    const files = ['es.json', 'en.json', 'de.json'].map((n) => fixture(MLQA_STYLE, n));
    expect(loadDataset(files).languages).toEqual(['de', 'en', 'es']);
    const chosen = loadDataset(files, { languages: ['es', 'en'] });
    expect(chosen.languages).toEqual(['es', 'en']);
    // q1 and q3 now exist in en only: a relevant set of one.
    expect(chosen.relevance).toEqual({ q2: [2, 8], q1: [7], q3: [10] });
  });

  test('folder paths in names: the language comes from the base name, the name from the folder', () => {
    const files = ['de.json', 'en.json'].map((n) => ({ ...fixture(MLQA_STYLE, n), name: `mlqa/xquad.${n}` }));
    const dataset = loadDataset(files);
    expect(dataset.name).toBe('mlqa');
    expect(dataset.languages).toEqual(['de', 'en']);
    expect(lareqaLanguage('C:\\data\\zh.json')).toBe('zh');
  });
});

describe('LAReQA validation', () => {
  test('no files, or no recognised files', () => {
    expect(issuesOf(() => loadDataset([]))[0].message).toMatch(/no files/);
    const [issue] = issuesOf(() => loadDataset([{ name: 'LICENSE', text: 'CC' }, { name: 'notes.txt', text: '' }]));
    expect(issue.message).toMatch(/no dataset files among LICENSE, notes\.txt/);
  });

  test('a missing folder', async () => {
    await expect(readDatasetFolder(join(here, 'no-such-folder'))).rejects.toThrow(/no such folder/);
  });

  test('an empty file', () => {
    expect(issuesOf(() => loadDataset(withGoodFile('empty.json')))).toEqual([
      { file: 'empty.json', place: '', message: 'the file is empty' },
    ]);
  });

  test('not JSON: the message carries the line and column', () => {
    const [issue] = issuesOf(() => loadDataset(withGoodFile('not-json.json')));
    expect(issue.file).toBe('not-json.json');
    expect(issue.place).toBe('line 5, column 1');
    expect(issue.message).toMatch(/^not valid JSON: /);
  });

  test('a file cut short: the place is where it ends', () => {
    const text = '{"version": "1.1", "data": [\n  {"title": "Cut", "paragraphs": [';
    const [issue] = issuesOf(() => loadDataset([fixture(MLQA_STYLE, 'de.json'), { name: 'es.json', text }]));
    // Line 2 has 34 characters: the input ends just after them.
    expect(issue).toMatchObject({ file: 'es.json', place: 'line 2, column 35' });
    expect(issue.message).toMatch(/^not valid JSON: .*end of JSON input/);
  });

  test('no "data" array', () => {
    const [issue] = issuesOf(() => loadDataset(withGoodFile('no-data.json')));
    expect(issue).toMatchObject({ file: 'no-data.json', place: '' });
    expect(issue.message).toMatch(/no "data" array.*SQuAD v1\.1/);
  });

  test('plain SQuAD/XQuAD without sentence breaks, with a hint where the LAReQA files are', () => {
    const [issue] = issuesOf(() => loadDataset(withGoodFile('plain-squad.json')));
    expect(issue).toMatchObject({ file: 'plain-squad.json', place: 'data[0].paragraphs[0]' });
    expect(issue.message).toMatch(/missing "sentences" and "sentence_breaks".*google-research-datasets\/lareqa/);
  });

  test('sentences and sentence_breaks of different lengths', () => {
    expect(issuesOf(() => loadDataset(withGoodFile('lengths-differ.json')))).toEqual([
      {
        file: 'lengths-differ.json',
        place: 'data[0].paragraphs[1]',
        message: '2 sentences but 1 sentence_breaks: they must pair up',
      },
    ]);
  });

  test('a malformed question: every problem of it is listed', () => {
    const issues = issuesOf(() => loadDataset(withGoodFile('bad-question.json')));
    expect(issues.map((i) => i.place)).toEqual(['data[0].paragraphs[0].qas[1]', 'data[0].paragraphs[0].qas[1]']);
    expect(issues.map((i) => i.message)).toEqual([
      '"id" must be a non-empty string',
      'missing "answers[0].answer_start"',
    ]);
  });

  test('a question id twice in one file', () => {
    const [issue] = issuesOf(() => loadDataset(withGoodFile('duplicate-id.json')));
    expect(issue).toMatchObject({ file: 'duplicate-id.json', place: 'data[0].paragraphs[1].qas[0]' });
    expect(issue.message).toBe('question id "q1" already appears at data[0].paragraphs[0].qas[0] in this file');
  });

  test('an answer in no sentence: that question is left out in that language, with a warning', () => {
    const dataset = loadDataset(withGoodFile('answer-outside.json'));
    expect(dataset.warnings).toEqual([
      {
        file: 'answer-outside.json',
        place: 'data[0].paragraphs[0].qas[1]',
        message: 'answer_start 16 falls in no sentence break; question "q2" is left out in answer-outside',
      },
    ]);
    expect(dataset.queries.filter((q) => q.lang === 'answer-outside').map((q) => q.id)).toEqual(['q1']);
    expect(dataset.relevance.q2).toBeUndefined();
    expect(datasetSummary(dataset).warnings).toBe(1);
  });

  test('no answer of a file in any sentence is an error: the offsets are wrong', () => {
    const [issue] = issuesOf(() => loadDataset(withGoodFile('offsets-wrong.json')));
    expect(issue).toMatchObject({ file: 'offsets-wrong.json', place: '' });
    expect(issue.message).toMatch(/no answer_start falls inside a sentence break/);
  });

  test('only one language', () => {
    const [issue] = issuesOf(() => loadDataset([fixture(MLQA_STYLE, 'en.json')]));
    expect(issue.file).toBe('en.json');
    expect(issue.message).toMatch(
      /only one language \(en\).*needs at least two languages to measure cross-lingual retrieval/,
    );
  });

  test('a single empty file says it is empty, not that it is one language', () => {
    expect(issuesOf(() => loadDataset([{ name: 'en.json', text: '\ufeff \n' }]))).toEqual([{ file: 'en.json', place: '', message: 'the file is empty' }]);
  });

  test('the same language twice', () => {
    const de = fixture(MLQA_STYLE, 'de.json');
    const files = [de, fixture(MLQA_STYLE, 'en.json'), { ...de, name: 'xquad.de.json' }];
    expect(issuesOf(() => loadDataset(files))).toEqual([
      { file: 'xquad.de.json', place: '', message: 'duplicate language "de": de.json is already that language' },
    ]);
  });

  test('bad options', () => {
    const files = ['de.json', 'en.json'].map((n) => fixture(MLQA_STYLE, n));
    const issues = issuesOf(() => loadDataset(files, { languages: ['en', 'fr', 'en'], articles: 0 }));
    expect(issues.map((i) => `${i.file} ${i.place}: ${i.message}`)).toEqual([
      '(options) languages: language "fr" is not in the dataset (available: de, en)',
      '(options) languages: language "en" is listed twice',
      '(options) articles: must be a whole number of at least 1, got 0',
    ]);
    expect(issuesOf(() => loadDataset(files, { languages: ['en'] }))[0].message).toMatch(/only one language \(en\)/);
  });

  test('a broken file outside the chosen languages does not matter', () => {
    const files = [...withGoodFile('empty.json'), fixture(MLQA_STYLE, 'en.json')];
    expect(loadDataset(files, { languages: ['de', 'en'] }).languages).toEqual(['de', 'en']);
  });

  test('many problems are collected, up to a cap, and summarised in the message', () => {
    const qas = Array.from({ length: 80 }, (_, i) => ({ id: `q${i}`, question: 'Q?', answers: [] }));
    const paragraph = { context: 'A.', qas, sentences: ['A.'], sentence_breaks: [[0, 2]] };
    const text = JSON.stringify({ data: [{ paragraphs: [paragraph] }] });
    const error = (() => {
      try {
        loadDataset([fixture(MLQA_STYLE, 'de.json'), { name: 'en.json', text }]);
      } catch (e) {
        return e as DatasetError;
      }
    })()!;
    expect(error.issues).toHaveLength(MAX_ISSUES);
    expect(error.issues[49].place).toBe('data[0].paragraphs[0].qas[49]');
    expect(error.message).toMatch(/^en\.json \(data\[0\]\.paragraphs\[0\]\.qas\[0\]\): missing/);
    expect(error.message).toMatch(/…and 45 more problems$/);
  });
});
