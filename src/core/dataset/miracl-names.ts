/**
 * The MIRACL layout's file names (miracl.ts reads the files). No imports: the dev server's data
 * folder (src/dev-server/data-server.ts) uses them too, and Vite's config loader wants plain modules.
 */
export const MIRACL_TOPICS = 'topics.tsv';
export const MIRACL_QRELS = 'qrels.tsv';
/** A corpus file, gunzipped or not. */
export const MIRACL_DOCS = /^docs-.*\.jsonl(\.gz)?$/i;

export function isMiraclFileName(name: string): boolean {
  const base = name.split(/[/\\]/).pop() as string;
  return base === MIRACL_TOPICS || base === MIRACL_QRELS || MIRACL_DOCS.test(base);
}

/** The language of a file: the folder it is in (`ar/topics.tsv` -> `ar`). */
export function miraclLanguage(name: string): string {
  const parts = name.split(/[/\\]/);
  return parts.length >= 2 ? parts[parts.length - 2] : '';
}
