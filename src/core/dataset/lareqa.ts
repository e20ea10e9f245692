/**
 * LAReQA JSON (XQuAD-R, MLQA-R): one SQuAD v1.1 file per language whose paragraphs carry
 * `sentences` and `sentence_breaks`. See ../../../docs/formats.md and ../shared/design.md.
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

interface Question {
  id: string;
  text: string;
  /** Index of the answer sentence within its paragraph. */
  sentence: number;
}

interface Paragraph {
  context: string;
  sentences: string[];
  questions: Question[];
}

interface LanguageFile {
  lang: string;
  articles: Paragraph[][];
}

/** What one file's walk needs to report problems and catch repeated question ids. */
interface FileWalk {
  file: string;
  lang: string;
  log: IssueLog;
  /** Question id -> place of its first occurrence in this file. */
  ids: Map<string, string>;
  questions: number;
  answered: number;
}

const SQUAD_SHAPE = '{"version": ..., "data": [{"title": ..., "paragraphs": [...]}]}';

/** `en.json` -> `en`; `xquad.en.json` -> `en`, as the original XQuAD files are named. */
export function lareqaLanguage(fileName: string): string {
  const stem = baseName(fileName).replace(/\.json$/i, '');
  return stem.slice(stem.lastIndexOf('.') + 1);
}

/** Parses LAReQA files (all `*.json`) into a Dataset; throws DatasetError listing the problems. */
export function parseLareqa(files: DatasetFile[], options: LoadOptions = {}): Dataset {
  const log = new IssueLog();
  const byLang = filesByLanguage(files, log);
  const source = files.length === 1 ? files[0].name : WHOLE_DATASET;
  // An empty file says so first: "only one language" would send the user looking for a missing file.
  const chosen = [...byLang].filter(([lang]) => !options.languages || options.languages.includes(lang));
  const empty = chosen.filter(([, file]) => isBlank(file.text));
  for (const [, file] of empty) log.error(file.name, '', 'the file is empty');
  if (empty.length > 0) log.throwIfErrors();
  const languages = orderLanguages([...byLang.keys()], options.languages, source, log);
  checkArticlesOption(options.articles, log);
  log.throwIfErrors();

  // Only the chosen languages are read: a broken file the user left out must not block the subset.
  const parsed = languages.map((lang) => readFile(byLang.get(lang)!, lang, options.articles, log));
  log.throwIfErrors();
  const dataset = assemble(options.name ?? 'dataset', parsed);
  if (dataset.queries.length === 0) {
    log.error(WHOLE_DATASET, '', 'no questions found: every "qas" list is empty');
  }
  log.throwIfErrors();
  return log.warnings.length > 0 ? { ...dataset, warnings: log.warnings } : dataset;
}

function isBlank(text: string): boolean {
  return stripBom(text).trim() === '';
}

function checkArticlesOption(articles: number | undefined, log: IssueLog): void {
  if (articles !== undefined && !(Number.isInteger(articles) && articles >= 1)) {
    log.error(OPTIONS, 'articles', `must be a whole number of at least 1, got ${articles}`);
  }
}

function filesByLanguage(files: DatasetFile[], log: IssueLog): Map<string, DatasetFile> {
  const byLang = new Map<string, DatasetFile>();
  for (const file of files) {
    const lang = lareqaLanguage(file.name);
    const first = byLang.get(lang);
    const problem = lang === '' ? undefined : languageCodeProblem(lang);
    if (lang === '') {
      log.error(file.name, '', 'no language code in the file name: name it after its language, e.g. en.json');
    } else if (problem) {
      log.error(file.name, '', `${problem} (the language code comes from the file name)`);
    } else if (first) {
      log.error(file.name, '', `duplicate language "${lang}": ${first.name} is already that language`);
    } else {
      byLang.set(lang, file);
    }
  }
  checkCaseDuplicates([...byLang.keys()], (lang) => baseName(byLang.get(lang)!.name), log, WHOLE_DATASET);
  return byLang;
}

function readFile(
  file: DatasetFile,
  lang: string,
  articles: number | undefined,
  log: IssueLog,
): LanguageFile {
  const empty: LanguageFile = { lang, articles: [] };
  const text = stripBom(file.text);
  const parsed = parseJson(text);
  if (!parsed.ok) {
    log.error(file.name, parsed.place, parsed.message);
    return empty;
  }
  const data = isRecord(parsed.value) ? parsed.value.data : undefined;
  if (!Array.isArray(data)) {
    log.error(file.name, '', `no "data" array at the top level: expected SQuAD v1.1 JSON, ${SQUAD_SHAPE}`);
    return empty;
  }
  const walk: FileWalk = { file: file.name, lang, log, ids: new Map(), questions: 0, answered: 0 };
  const kept = articles === undefined ? data : data.slice(0, articles);
  const result = { lang, articles: kept.map((article, a) => readArticle(article, `data[${a}]`, walk)) };
  if (walk.questions > 0 && walk.answered === 0) {
    log.error(
      file.name,
      '',
      'no answer_start falls inside a sentence break: answer_start and sentence_breaks must be ' +
        'character offsets into the same "context"',
    );
  }
  return result;
}

function readArticle(value: unknown, place: string, walk: FileWalk): Paragraph[] {
  if (walk.log.full) return [];
  const paragraphs = isRecord(value) ? value.paragraphs : undefined;
  if (!Array.isArray(paragraphs)) {
    walk.log.error(walk.file, place, 'expected an article object with a "paragraphs" array');
    return [];
  }
  return paragraphs.map((p, i) => readParagraph(p, `${place}.paragraphs[${i}]`, walk));
}

function readParagraph(value: unknown, place: string, walk: FileWalk): Paragraph {
  const paragraph: Paragraph = { context: '', sentences: [], questions: [] };
  if (!isRecord(value)) {
    walk.log.error(walk.file, place, 'expected a paragraph object');
    return paragraph;
  }
  const { context, sentences, sentence_breaks: breaks, qas } = value;
  const problems: string[] = [];
  if (sentences === undefined && breaks === undefined) {
    problems.push(
      'missing "sentences" and "sentence_breaks": this looks like plain SQuAD/XQuAD/MLQA; use the ' +
        'LAReQA files that add sentence breaks (github.com/google-research-datasets/lareqa)',
    );
  } else {
    problems.push(
      ...fieldProblems('sentences', sentences, isStringArray, 'an array of strings'),
      ...fieldProblems('sentence_breaks', breaks, isBreakArray, 'an array of [start, end], start <= end'),
    );
    if (Array.isArray(sentences) && Array.isArray(breaks) && sentences.length !== breaks.length) {
      problems.push(`${sentences.length} sentences but ${breaks.length} sentence_breaks: they must pair up`);
    }
  }
  problems.push(
    ...fieldProblems('context', context, (c) => typeof c === 'string', 'a string'),
    ...fieldProblems('qas', qas, Array.isArray, 'an array'),
  );
  if (isBreakArray(breaks) && typeof context === 'string') problems.push(...breakLayoutProblems(breaks, context.length));
  for (const problem of problems) walk.log.error(walk.file, place, problem);
  if (problems.length > 0) return paragraph;

  paragraph.context = context as string;
  paragraph.sentences = sentences as string[];
  (qas as unknown[]).forEach((qa, i) => {
    const question = readQuestion(qa, `${place}.qas[${i}]`, breaks as Array<[number, number]>, walk);
    if (question) paragraph.questions.push(question);
  });
  return paragraph;
}

function readQuestion(
  value: unknown,
  place: string,
  breaks: Array<[number, number]>,
  walk: FileWalk,
): Question | undefined {
  const { log, file } = walk;
  if (!isRecord(value)) {
    log.error(file, place, 'expected a question object with "id", "question" and "answers"');
    return undefined;
  }
  const { id, question, answers } = value;
  const answerStart = Array.isArray(answers) && isRecord(answers[0]) ? answers[0].answer_start : undefined;
  const problems = [
    ...fieldProblems('id', id, (i) => typeof i === 'string' && i !== '', 'a non-empty string'),
    ...fieldProblems('question', question, (q) => typeof q === 'string', 'a string'),
    ...fieldProblems('answers[0].answer_start', answerStart, isOffset, 'a character offset (integer >= 0)'),
  ];
  const first = typeof id === 'string' ? walk.ids.get(id) : undefined;
  if (first !== undefined) problems.push(`question id "${id}" already appears at ${first} in this file`);
  for (const problem of problems) log.error(file, place, problem);
  if (problems.length > 0) return undefined;

  walk.ids.set(id as string, place);
  walk.questions += 1;
  const sentence = answerSentence(breaks, answerStart as number);
  if (sentence < 0) {
    // Left out rather than fatal: one bad offset in a public file must not make the dataset unusable.
    log.warn(
      file,
      place,
      `answer_start ${answerStart} falls in no sentence break; question "${id}" is left out in ${walk.lang}`,
    );
    return undefined;
  }
  walk.answered += 1;
  return { id: id as string, text: question as string, sentence };
}

/** The sentence whose break [start, end) contains the offset; end exclusive, so touching breaks resolve. */
function answerSentence(breaks: Array<[number, number]>, offset: number): number {
  return breaks.findIndex(([start, end]) => start <= offset && offset < end);
}

function assemble(name: string, files: LanguageFile[]): Dataset {
  const candidates: Candidate[] = [];
  const queries: Query[] = [];
  const relevance = new Map<string, number[]>();
  for (const { lang, articles } of files) {
    articles.forEach((paragraphs, article) =>
      paragraphs.forEach(({ context, sentences, questions }, paragraph) => {
        const first = candidates.length;
        sentences.forEach((text, sentence) =>
          candidates.push({
            id: `${lang}:${article}:${paragraph}:${sentence}`,
            lang,
            text,
            context,
            position: { article, paragraph, sentence },
          }),
        );
        for (const q of questions) {
          queries.push({ id: q.id, lang, text: q.text });
          // Candidates are pushed in pool order, so each list comes out ascending.
          const relevant = relevance.get(q.id);
          if (relevant) relevant.push(first + q.sentence);
          else relevance.set(q.id, [first + q.sentence]);
        }
      }),
    );
  }
  const languages = files.map((f) => f.lang);
  // fromEntries, not a literal `{}`: ids like "constructor" must not meet Object.prototype.
  return { name, languages, queries, candidates, relevance: Object.fromEntries(relevance) };
}

function isOffset(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((s) => typeof s === 'string');
}

/**
 * Breaks in order, each starting at or after the previous one's end, inside the context: an
 * answer offset in two overlapping sentences would be counted in whichever came first.
 */
function breakLayoutProblems(breaks: Array<[number, number]>, contextLength: number): string[] {
  const problems: string[] = [];
  breaks.forEach(([start, end], i) => {
    const previous = breaks[i - 1];
    if (previous && start < previous[1]) {
      problems.push(`sentence_breaks[${i}] [${start}, ${end}] overlaps sentence_breaks[${i - 1}] [${previous[0]}, ${previous[1]}]: breaks must be in order and must not overlap`);
    }
    if (end > contextLength) {
      problems.push(`sentence_breaks[${i}] [${start}, ${end}] ends after the context (${contextLength} characters)`);
    }
  });
  return problems;
}

function isBreakArray(value: unknown): value is Array<[number, number]> {
  return (
    Array.isArray(value) &&
    value.every((b) => Array.isArray(b) && b.length === 2 && isOffset(b[0]) && isOffset(b[1]) && b[0] <= b[1])
  );
}
