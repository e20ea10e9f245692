import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/core/dataset/load';
import { candidateTexts, datasetSummary } from '../../src/core/dataset/texts';
import type { DatasetFile } from '../../src/core/dataset/types';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { issuesOf } from './dataset-issues';

const MINI = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/jsonl-mini');
const read = (name: string) => readFileSync(join(MINI, name), 'utf8');

/** The worked example, with any of its three files replaced by the given text. */
function files(replace: Partial<Record<'queries' | 'candidates' | 'relevance', string>> = {}): DatasetFile[] {
  return (['queries', 'candidates', 'relevance'] as const).map((role) => ({
    name: `${role}.jsonl`,
    text: replace[role] ?? read(`${role}.jsonl`),
  }));
}

const line = (value: object) => JSON.stringify(value);


describe('JSONL (the worked example of docs/formats.md)', () => {
  test('pool order, queries, relevance (several languages, several in one language)', async () => {
    const dataset = await readDatasetFolder(MINI);
    expect(dataset.name).toBe('jsonl-mini');
    expect(dataset.languages).toEqual(['de', 'en', 'fr']);
    expect(dataset.candidates.map((c) => c.id)).toEqual(['c5', 'c6', 'c1', 'c3', 'c7', 'c2', 'c4']);
    expect(dataset.candidates[0]).toEqual({ id: 'c5', lang: 'de', text: 'Der Fuji ist 3776 Meter hoch.' });
    expect(dataset.queries.map((q) => `${q.lang}/${q.id}`)).toEqual(['en/q1', 'en/q2', 'fr/q1', 'fr/q3']);
    expect(dataset.queries[2].text).toBe('Où se trouve la tour Eiffel ?');
    expect(dataset.relevance).toEqual({ q1: [2, 5], q2: [0, 3, 4, 6], q3: [1] });
    expect(dataset.warnings).toBeUndefined();
    expect(datasetSummary(dataset).languages).toEqual([
      { lang: 'de', queries: 0, candidates: 2 },
      { lang: 'en', queries: 2, candidates: 3 },
      { lang: 'fr', queries: 2, candidates: 2 },
    ]);
  });

  test('candidates without a paragraph give their text in both modes', () => {
    const dataset = loadDataset(files());
    expect(candidateTexts(dataset, 'sentence+paragraph')).toEqual(candidateTexts(dataset, 'sentence'));
  });

  test('a language subset drops queries left without a relevant candidate, with a warning', () => {
    const dataset = loadDataset(files(), { languages: ['en', 'fr'] });
    expect(dataset.candidates.map((c) => c.id)).toEqual(['c1', 'c3', 'c7', 'c2', 'c4']);
    expect(dataset.queries.map((q) => `${q.lang}/${q.id}`)).toEqual(['en/q1', 'en/q2', 'fr/q1']);
    expect(dataset.relevance).toEqual({ q1: [0, 3], q2: [1, 2, 4] });
    expect(dataset.warnings).toEqual([
      {
        file: '(options)',
        place: 'languages',
        message: '1 query has no relevant candidate in the chosen languages and is left out',
      },
    ]);
  });

  test('blank lines, CRLF, a byte-order mark, numeric ids and repeated relevance lines are fine', () => {
    const queries = '\uFEFF{"id": 1, "lang": "en", "text": "One?"}\r\n\r\n{"id": 1, "lang": "de", "text": "Eins?"}\r\n';
    const candidates = [
      { id: 10, lang: 'en', text: 'One.' },
      { id: 11, lang: 'de', text: 'Eins.' },
    ].map(line).join('\n');
    const relevance = [10, 11, 10].map((id) => line({ query_id: 1, candidate_id: id })).join('\n');
    const dataset = loadDataset(files({ queries, candidates, relevance }));
    expect(dataset.queries).toEqual([
      { id: '1', lang: 'de', text: 'Eins?' },
      { id: '1', lang: 'en', text: 'One?' },
    ]);
    expect(dataset.relevance).toEqual({ '1': [0, 1] });
  });
});

describe('JSONL validation', () => {
  test('a missing file and an unknown .jsonl file', () => {
    const [queries, candidates] = files();
    const issues = issuesOf(() => loadDataset([queries, candidates, { name: 'qrels.jsonl', text: '' }]));
    expect(issues.map((i) => i.file)).toEqual(['qrels.jsonl', 'relevance.jsonl']);
    expect(issues[0].message).toMatch(/unknown JSONL file: .*queries\.jsonl, candidates\.jsonl, relevance\.jsonl/);
    expect(issues[1].message).toMatch(/^file not found/);
  });

  test('mixing .json and .jsonl files', () => {
    const [issue] = issuesOf(() => loadDataset([...files(), { name: 'en.json', text: '{}' }]));
    expect(issue.message).toMatch(/both \.json and \.jsonl files/);
  });

  test('an empty file', () => {
    expect(issuesOf(() => loadDataset(files({ relevance: '\n\n' })))).toEqual([
      { file: 'relevance.jsonl', place: '', message: 'the file is empty' },
    ]);
  });

  test('bad lines: not JSON, not an object; every bad line is listed', () => {
    const queries = `${read('queries.jsonl')}{"id": "q4", "lang": "en"\n[1, 2]\n`;
    const issues = issuesOf(() => loadDataset(files({ queries })));
    expect(issues.map((i) => `${i.file} ${i.place}`)).toEqual(['queries.jsonl line 5', 'queries.jsonl line 6']);
    expect(issues[0].message).toMatch(/^not valid JSON: /);
    expect(issues[1].message).toBe('expected a JSON object {...}');
  });

  test('missing and wrong fields', () => {
    const bad = [{ id: 'c8', text: '' }, { id: true, lang: 'en', text: 'x' }];
    const candidates = `${read('candidates.jsonl')}${bad.map(line).join('\n')}\n`;
    const issues = issuesOf(() => loadDataset(files({ candidates })));
    expect(issues).toEqual([
      { file: 'candidates.jsonl', place: 'line 8', message: 'missing "lang"' },
      { file: 'candidates.jsonl', place: 'line 8', message: '"text" must be a non-empty string' },
      { file: 'candidates.jsonl', place: 'line 9', message: '"id" must be a non-empty string (or a number)' },
    ]);
  });

  test('duplicate ids', () => {
    const queries = `${read('queries.jsonl')}${line({ id: 'q1', lang: 'fr', text: 'Encore ?' })}\n`;
    const candidates = `${read('candidates.jsonl')}${line({ id: 'c1', lang: 'de', text: 'Noch einmal.' })}\n`;
    expect(issuesOf(() => loadDataset(files({ queries, candidates })))).toEqual([
      { file: 'queries.jsonl', place: 'line 5', message: 'query "q1" in "fr" already appears at line 2' },
      { file: 'candidates.jsonl', place: 'line 8', message: 'candidate "c1" already appears at line 1' },
    ]);
  });

  test('relevance naming unknown ids', () => {
    const relevance = `${read('relevance.jsonl')}${line({ query_id: 'q9', candidate_id: 'c99' })}\n`;
    expect(issuesOf(() => loadDataset(files({ relevance })))).toEqual([
      {
        file: 'relevance.jsonl',
        place: 'line 8',
        message: 'unknown query_id "q9": no line of queries.jsonl has this id',
      },
      {
        file: 'relevance.jsonl',
        place: 'line 8',
        message: 'unknown candidate_id "c99": no line of candidates.jsonl has this id',
      },
    ]);
  });

  test('a query with no relevant candidate, reported once for all its translations', () => {
    const relevance = read('relevance.jsonl').split('\n').slice(2).join('\n'); // drops q1's lines
    const issues = issuesOf(() => loadDataset(files({ relevance })));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'queries.jsonl', place: 'line 1' });
    expect(issues[0].message).toMatch(/^query "q1" has no relevant candidate: add a .* line to relevance\.jsonl/);
  });

  test('only one language', () => {
    const onlyEn = (name: 'queries' | 'candidates') =>
      read(`${name}.jsonl`).split('\n').filter((l) => l.includes('"en"')).join('\n');
    const relevance = [['q1', 'c1'], ['q2', 'c3']].map(([q, c]) => line({ query_id: q, candidate_id: c })).join('\n');
    const english = files({ queries: onlyEn('queries'), candidates: onlyEn('candidates'), relevance });
    const [issue] = issuesOf(() => loadDataset(english));
    expect(issue.message).toMatch(/only one language \(en\).*at least two languages/);
  });

  test('options: articles does not apply, unknown languages are named', () => {
    const issues = issuesOf(() => loadDataset(files(), { articles: 3, languages: ['en', 'zh'] }));
    expect(issues.map((i) => `${i.place}: ${i.message}`)).toEqual([
      'articles: the articles subset is for LAReQA JSON; JSONL files have no articles',
    ]);
    const [issue] = issuesOf(() => loadDataset(files(), { languages: ['en', 'zh'] }));
    expect(issue.message).toBe('language "zh" is not in the dataset (available: de, en, fr)');
  });
});
