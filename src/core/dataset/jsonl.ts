/**
 * The "bring your own" JSONL format: queries.jsonl, candidates.jsonl and relevance.jsonl, one JSON
 * object a line. See ../../../docs/formats.md for the fields and a worked example.
 */
import {
  IssueLog,
  OPTIONS,
  WHOLE_DATASET,
  baseName,
  fieldProblems,
  isRecord,
  parseJson,
  stripBom,
} from './issues';
import { checkCaseDuplicates, languageCodeProblem, orderLanguages } from './languages';
import type { Candidate, Dataset, DatasetFile, LoadOptions, Query } from './types';

export const JSONL_FILES = {
  queries: 'queries.jsonl',
  candidates: 'candidates.jsonl',
  relevance: 'relevance.jsonl',
} as const;

type Role = keyof typeof JSONL_FILES;

/** A query or a candidate line: the two share their fields. */
interface Item {
  id: string;
  lang: string;
  text: string;
  line: number;
}

interface Link {
  queryId: string;
  candidateId: string;
  line: number;
}

export interface Line {
  number: number;
  value: Record<string, unknown>;
}

/** Parses the three JSONL files into a Dataset; throws DatasetError listing the problems. */
export function parseJsonl(files: DatasetFile[], options: LoadOptions = {}): Dataset {
  const log = new IssueLog();
  if (options.articles !== undefined) {
    log.error(OPTIONS, 'articles', 'the articles subset is for LAReQA JSON; JSONL files have no articles');
  }
  const byRole = filesByRole(files, log);
  log.throwIfErrors();

  const queries = readItems(byRole.queries, log);
  const candidates = readItems(byRole.candidates, log);
  const links = readLinks(byRole.relevance, log);
  log.throwIfErrors();

  // A query id repeats once per language (translations); within a language it must be unique.
  const queryKey = (q: Item) => `${q.lang}\u0000${q.id}`;
  checkUnique(byRole.queries.name, queries, queryKey, (q) => `query "${q.id}" in "${q.lang}"`, log);
  checkUnique(byRole.candidates.name, candidates, (c) => c.id, (c) => `candidate "${c.id}"`, log);
  checkLinks(byRole, queries, candidates, links, log);
  const found = [...new Set([...queries, ...candidates].map((item) => item.lang))];
  checkCaseDuplicates(found, (lang) => `language "${lang}"`, log, WHOLE_DATASET);
  const languages = orderLanguages(found, options.languages, WHOLE_DATASET, log);
  log.throwIfErrors();

  const dataset = assemble(options.name ?? 'dataset', languages, queries, candidates, links, log);
  if (dataset.queries.length === 0) {
    log.error(OPTIONS, 'languages', 'no query is left with a relevant candidate in the chosen languages');
  }
  log.throwIfErrors();
  return log.warnings.length > 0 ? { ...dataset, warnings: log.warnings } : dataset;
}

function filesByRole(files: DatasetFile[], log: IssueLog): Record<Role, DatasetFile> {
  const byRole: Partial<Record<Role, DatasetFile>> = {};
  const expected = Object.values(JSONL_FILES).join(', ');
  for (const file of files) {
    const role = (Object.keys(JSONL_FILES) as Role[]).find((r) => JSONL_FILES[r] === baseName(file.name));
    if (!role) log.error(file.name, '', `unknown JSONL file: the format is exactly three files, ${expected}`);
    else if (byRole[role]) {
      log.error(file.name, '', `a second ${JSONL_FILES[role]} (${byRole[role]!.name} came first)`);
    }
    else byRole[role] = file;
  }
  for (const role of Object.keys(JSONL_FILES) as Role[]) {
    if (!byRole[role]) log.error(JSONL_FILES[role], '', `file not found: the JSONL format needs ${expected}`);
  }
  return byRole as Record<Role, DatasetFile>;
}

/** Non-blank lines parsed as JSON objects; blank lines (and a trailing newline) are allowed. Also reads embedding row files (encoders/precomputed.ts). */
export function readLines(file: DatasetFile, log: IssueLog): Line[] {
  const lines: Line[] = [];
  stripBom(file.text)
    .split('\n')
    .forEach((raw, i) => {
      const text = raw.trim();
      if (text === '' || log.full) return;
      const parsed = parseJson(text);
      if (!parsed.ok) log.error(file.name, `line ${i + 1}`, parsed.message);
      else if (!isRecord(parsed.value)) log.error(file.name, `line ${i + 1}`, 'expected a JSON object {...}');
      else lines.push({ number: i + 1, value: parsed.value });
    });
  if (lines.length === 0 && !log.errors.some((issue) => issue.file === file.name)) {
    log.error(file.name, '', 'the file is empty');
  }
  return lines;
}

function readItems(file: DatasetFile, log: IssueLog): Item[] {
  const items: Item[] = [];
  for (const { number, value } of readLines(file, log)) {
    const problems = [
      ...fieldProblems('id', value.id, isId, 'a non-empty string (or a number)'),
      ...fieldProblems('lang', value.lang, isNonEmptyString, 'a non-empty string, e.g. "en"'),
      ...fieldProblems('text', value.text, isNonEmptyString, 'a non-empty string'),
    ];
    const codeProblem = problems.length === 0 ? languageCodeProblem(value.lang as string) : undefined;
    if (codeProblem) problems.push(`"lang": ${codeProblem}`);
    for (const problem of problems) log.error(file.name, `line ${number}`, problem);
    if (problems.length === 0) {
      const { id, lang, text } = value as { id: string | number; lang: string; text: string };
      items.push({ id: String(id), lang, text, line: number });
    }
  }
  return items;
}

function readLinks(file: DatasetFile, log: IssueLog): Link[] {
  const links: Link[] = [];
  for (const { number, value } of readLines(file, log)) {
    const problems = [
      ...fieldProblems('query_id', value.query_id, isId, 'a non-empty string (or a number)'),
      ...fieldProblems('candidate_id', value.candidate_id, isId, 'a non-empty string (or a number)'),
    ];
    for (const problem of problems) log.error(file.name, `line ${number}`, problem);
    if (problems.length === 0) {
      links.push({ queryId: String(value.query_id), candidateId: String(value.candidate_id), line: number });
    }
  }
  return links;
}

function checkUnique(
  file: string,
  items: Item[],
  key: (item: Item) => string,
  describe: (item: Item) => string,
  log: IssueLog,
): void {
  const firstLine = new Map<string, number>();
  for (const item of items) {
    const first = firstLine.get(key(item));
    if (first === undefined) firstLine.set(key(item), item.line);
    else log.error(file, `line ${item.line}`, `${describe(item)} already appears at line ${first}`);
  }
}

function checkLinks(
  files: Record<Role, DatasetFile>,
  queries: Item[],
  candidates: Item[],
  links: Link[],
  log: IssueLog,
): void {
  const queryIds = new Set(queries.map((q) => q.id));
  const candidateIds = new Set(candidates.map((c) => c.id));
  const linked = new Set<string>();
  for (const { queryId, candidateId, line } of links) {
    const place = `line ${line}`;
    if (!queryIds.has(queryId)) {
      log.error(
        files.relevance.name,
        place,
        `unknown query_id "${queryId}": no line of ${files.queries.name} has this id`,
      );
    }
    if (!candidateIds.has(candidateId)) {
      log.error(
        files.relevance.name,
        place,
        `unknown candidate_id "${candidateId}": no line of ${files.candidates.name} has this id`,
      );
    }
    linked.add(queryId);
  }
  for (const query of queries) {
    if (linked.has(query.id)) continue;
    log.error(
      files.queries.name,
      `line ${query.line}`,
      `query "${query.id}" has no relevant candidate: ` +
        `add a {"query_id", "candidate_id"} line to ${files.relevance.name}`,
    );
    linked.add(query.id); // report each id once, not once per translation
  }
}

/** Keeps the chosen languages and lays queries and candidates out in pool order. */
function assemble(
  name: string,
  languages: string[],
  queryItems: Item[],
  candidateItems: Item[],
  links: Link[],
  log: IssueLog,
): Dataset {
  const inPoolOrder = (items: Item[]) =>
    languages.flatMap((lang) => items.filter((item) => item.lang === lang));
  const candidates: Candidate[] = inPoolOrder(candidateItems).map(({ id, lang, text }) => ({
    id,
    lang,
    text,
  }));
  const indexOf = new Map(candidates.map((c, i) => [c.id, i]));
  // A set: a repeated relevance line is harmless and counts once.
  const relevant = new Map<string, Set<number>>();
  for (const { queryId, candidateId } of links) {
    const index = indexOf.get(candidateId);
    if (index === undefined) continue; // its language was left out
    const set = relevant.get(queryId) ?? new Set<number>();
    relevant.set(queryId, set.add(index));
  }

  const queries: Query[] = [];
  let unanswerable = 0;
  for (const { id, lang, text } of inPoolOrder(queryItems)) {
    if (relevant.has(id)) queries.push({ id, lang, text });
    else unanswerable += 1;
  }
  if (unanswerable > 0) {
    log.warn(
      OPTIONS,
      'languages',
      unanswerable === 1
        ? '1 query has no relevant candidate in the chosen languages and is left out'
        : `${unanswerable} queries have no relevant candidate in the chosen languages and are left out`,
    );
  }
  const queryIds = new Set(queries.map((q) => q.id));
  const relevance = Object.fromEntries(
    [...relevant]
      .filter(([id]) => queryIds.has(id))
      .map(([id, set]) => [id, [...set].sort((a, b) => a - b)]),
  );
  return { name, languages, queries, candidates, relevance };
}

function isId(value: unknown): boolean {
  return isNonEmptyString(value) || (typeof value === 'number' && Number.isFinite(value));
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}
