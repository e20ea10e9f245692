/**
 * The one table of user settings (types, defaults, validation, link keys) and what derives from it.
 * Everything else in the app state is derived from these or produced by explicit runs.
 */
import type { GpuChoice } from '../../core/devices';
import { isRecord } from '../../core/dataset/issues';
import type { DatasetFormat } from '../../core/dataset/load';
import { DEFAULT_LEXICAL_OPTIONS, validateLexicalOptions, type LexicalOptions } from '../../core/encoders/lexical';
import { MODEL_CATALOG } from '../../core/encoders/catalog';
import { DTYPES } from '../../core/encoders/model-folder';
import { SCORING_CHOICES, type EmbeddingFilesSpec, type EncoderSpec, type StoredEmbeddings, type StoredFile } from '../../../workers/lab/protocol';
import type { ModelSource, TransformerSpec } from '../../core/encoders/model-spec';
import { CATALOG, type CatalogId } from '../datasets/catalog';
import { BATCH_TYPES } from '../../core/training/mix';
import { MIN_CANDIDATE_BLOCK, RANKING_PATHS } from '../../core/job-size';
import { DEFAULT_CANDIDATE_BLOCK } from '../../core/metrics/streaming';
import { checkedValues, choice, codes, codesOrAll, constant, countOrAll, defaultsOf, field, integer, local, nameOrNone, number, text, type Rejection, type ValuesOf } from './setting-fields';
import { DEFAULT_TRAINING_CONFIG, MIX_PRESETS, type BatchMix, type HeadKind, type LanguageWeighting, type MixPresetName } from '../../core/training';

export const SOURCE_KINDS = ['folder', 'catalog', 'files'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const HUGGING_FACE_HOST = 'https://huggingface.co/';

const DEFAULT_MODEL = MODEL_CATALOG[0];

/**
 * Every user-settable property: its type, default, validation and link key. The settings type, the
 * defaults, the sanitiser of stored settings and the link codec (link.ts) all come from this table.
 * Two rules relate fields (see `sanitizeSettings`): the active encoder is the draft of its kind, and
 * a mix preset is kept only while the weights are the preset's.
 */
/** One batch type's weight, as the Batch Mix cell's fields take it (the weights field checks all three). */
export const WEIGHT_FIELD = number(null, 0, (value) => value >= 0 && value <= 1000, 'a number from 0 to 1,000');

export const SETTINGS_TABLE = {
  dataset: {
    /** Which of the three sources the Dataset cell uses. */
    source: choice('source', SOURCE_KINDS, 'folder'),
    /** A subfolder of the local data folder (`/data/<folder>/`). */
    folder: nameOrNone('folder'),
    catalog: choice('catalog', CATALOG.map((entry) => entry.id), 'xquad-r'),
    /** The user's own files, kept in IndexedDB (so never in a link). */
    files: local<StoredFile[]>([], (value) => (Array.isArray(value) ? value.filter(isStoredFile) : undefined), 'a list of stored files'),
    /** Languages to keep; null keeps all. */
    languages: codesOrAll('languages'),
    /** Keep the first K articles of every file; null keeps all. */
    articles: countOrAll('articles', 1_000_000),
  },
  /** The encoder runs use: the draft of its kind (only the kind is read from this field). */
  encoder: field<EncoderSpec>({
    default: { kind: 'lexical', ...DEFAULT_LEXICAL_OPTIONS },
    check: (value) => (isRecord(value) && ENCODER_KINDS.includes(value.kind as EncoderKind) ? draftPlaceholder(value.kind as EncoderKind) : undefined),
    rule: 'one of lexical, transformer, files',
    link: { key: 'encoder', write: (value) => value.kind, read: (kind) => ({ kind }) },
  }),
  /** The settings of each kind of encoder, kept while another kind is chosen. */
  encoderDrafts: {
    lexical: field<LexicalOptions>({
      default: DEFAULT_LEXICAL_OPTIONS,
      check: checkLexical,
      rule: 'dimension,min-max n-gram lengths the lexical encoder takes (e.g. 2048,2-4)',
      link: {
        key: 'lexical',
        write: ({ dim, minN, maxN }) => `${dim},${minN}-${maxN}`,
        read: (text) => {
          const match = /^(\d+),(\d+)-(\d+)$/.exec(text);
          return match ? { dim: Number(match[1]), minN: Number(match[2]), maxN: Number(match[3]) } : undefined;
        },
      },
    }),
    transformer: {
      kind: constant('transformer'),
      /** The first catalog model in q8 (a quarter of the fp32 download), on WebGPU where there is one. */
      source: field<ModelSource>({
        default: { kind: 'hub', id: DEFAULT_MODEL.id, host: HUGGING_FACE_HOST },
        check: checkModelSource,
        rule: 'hub:<id>, served:<name> or picked:<key>:<name>',
        link: { key: 'model', write: writeModelSource, read: readModelSource },
      }),
      dtype: choice('dtype', DTYPES, 'q8'),
      device: choice('model-device', ['auto', 'webgpu', 'wasm'] as const, 'auto'),
      pooling: choice('pooling', ['mean', 'cls'] as const, DEFAULT_MODEL.pooling),
      queryPrefix: text('query-prefix', DEFAULT_MODEL.queryPrefix),
      passagePrefix: text('passage-prefix', DEFAULT_MODEL.passagePrefix),
    },
    files: {
      kind: constant('files'),
      /** Embeddings picked in this browser (so never in a link). */
      set: local<StoredEmbeddings | null>(null, (value) => (value === null || isStoredEmbeddings(value) ? value : undefined), 'embeddings stored in this browser, or none'),
    },
  },
  candidateText: choice('candidates', ['sentence', 'sentence+paragraph'] as const, 'sentence'),
  scoring: choice('scoring', SCORING_CHOICES, 'auto'),
  /** The Evaluate cell's Ranking (core/job-size.ts, notebookStreams): the same report either way. */
  ranking: {
    path: choice('ranking', RANKING_PATHS, 'auto'),
    /** Candidates per block when streaming: memory against calls. */
    block: integer('candidate-block', MIN_CANDIDATE_BLOCK, DEFAULT_CANDIDATE_BLOCK, 1_048_576),
  },
  /** The Batch Mix cell: what batches training draws, and from which side of which split. */
  mix: {
    /** The preset the weights came from; null once the weights are edited by hand. */
    preset: field<MixPresetName | null>({
      default: 'hybrid',
      check: (value) => (value === null || (typeof value === 'string' && Object.hasOwn(MIX_PRESETS, value)) ? (value as MixPresetName | null) : undefined),
      rule: `one of ${Object.keys(MIX_PRESETS).join(', ')}, custom`,
      link: { key: 'preset', write: (value) => value ?? 'custom', read: (text) => (text === 'custom' ? null : text) },
    }),
    /** Weights over batch types (normalised when used), `mono,mixed,cross` in links. */
    weights: field<BatchMix>({
      default: MIX_PRESETS.hybrid.mix,
      check: checkWeights,
      rule: `mono,mixed,cross weights, each ${WEIGHT_FIELD.rule}, not all 0`,
      link: {
        key: 'weights',
        write: (value) => BATCH_TYPES.map((type) => value[type]).join(','),
        read: (text) => {
          const parts = text.split(',').map(Number);
          return parts.length === BATCH_TYPES.length ? Object.fromEntries(BATCH_TYPES.map((type, i) => [type, parts[i]])) : undefined;
        },
      },
    }),
    languageWeighting: choice<LanguageWeighting>('weighting', ['uniform', 'size'], DEFAULT_TRAINING_CONFIG.languageWeighting),
    /** Languages left out of training (zero-shot); still evaluated. */
    excludeLanguages: codes('exclude'),
    batchSize: integer('batch', 2, DEFAULT_TRAINING_CONFIG.batchSize, 4096),
    /** Seeds the split, the batches and the head. */
    seed: integer('seed', 0, DEFAULT_TRAINING_CONFIG.seed, 2 ** 32 - 1),
    /** Fraction of the articles on the training side (the rest is the evaluation side). */
    trainFraction: number('train-fraction', 0.5, (value) => value > 0 && value < 1, 'a fraction above 0 and below 1'),
  },
  /** The Train cell: the head, the optimiser and the schedule. */
  train: {
    steps: integer('steps', 1, DEFAULT_TRAINING_CONFIG.steps, 100_000),
    headKind: choice<HeadKind>('head', ['linear', 'adapter'], DEFAULT_TRAINING_CONFIG.head.kind),
    /** Adapter rank (the linear head has none). */
    rank: integer('rank', 1, DEFAULT_TRAINING_CONFIG.head.rank, 8192),
    /** What is trained: a projection head, or the transformer encoder's own top `layers` layers. */
    tune: choice('tune', ['head', 'layers'] as const, 'head'),
    layers: integer('layers', 1, 1, 64),
    learningRate: number('lr', DEFAULT_TRAINING_CONFIG.learningRate, (value) => value > 0 && value <= 10, 'a number above 0, at most 10'),
    weightDecay: number('weight-decay', DEFAULT_TRAINING_CONFIG.weightDecay, (value) => value >= 0 && value <= 10, 'a number from 0 to 10'),
    warmupSteps: integer('warmup', 0, DEFAULT_TRAINING_CONFIG.warmupSteps, 100_000),
    temperature: number('temperature', DEFAULT_TRAINING_CONFIG.temperature, (value) => value > 0 && value <= 100, 'a number above 0, at most 100'),
    /** Measure the evaluation side every this many steps, for the live results; 0 = only at the end. */
    heldOutEvery: integer('held-out-every', 0, 25, 100_000),
    /** Questions sampled for each of those checks (against the whole pools); 0 = all. */
    heldOutQuestions: integer('held-out-questions', 0, DEFAULT_TRAINING_CONFIG.heldOutQuestions, 1_000_000),
    /** Where the trainer runs; auto never picks a software WebGPU adapter. */
    device: choice<GpuChoice>('device', ['auto', 'webgpu', 'cpu'], 'auto'),
  },
};

export type Settings = ValuesOf<typeof SETTINGS_TABLE>;
export type DatasetSettings = Settings['dataset'];
export type MixSettings = Settings['mix'];
export type TrainSettings = Settings['train'];

// The table's types are the protocol's: a mismatch fails to compile here.
const _sameEncoderTypes: [EncoderSpec, Settings['encoderDrafts']['transformer'], Settings['encoderDrafts']['files']] extends [Settings['encoder'], TransformerSpec, EmbeddingFilesSpec] ? true : never = true;
void _sameEncoderTypes;

type EncoderKind = EncoderSpec['kind'];
const ENCODER_KINDS: readonly EncoderKind[] = ['lexical', 'transformer', 'files'];

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

export const DEFAULT_SETTINGS: Settings = defaultsOf(SETTINGS_TABLE);

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

/**
 * The selection a Load of these settings reads. `format`: the source's, where its file names say;
 * the first-K-articles setting applies to LAReQA JSON alone.
 */
export function chosenSelection(dataset: DatasetSettings, available: string[] | null, format: DatasetFormat | null = null): DatasetSelection | null {
  const source = chosenSource(dataset);
  const articles = format === 'miracl' || format === 'jsonl' ? null : dataset.articles;
  return source ? { source, languages: normalizeLanguages(dataset.languages, available), articles } : null;
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

/**
 * Settings from a store or a link, field by field: a field that is absent or invalid takes its
 * default (`rejected` gets each invalid one and why). Then the table's two rules.
 */
export function sanitizeSettings(value: unknown, rejected: Rejection[] = []): Settings {
  const checked = checkedValues(SETTINGS_TABLE, value, rejected);
  const { mix, encoderDrafts } = checked;
  const preset = mix.preset && sameWeights(MIX_PRESETS[mix.preset].mix, mix.weights) ? mix.preset : null;
  const encoder: EncoderSpec = checked.encoder.kind === 'lexical' ? { kind: 'lexical', ...encoderDrafts.lexical } : encoderDrafts[checked.encoder.kind];
  return { ...checked, encoder, mix: { ...mix, preset } };
}

function sameWeights(a: BatchMix, b: BatchMix): boolean {
  return BATCH_TYPES.every((type) => a[type] === b[type]);
}

/** The encoder field's value stands for its kind only; the sanitiser puts the draft of that kind in its place. */
function draftPlaceholder(kind: EncoderKind): EncoderSpec {
  return kind === 'lexical' ? { kind, ...DEFAULT_LEXICAL_OPTIONS } : kind === 'files' ? { kind, set: null } : { ...defaultsOf(SETTINGS_TABLE.encoderDrafts.transformer) };
}

function checkLexical(value: unknown): LexicalOptions | undefined {
  if (!isRecord(value)) return undefined;
  try {
    return validateLexicalOptions({ dim: Number(value.dim), minN: Number(value.minN), maxN: Number(value.maxN) });
  } catch {
    return undefined;
  }
}

function checkWeights(value: unknown): BatchMix | undefined {
  if (!isRecord(value)) return undefined;
  const weights = BATCH_TYPES.map((type) => value[type]);
  const valid = weights.every((w) => WEIGHT_FIELD.check(w) !== undefined) && (weights as number[]).some((w) => w > 0);
  return valid ? (Object.fromEntries(BATCH_TYPES.map((type, i) => [type, weights[i]])) as unknown as BatchMix) : undefined;
}

function checkModelSource(value: unknown): ModelSource | undefined {
  if (!isRecord(value)) return undefined;
  const filled = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (value.kind === 'hub' && filled(value.id)) return { kind: 'hub', id: value.id, host: filled(value.host) ? value.host : HUGGING_FACE_HOST };
  if (value.kind === 'served' && filled(value.name)) return { kind: 'served', name: value.name };
  if (value.kind === 'picked' && filled(value.key) && filled(value.name)) return { kind: 'picked', key: value.key, name: value.name };
  return undefined;
}

/** `hub:<id>` (with `@<host>` when not Hugging Face's), `served:<name>`, `picked:<key>:<name>` (this browser only). */
function writeModelSource(source: ModelSource): string {
  switch (source.kind) {
    case 'hub':
      return `hub:${source.id}${source.host === HUGGING_FACE_HOST ? '' : `@${source.host}`}`;
    case 'served':
      return `served:${source.name}`;
    case 'picked':
      return `picked:${source.key}:${source.name}`;
  }
}

function readModelSource(text: string): unknown {
  const [kind, ...parts] = text.split(':');
  const rest = parts.join(':');
  if (kind === 'hub') {
    const at = rest.indexOf('@');
    return at < 0 ? { kind, id: rest } : { kind, id: rest.slice(0, at), host: rest.slice(at + 1) };
  }
  if (kind === 'served') return { kind, name: rest };
  if (kind === 'picked') return { kind, key: parts[0], name: parts.slice(1).join(':') };
  return undefined;
}

function isStoredFile(value: unknown): value is StoredFile {
  return isRecord(value) && typeof value.name === 'string' && typeof value.key === 'string' && typeof value.size === 'number';
}

function isStoredEmbeddings(value: unknown): value is StoredEmbeddings {
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  return isRecord(value) && typeof value.key === 'string' && typeof value.name === 'string' && count(value.dim) && count(value.queries) && count(value.candidates);
}
