/**
 * Writes a dataset (an XQuAD-R subset, say) in the MIRACL layout, so that tests read the same data
 * both ways: per language `topics.tsv` (the query id and text), `qrels.tsv` (the answer sentence
 * with rel 1, and the sentence after it judged not relevant, rel 0) and the sentences as passages
 * (`docid` = LAReQA position, `text` = sentence, `title` = paragraph), split over `docs-0.jsonl`
 * and a gzipped `docs-1.jsonl.gz`. No copy of the data is committed: tests make it in a temporary folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Dataset } from '../../src/core/dataset/types';

export async function writeMiraclLayout(dataset: Dataset, dir: string): Promise<void> {
  const docid = (c: number) => dataset.candidates[c].id.split(':').slice(1).join('-');
  for (const lang of dataset.languages) {
    const folder = join(dir, lang);
    await mkdir(folder, { recursive: true });
    const pool = dataset.candidates.flatMap((candidate, c) => (candidate.lang === lang ? [c] : []));
    const docs = pool.map((c) => JSON.stringify({ docid: docid(c), title: dataset.candidates[c].context ?? '', text: dataset.candidates[c].text }));
    const half = Math.ceil(docs.length / 2);
    await writeFile(join(folder, 'docs-0.jsonl'), docs.slice(0, half).join('\n') + '\n');
    await writeFile(join(folder, 'docs-1.jsonl.gz'), gzipSync(docs.slice(half).join('\n') + '\n'));
    const queries = dataset.queries.filter((q) => q.lang === lang);
    await writeFile(join(folder, 'topics.tsv'), queries.map((q) => `${q.id}\t${q.text.replace(/\s+/g, ' ')}`).join('\n') + '\n');
    const qrels = queries.flatMap((q) => {
      const answer = (dataset.relevance[q.id] ?? []).find((c) => dataset.candidates[c].lang === lang) as number;
      const next = pool.includes(answer + 1) ? [`${q.id} Q0 ${docid(answer + 1)} 0`] : [];
      return [`${q.id} Q0 ${docid(answer)} 1`, ...next];
    });
    await writeFile(join(folder, 'qrels.tsv'), qrels.join('\n') + '\n');
  }
}
