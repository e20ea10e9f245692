/**
 * Public copies of the benchmark datasets (github.com/google-research-datasets/lareqa), fetched
 * straight from GitHub (or the copy named at build time) and kept in the browser's Cache API for the next visit.
 */
export const DATASET_CACHE = 'xling-lab-datasets-v1';

/**
 * The repository's raw files, or a copy with the same layout named at build time
 * (`VITE_LAREQA_BASE=https://mirror.example.org/lareqa npm run build`: a mirror for a class, the
 * static-hosting test's server; docs/hosting.md).
 */
const LAREQA_RAW = (import.meta.env.VITE_LAREQA_BASE as string | undefined)?.replace(/\/$/, '') || 'https://raw.githubusercontent.com/google-research-datasets/lareqa';

/** MLQA-R was removed from the repository's HEAD; commit 354d67d still has it, one file per language. */
const MLQA_R_COMMIT = '354d67d1cd066854cdfbf5ad0e6105528976141d';
const MLQA_R_FILES = ['ar.json', 'de.json', 'en.json', 'es.json', 'hi.json', 'vi.json', 'zh.json'];

const XQUAD_R_FILES = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'].map((lang) => `${lang}.json`);

export interface CatalogEntry {
  id: 'xquad-r' | 'mlqa-r';
  title: string;
  description: string;
  licence: string;
  files: { name: string; url: string }[];
}

export type CatalogId = CatalogEntry['id'];

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'xquad-r',
    title: 'XQuAD-R',
    description: '11 languages, fully parallel: 1190 questions and about 1200 candidate sentences per language.',
    licence: 'CC BY-SA 4.0',
    files: XQUAD_R_FILES.map((name) => ({ name: `xquad-r/${name}`, url: `${LAREQA_RAW}/HEAD/xquad-r/${name}` })),
  },
  {
    id: 'mlqa-r',
    title: 'MLQA-R',
    description: '7 languages; each question exists in 2 to 4 of them, candidate pools up to 6000 sentences.',
    licence: 'CC BY-NC 4.0',
    files: MLQA_R_FILES.map((name) => ({ name: `mlqa-r/${name}`, url: `${LAREQA_RAW}/${MLQA_R_COMMIT}/mlqa-r/${name}` })),
  },
];

export function catalogEntry(id: CatalogId): CatalogEntry {
  return CATALOG.find((entry) => entry.id === id)!;
}

/** How many of an entry's files the browser cache already holds. */
export async function cachedFileCount(entry: CatalogEntry): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  const cache = await caches.open(DATASET_CACHE);
  const hits = await Promise.all(entry.files.map((file) => cache.match(file.url)));
  return hits.filter(Boolean).length;
}
