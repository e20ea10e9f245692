/**
 * The one schema of user settings: types, defaults, and the check that persisted values still fit.
 * Everything else in the app state is derived from these or produced by explicit runs.
 */
import type { CandidateTextMode } from '../../core/dataset/texts';
import type { GpuChoice } from '../../core/devices';
import { isRecord } from '../../core/dataset/issues';
import { DEFAULT_LEXICAL_OPTIONS, validateLexicalOptions, type LexicalOptions } from '../../core/encoders/lexical';
import { MODEL_CATALOG } from '../../core/encoders/catalog';
import { DTYPES } from '../../core/encoders/transformer';
import { SCORING_CHOICES, type EmbeddingFilesSpec, type EncoderSpec, type ScoringChoice, type StoredEmbeddings, type StoredFile } from '../../../workers/lab/protocol';
import type { ModelSource, TransformerSpec } from '../../../workers/encoder/protocol';
import { CATALOG, type CatalogId } from '../datasets/catalog';
import { DEFAULT_TRAINING_CONFIG, MIX_PRESETS, type BatchMix, type HeadKind, type LanguageWeighting, type MixPresetName } from '../../core/training';

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

/** The Batch Mix cell: what batches training draws, and from which side of which split. */
export interface MixSettings {
  /** The preset the weights came from; null once the weights are edited by hand. */
  preset: MixPresetName | null;
  /** Weights over batch types (normalised when used). */
  weights: BatchMix;
  languageWeighting: LanguageWeighting;
  /** Languages left out of training (zero-shot); still evaluated. */
  excludeLanguages: string[];
  batchSize: number;
  /** Seeds the split, the batches and the head. */
  seed: number;
  /** Fraction of the articles on the training side (the rest is the evaluation side). */
  trainFraction: number;
}

/** The Train cell: the head, the optimiser and the schedule. */
export interface TrainSettings {
  steps: number;
  headKind: HeadKind;
  /** Adapter rank (the linear head has none). */
  rank: number;
  learningRate: number;
  weightDecay: number;
  warmupSteps: number;
  temperature: number;
  /** Measure the evaluation side every this many steps, for the live results; 0 = only at the end. */
  heldOutEvery: number;
  /** Questions sampled for each of those checks (against the whole pools); 0 = all. */
  heldOutQuestions: number;
  /** Where the trainer runs; auto never picks a software WebGPU adapter. */
  device: GpuChoice;
}

export interface Settings {
  dataset: DatasetSettings;
  /** The encoder runs use: one of the drafts. */
  encoder: EncoderSpec;
  /** The settings of each kind of encoder, kept while another kind is chosen. */
  encoderDrafts: { lexical: LexicalOptions; transformer: TransformerSpec; files: EmbeddingFilesSpec };
  candidateText: CandidateTextMode;
  scoring: ScoringChoice;
  mix: MixSettings;
  train: TrainSettings;
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

export const HUGGING_FACE_HOST = 'https://huggingface.co/';

const DEFAULT_MODEL = MODEL_CATALOG[0];

/** The first catalog model in q8 (a quarter of the fp32 download), on WebGPU where there is one. */
export const DEFAULT_TRANSFORMER: TransformerSpec = {
  kind: 'transformer',
  source: { kind: 'hub', id: DEFAULT_MODEL.id, host: HUGGING_FACE_HOST },
  dtype: 'q8',
  device: 'auto',
  pooling: DEFAULT_MODEL.pooling,
  queryPrefix: DEFAULT_MODEL.queryPrefix,
  passagePrefix: DEFAULT_MODEL.passagePrefix,
};

export const DEFAULT_SETTINGS: Settings = {
  dataset: { source: 'folder', folder: null, catalog: 'xquad-r', files: [], languages: null, articles: null },
  encoder: { kind: 'lexical', ...DEFAULT_LEXICAL_OPTIONS },
  encoderDrafts: { lexical: DEFAULT_LEXICAL_OPTIONS, transformer: DEFAULT_TRANSFORMER, files: { kind: 'files', set: null } },
  candidateText: 'sentence',
  scoring: 'auto',
  mix: {
    preset: 'hybrid',
    weights: MIX_PRESETS.hybrid.mix,
    languageWeighting: DEFAULT_TRAINING_CONFIG.languageWeighting,
    excludeLanguages: [],
    batchSize: DEFAULT_TRAINING_CONFIG.batchSize,
    seed: DEFAULT_TRAINING_CONFIG.seed,
    trainFraction: 0.5,
  },
  train: {
    steps: DEFAULT_TRAINING_CONFIG.steps,
    headKind: DEFAULT_TRAINING_CONFIG.head.kind,
    rank: DEFAULT_TRAINING_CONFIG.head.rank,
    learningRate: DEFAULT_TRAINING_CONFIG.learningRate,
    weightDecay: DEFAULT_TRAINING_CONFIG.weightDecay,
    warmupSteps: DEFAULT_TRAINING_CONFIG.warmupSteps,
    temperature: DEFAULT_TRAINING_CONFIG.temperature,
    heldOutEvery: 25,
    heldOutQuestions: DEFAULT_TRAINING_CONFIG.heldOutQuestions,
    device: 'auto',
  },
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
    ...sanitizeEncoders(input.encoder, input.encoderDrafts),
    candidateText: oneOf(input.candidateText, ['sentence', 'sentence+paragraph'] as const, defaults.candidateText),
    scoring: oneOf(input.scoring, SCORING_CHOICES, defaults.scoring),
    mix: sanitizeMix(input.mix),
    train: sanitizeTrain(input.train),
  };
}

function sanitizeMix(value: unknown): MixSettings {
  const input = isRecord(value) ? value : {};
  const defaults = DEFAULT_SETTINGS.mix;
  const weights = isRecord(input.weights) ? input.weights : {};
  const weight = (w: unknown) => (typeof w === 'number' && Number.isFinite(w) && w >= 0 ? w : 0);
  const mixWeights: BatchMix = { mono: weight(weights.mono), mixed: weight(weights.mixed), cross: weight(weights.cross) };
  const usable = mixWeights.mono + mixWeights.mixed + mixWeights.cross > 0;
  const presetNames = Object.keys(MIX_PRESETS) as MixPresetName[];
  return {
    preset: usable ? (input.preset === null ? null : oneOf(input.preset, presetNames, defaults.preset ?? 'hybrid')) : defaults.preset,
    weights: usable ? mixWeights : defaults.weights,
    languageWeighting: oneOf(input.languageWeighting, ['uniform', 'size'] as const, defaults.languageWeighting),
    excludeLanguages: isStringArray(input.excludeLanguages) ? input.excludeLanguages : [],
    batchSize: integerAtLeast(input.batchSize, 2, defaults.batchSize),
    seed: integerAtLeast(input.seed, 0, defaults.seed),
    trainFraction: typeof input.trainFraction === 'number' && input.trainFraction > 0 && input.trainFraction < 1 ? input.trainFraction : defaults.trainFraction,
  };
}

function sanitizeTrain(value: unknown): TrainSettings {
  const input = isRecord(value) ? value : {};
  const defaults = DEFAULT_SETTINGS.train;
  const positive = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : fallback);
  return {
    steps: integerAtLeast(input.steps, 1, defaults.steps),
    headKind: oneOf(input.headKind, ['linear', 'adapter'] as const, defaults.headKind),
    rank: integerAtLeast(input.rank, 1, defaults.rank),
    learningRate: positive(input.learningRate, defaults.learningRate),
    weightDecay: typeof input.weightDecay === 'number' && input.weightDecay >= 0 ? input.weightDecay : defaults.weightDecay,
    warmupSteps: integerAtLeast(input.warmupSteps, 0, defaults.warmupSteps),
    temperature: positive(input.temperature, defaults.temperature),
    heldOutEvery: integerAtLeast(input.heldOutEvery, 0, defaults.heldOutEvery),
    heldOutQuestions: integerAtLeast(input.heldOutQuestions, 0, defaults.heldOutQuestions),
    device: oneOf(input.device, ['auto', 'webgpu', 'cpu'] as const, defaults.device),
  };
}

function integerAtLeast(value: unknown, min: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min ? value : fallback;
}

function sanitizeEncoders(active: unknown, drafts: unknown): Pick<Settings, 'encoder' | 'encoderDrafts'> {
  const saved = isRecord(drafts) ? drafts : {};
  const activeKind = isRecord(active) ? active.kind : undefined;
  const lexical = sanitizeLexical(activeKind === 'lexical' ? active : saved.lexical);
  const transformer = sanitizeTransformer(activeKind === 'transformer' ? active : saved.transformer);
  const files = sanitizeEmbeddingFiles(activeKind === 'files' ? active : saved.files);
  const encoder: EncoderSpec = activeKind === 'transformer' ? transformer : activeKind === 'files' ? files : { kind: 'lexical', ...lexical };
  return { encoder, encoderDrafts: { lexical, transformer, files } };
}

function sanitizeEmbeddingFiles(value: unknown): EmbeddingFilesSpec {
  const stored = isRecord(value) && isRecord(value.set) ? value.set : null;
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  const valid = stored && typeof stored.key === 'string' && typeof stored.name === 'string' && count(stored.dim) && count(stored.queries) && count(stored.candidates);
  return { kind: 'files', set: valid ? (stored as unknown as StoredEmbeddings) : null };
}

function sanitizeLexical(value: unknown): LexicalOptions {
  if (!isRecord(value)) return DEFAULT_LEXICAL_OPTIONS;
  try {
    return validateLexicalOptions({ dim: Number(value.dim), minN: Number(value.minN), maxN: Number(value.maxN) });
  } catch {
    return DEFAULT_LEXICAL_OPTIONS;
  }
}

function sanitizeTransformer(value: unknown): TransformerSpec {
  if (!isRecord(value)) return DEFAULT_TRANSFORMER;
  const source = sanitizeModelSource(value.source);
  if (!source) return DEFAULT_TRANSFORMER;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    kind: 'transformer',
    source,
    dtype: oneOf(value.dtype, DTYPES, DEFAULT_TRANSFORMER.dtype),
    device: oneOf(value.device, ['auto', 'webgpu', 'wasm'] as const, 'auto'),
    pooling: oneOf(value.pooling, ['mean', 'cls'] as const, 'mean'),
    queryPrefix: text(value.queryPrefix),
    passagePrefix: text(value.passagePrefix),
  };
}

function sanitizeModelSource(value: unknown): ModelSource | null {
  if (!isRecord(value)) return null;
  const filled = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (value.kind === 'hub' && filled(value.id)) return { kind: 'hub', id: value.id, host: filled(value.host) ? value.host : HUGGING_FACE_HOST };
  if (value.kind === 'served' && filled(value.name)) return { kind: 'served', name: value.name };
  if (value.kind === 'picked' && filled(value.key) && filled(value.name)) return { kind: 'picked', key: value.key, name: value.name };
  return null;
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
