/**
 * The MIRACL layout (design.md, "MIRACL layout"; docs/formats.md): one folder per language, named by
 * its code, holding `topics.tsv` (`qid<TAB>query`), `qrels.tsv` (TREC: `qid Q0 docid rel`, rel 0 =
 * judged not relevant) and the corpus `docs-*.jsonl` (`docid`, `title`, `text`; readers gunzip
 * `.jsonl.gz` before handing the text over, under the name without `.gz`).
 *
 * Decisions: judgments are monolingual and MIRACL's questions are not translations of each other,
 * so a query's id is `<lang>:<qid>` (never paired across languages) and a candidate's
 * `<lang>:<docid>`; a passage's text is its `text`, its title goes where "sentence + paragraph"
 * looks (`context`); corpus files are read in name order (docs-0, docs-1, ..., docs-10 by number),
 * passages in file order; a judged docid that is not in the corpus is an error; a topic without a
 * relevant passage is kept out (it would count nowhere) with a warning.
 */
import { IssueLog, OPTIONS, WHOLE_DATASET, baseName, isRecord, parseJson, stripBom } from './issues';
import { checkCaseDuplicates, compareCodeUnits, languageCodeProblem, orderLanguages } from './languages';
import { MIRACL_QRELS, MIRACL_TOPICS, miraclLanguage } from './miracl-names';
import type { Candidate, Dataset, DatasetFile, LoadOptions, Query } from './types';

interface LanguageFiles {
  topics?: DatasetFile;
  qrels?: DatasetFile;
  docs: DatasetFile[];
}

export function parseMiracl(files: DatasetFile[], options: LoadOptions = {}): Dataset {
  const log = new IssueLog();
  if (options.articles !== undefined) log.error(OPTIONS, 'articles', 'the articles subset is for LAReQA JSON; the MIRACL layout has no articles');
  const byLanguage = new Map<string, LanguageFiles>();
  for (const file of files) {
    const lang = miraclLanguage(file.name);
    const problem = lang === '' ? 'is not in a language folder: the MIRACL layout is <lang>/topics.tsv, <lang>/qrels.tsv, <lang>/docs-*.jsonl' : languageCodeProblem(lang);
    if (problem) {
      log.error(file.name, '', `the folder name ${problem}`);
      continue;
    }
    const entry = byLanguage.get(lang) ?? { docs: [] };
    byLanguage.set(lang, entry);
    const base = baseName(file.name);
    if (base === MIRACL_TOPICS) entry.topics = file;
    else if (base === MIRACL_QRELS) entry.qrels = file;
    else entry.docs.push(file);
  }
  for (const [lang, entry] of byLanguage) {
    for (const [what, file] of [[MIRACL_TOPICS, entry.topics], [MIRACL_QRELS, entry.qrels]] as const) {
      if (!file) log.error(`${lang}/${what}`, '', `file not found: every language folder of the MIRACL layout holds ${MIRACL_TOPICS}, ${MIRACL_QRELS} and docs-*.jsonl`);
    }
    if (entry.docs.length === 0) log.error(`${lang}/docs-*.jsonl`, '', 'no corpus file: a language folder needs docs-*.jsonl or docs-*.jsonl.gz');
  }
  const found = [...byLanguage.keys()];
  checkCaseDuplicates(found, (lang) => `language folder "${lang}"`, log, WHOLE_DATASET);
  const languages = orderLanguages(found, options.languages, WHOLE_DATASET, log);
  log.throwIfErrors();

  const queries: Query[] = [];
  const candidates: Candidate[] = [];
  const relevance: Record<string, number[]> = {};
  for (const lang of languages) {
    const entry = byLanguage.get(lang) as LanguageFiles;
    const docIndex = new Map<string, number>();
    for (const file of [...entry.docs].sort((a, b) => compareDocsNames(a.name, b.name))) readDocs(file, lang, candidates, docIndex, log);
    const judged = readQrels(entry.qrels as DatasetFile, docIndex, log);
    for (const [qid, text, line] of readTopics(entry.topics as DatasetFile, log)) {
      const id = `${lang}:${qid}`;
      if (relevance[id]) {
        log.error((entry.topics as DatasetFile).name, `line ${line}`, `query id ${qid} appears twice`);
        continue;
      }
      const relevant = [...new Set(judged.get(qid) ?? [])].sort((a, b) => a - b);
      if (relevant.length === 0) {
        log.warn((entry.topics as DatasetFile).name, `line ${line}`, `query ${qid} has no relevant passage in ${MIRACL_QRELS}: left out (it would count nowhere)`);
        continue;
      }
      relevance[id] = relevant;
      queries.push({ id, lang, text });
    }
  }
  if (queries.length === 0) log.error(WHOLE_DATASET, '', 'no query has a relevant passage');
  log.throwIfErrors();
  const dataset: Dataset = { name: options.name ?? 'dataset', languages, queries, candidates, relevance };
  return log.warnings.length > 0 ? { ...dataset, warnings: log.warnings } : dataset;
}

/** docs-2 before docs-10: by the number in the name, then by name. */
function compareDocsNames(a: string, b: string): number {
  const number = (name: string) => Number(/(\d+)/.exec(baseName(name))?.[1] ?? Infinity);
  return number(a) - number(b) || compareCodeUnits(a, b);
}

function readDocs(file: DatasetFile, lang: string, candidates: Candidate[], docIndex: Map<string, number>, log: IssueLog): void {
  stripBom(file.text).split('\n').forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || log.full) return;
    const parsed = parseJson(text);
    const value = parsed.ok ? parsed.value : undefined;
    if (!parsed.ok) return log.error(file.name, `line ${i + 1}`, parsed.message);
    if (!isRecord(value) || (typeof value.docid !== 'string' && typeof value.docid !== 'number') || typeof value.text !== 'string') {
      return log.error(file.name, `line ${i + 1}`, 'expected {"docid": ..., "title": ..., "text": ...}');
    }
    const docid = String(value.docid);
    if (docIndex.has(docid)) return log.error(file.name, `line ${i + 1}`, `docid ${docid} appears twice in ${lang}'s corpus`);
    docIndex.set(docid, candidates.length);
    const title = typeof value.title === 'string' ? value.title : '';
    candidates.push({ id: `${lang}:${docid}`, lang, text: value.text, ...(title ? { context: title } : {}) });
  });
}

/** Relevant docids (rel > 0) by qid, as candidate indices. */
function readQrels(file: DatasetFile, docIndex: Map<string, number>, log: IssueLog): Map<string, number[]> {
  const judged = new Map<string, number[]>();
  stripBom(file.text).split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || log.full) return;
    const fields = line.split(/\s+/);
    const rel = Number(fields[3]);
    if (fields.length !== 4 || !Number.isFinite(rel)) return log.error(file.name, `line ${i + 1}`, 'expected "qid Q0 docid rel" (TREC qrels)');
    if (rel <= 0) return;
    const c = docIndex.get(fields[2]);
    if (c === undefined) return log.error(file.name, `line ${i + 1}`, `docid ${fields[2]} is not in this language's docs-*.jsonl`);
    judged.set(fields[0], [...(judged.get(fields[0]) ?? []), c]);
  });
  return judged;
}

function readTopics(file: DatasetFile, log: IssueLog): [qid: string, text: string, line: number][] {
  const topics: [string, string, number][] = [];
  stripBom(file.text).split('\n').forEach((raw, i) => {
    if (raw.trim() === '' || log.full) return;
    const tab = raw.indexOf('\t');
    const text = tab < 0 ? '' : raw.slice(tab + 1).trim();
    if (tab <= 0 || text === '') return log.error(file.name, `line ${i + 1}`, 'expected "qid<TAB>query text"');
    topics.push([raw.slice(0, tab).trim(), text, i + 1]);
  });
  return topics;
}
