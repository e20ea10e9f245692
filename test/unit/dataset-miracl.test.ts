/**
 * The MIRACL layout (src/core/dataset/miracl.ts): a hand-made case, the messages of broken folders,
 * and an XQuAD-R subset written in the layout (test/support/miracl-fixture.ts, a gzipped corpus file
 * included) giving the same monolingual cells as the LAReQA files it came from.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/core/dataset/load';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { writeMiraclLayout } from '../support/miracl-fixture';

const XQUAD_R = new URL('../../../shared/data/xquad-r', import.meta.url).pathname;

const file = (name: string, ...lines: string[]) => ({ name: `miracl/${name}`, text: lines.join('\n') + '\n' });
const doc = (docid: string, text: string, title = '') => JSON.stringify({ docid, title, text });

describe('MIRACL layout', () => {
  it('reads topics, qrels (rel 0 is not relevant) and the corpus files in number order, per language folder', () => {
    const dataset = loadDataset([
      file('sw/topics.tsv', '7\tNi nini?', '8\tWapi?', '9\tLini?'),
      file('sw/qrels.tsv', '7 Q0 d2 1', '7 Q0 d1 0', '8 Q0 d10 1', '8 Q0 d1 1', '9 Q0 d1 0'),
      file('sw/docs-10.jsonl', doc('d10', 'kumi', 'Kichwa')),
      file('sw/docs-2.jsonl', doc('d1', 'moja'), doc('d2', 'mbili')),
      file('fi/topics.tsv', '7\tMikä?'),
      file('fi/qrels.tsv', '7\tQ0\tx\t1'),
      file('fi/docs-0.jsonl', doc('x', 'yksi')),
    ]);
    expect(dataset.name).toBe('miracl');
    expect(dataset.languages).toEqual(['fi', 'sw']);
    expect(dataset.candidates).toEqual([
      { id: 'fi:x', lang: 'fi', text: 'yksi' },
      { id: 'sw:d1', lang: 'sw', text: 'moja' },
      { id: 'sw:d2', lang: 'sw', text: 'mbili' },
      { id: 'sw:d10', lang: 'sw', text: 'kumi', context: 'Kichwa' }, // docs-10 after docs-2
    ]);
    // Query 7 of fi and of sw are different questions: ids never shared across languages.
    expect(dataset.queries.map((q) => q.id)).toEqual(['fi:7', 'sw:7', 'sw:8']);
    expect(dataset.relevance).toEqual({ 'fi:7': [0], 'sw:7': [2], 'sw:8': [1, 3] });
    expect(dataset.warnings).toEqual([{ file: 'miracl/sw/topics.tsv', place: 'line 3', message: 'query 9 has no relevant passage in qrels.tsv: left out (it would count nowhere)' }]);
  });

  it('names the file and line of what is wrong', () => {
    const base = [file('fi/topics.tsv', '1\tq'), file('fi/qrels.tsv', '1 Q0 a 1'), file('fi/docs-0.jsonl', doc('a', 't'))];
    expect(() => loadDataset([...base, file('sw/topics.tsv', '1\tq'), file('sw/qrels.tsv', '1 Q0 zz 1'), file('sw/docs-0.jsonl', doc('a', 't'))]))
      .toThrow('miracl/sw/qrels.tsv (line 1): docid zz is not in this language\'s docs-*.jsonl');
    expect(() => loadDataset([...base, file('sw/topics.tsv', '1\tq'), file('sw/docs-0.jsonl', doc('a', 't'))]))
      .toThrow('sw/qrels.tsv: file not found');
    expect(() => loadDataset([...base, file('sw/topics.tsv', '1 q'), file('sw/qrels.tsv', '1 Q0 a 1'), file('sw/docs-0.jsonl', doc('a', 't'))]))
      .toThrow('miracl/sw/topics.tsv (line 1): expected "qid<TAB>query text"');
  });

  it('an XQuAD-R subset read as LAReQA JSON and as MIRACL layout (gzip included) gives the same monolingual cells', async () => {
    const options = { languages: ['de', 'en', 'zh'], articles: 3 };
    const lareqa = await readDatasetFolder(XQUAD_R, options);
    const dir = await mkdtemp(join(tmpdir(), 'miracl-'));
    await writeMiraclLayout(lareqa, dir);
    const miracl = await readDatasetFolder(dir);
    expect(miracl.languages).toEqual(options.languages);
    expect(miracl.candidates.length).toBe(lareqa.candidates.length);
    const evaluate = async (dataset: typeof lareqa) => (await evaluateDataset(dataset, createLexicalEncoder(), { matmul: jsMatmul })).report;
    const [a, b] = await Promise.all([evaluate(lareqa), evaluate(miracl)]);
    for (const x of options.languages) {
      expect(b.cells[x][x].n).toBeGreaterThan(50);
      expect(b.cells[x][x], x).toEqual(a.cells[x][x]);
      // Judgments are monolingual: no cross-lingual cell.
      for (const y of options.languages) if (y !== x) expect(b.cells[x][y].n).toBe(0);
    }
  });
});
