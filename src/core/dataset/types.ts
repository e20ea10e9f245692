/**
 * The in-memory shape every dataset format is parsed into. Pure data, structured-clone friendly,
 * so it crosses worker boundaries as is.
 *
 * Order is meaningful: `languages` is the dataset's language order, `candidates` are in *pool order*
 * (languages in `languages` order, then file order), and `queries` likewise. Metrics break score ties
 * by pool order, so loaders must keep it.
 */
export interface Query {
  /** Question id, shared by all translations of the same question. */
  id: string;
  lang: string;
  text: string;
}

export interface Candidate {
  /** Unique within the dataset. LAReQA: `${lang}:${article}:${paragraph}:${sentence}`. */
  id: string;
  lang: string;
  text: string;
  /** The paragraph the sentence comes from, for "sentence + paragraph" candidate text; absent in JSONL. */
  context?: string;
  /** LAReQA position key, 0-based within that language's file; absent in JSONL. */
  position?: { article: number; paragraph: number; sentence: number };
}

export interface Dataset {
  /** Short display name, e.g. "xquad-r". */
  name: string;
  /** Language codes in dataset order (pool order). At least two. */
  languages: string[];
  queries: Query[];
  candidates: Candidate[];
  /**
   * Relevance by question id: indices into `candidates` of the relevant items, over all languages,
   * ascending. LAReQA: the answer sentence in every language file where the id appears.
   */
  relevance: Record<string, number[]>;
  /**
   * Problems that did not stop loading, e.g. a LAReQA question left out in one language because its
   * answer falls in no sentence. Absent when there are none; see docs/formats.md.
   */
  warnings?: DatasetIssue[];
}

/** Options shared by every loader (the CLI's `--languages` and `--articles`). */
export interface LoadOptions {
  /** Display name; defaults to the folder the files come from. */
  name?: string;
  /** Keep only these languages, in this order (it becomes the dataset's language order). */
  languages?: string[];
  /** LAReQA only: keep the first K articles of every file (the files are parallel). */
  articles?: number;
}

/** A problem found while reading a dataset: which file, where in it, and what is wrong. */
export interface DatasetIssue {
  file: string;
  /** A human path to the place, e.g. `data[3].paragraphs[1].qas[0]` or `line 17`. Empty for the whole file. */
  place: string;
  message: string;
}

/** Thrown by loaders; `issues` lists every problem found (capped), the message summarises them. */
export class DatasetError extends Error {
  constructor(readonly issues: DatasetIssue[]) {
    super(
      issues
        .slice(0, 5)
        .map((i) => `${i.file}${i.place ? ` (${i.place})` : ''}: ${i.message}`)
        .join('\n') + (issues.length > 5 ? `\n…and ${issues.length - 5} more problems` : ''),
    );
    this.name = 'DatasetError';
  }
}

/** A file handed to a loader: its name (used in messages and to find the language) and its text. */
export interface DatasetFile {
  name: string;
  text: string;
}

/** The dev server's `/data/index.json`: the data folders it serves and their dataset files (MIRACL's as `<lang>/<file>`). */
export interface DataFolderIndex {
  folders: { name: string; files: { name: string; size: number }[] }[];
}
