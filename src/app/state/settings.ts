/**
 * The one schema of user settings: types, defaults, and the check that persisted values still fit.
 * Everything else in the app state is derived from these or produced by explicit runs.
 */
import type { CandidateTextMode } from '../../core/dataset/texts';
import { isRecord } from '../../core/dataset/issues';
import { DEFAULT_LEXICAL_OPTIONS, validateLexicalOptions } from '../../core/encoders/lexical';
import type { EncoderSpec, ScoringChoice, StoredFile } from '../../../workers/lab/protocol';
import { CATALOG, type CatalogId } from '../datasets/catalog';

export type SourceKind = 'folder' | 'catalog' | 'files';

export interface DatasetSettings {
  /** Which of the three sources the Dataset cell uses. */
  source: SourceKind;
  /** A subfolder of the local data folder (`/data/<folder>/`). */
  folder: string | null;
  catalog: CatalogId;
  /** The user's own files, kept in IndexedDB. */
  files: StoredFile[];
  /** Languages to keep; null keeps all. */
  languages: string[] | null;
  /** Keep the first K articles of every file; null keeps all. */
  articles: number | null;
}

export interface Settings {
  dataset: DatasetSettings;
  encoder: EncoderSpec;
  candidateText: CandidateTextMode;
  scoring: ScoringChoice;
}

/** A concrete dataset: what a Load reads, and what a run was computed on. */
export type DatasetSource =
  | { kind: 'folder'; folder: string }
  | { kind: 'catalog'; id: CatalogId }
  | { kind: 'files'; files: StoredFile[] };

export interface DatasetSelection {
  source: DatasetSource;
  /** null: every language of the source. */
  languages: string[] | null;
  articles: number | null;
}

export const DEFAULT_SETTINGS: Settings = {
  dataset: { source: 'folder', folder: null, catalog: 'xquad-r', files: [], languages: null, articles: null },
  encoder: { kind: 'lexical', ...DEFAULT_LEXICAL_OPTIONS },
  candidateText: 'sentence',
  scoring: 'onnxruntime',
};

export function chosenSource(dataset: DatasetSettings): DatasetSource | null {
  switch (dataset.source) {
    case 'folder':
      return dataset.folder ? { kind: 'folder', folder: dataset.folder } : null;
    case 'catalog':
      return { kind: 'catalog', id: dataset.catalog };
    case 'files':
      return dataset.files.length > 0 ? { kind: 'files', files: dataset.files } : null;
  }
}

/** The selection a Load of these settings reads. */
export function chosenSelection(dataset: DatasetSettings, available: string[] | null): DatasetSelection | null {
  const source = chosenSource(dataset);
  return source ? { source, languages: normalizeLanguages(dataset.languages, available), articles: dataset.articles } : null;
}

/**
 * One spelling per language subset, so that selections compare equal: with the source's languages
 * known, the checked ones in the source's order, and null when that is all of them.
 */
export function normalizeLanguages(languages: string[] | null, available: string[] | null): string[] | null {
  if (!languages || !available) return languages;
  const kept = available.filter((lang) => languages.includes(lang));
  return kept.length === available.length ? null : kept;
}

export function sameSource(a: DatasetSource, b: DatasetSource): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function sameSelection(a: DatasetSelection, b: DatasetSelection): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Persisted settings from an older version or a damaged store fall back to defaults, field by field. */
export function sanitizeSettings(value: unknown): Settings {
  const input = isRecord(value) ? value : {};
  const dataset = isRecord(input.dataset) ? input.dataset : {};
  const defaults = DEFAULT_SETTINGS;
  return {
    dataset: {
      source: oneOf(dataset.source, ['folder', 'catalog', 'files'] as const, defaults.dataset.source),
      folder: typeof dataset.folder === 'string' ? dataset.folder : null,
      catalog: oneOf(dataset.catalog, CATALOG.map((entry) => entry.id), defaults.dataset.catalog),
      files: Array.isArray(dataset.files) ? dataset.files.filter(isStoredFile) : [],
      languages: isStringArray(dataset.languages) ? dataset.languages : null,
      articles: typeof dataset.articles === 'number' && Number.isInteger(dataset.articles) && dataset.articles > 0 ? dataset.articles : null,
    },
    encoder: sanitizeEncoder(input.encoder),
    candidateText: oneOf(input.candidateText, ['sentence', 'sentence+paragraph'] as const, defaults.candidateText),
    scoring: oneOf(input.scoring, ['onnxruntime', 'js'] as const, defaults.scoring),
  };
}

function sanitizeEncoder(value: unknown): EncoderSpec {
  if (!isRecord(value) || value.kind !== 'lexical') return DEFAULT_SETTINGS.encoder;
  try {
    const { dim, minN, maxN } = value;
    return { kind: 'lexical', ...validateLexicalOptions({ dim: Number(dim), minN: Number(minN), maxN: Number(maxN) }) };
  } catch {
    return DEFAULT_SETTINGS.encoder;
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStoredFile(value: unknown): value is StoredFile {
  return isRecord(value) && typeof value.name === 'string' && typeof value.key === 'string' && typeof value.size === 'number';
}
