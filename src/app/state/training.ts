/** From the Batch Mix and Train settings to what the core's training takes. */
import { DEFAULT_TRAINING_CONFIG, MIX_PRESETS, type MixPresetName, type TrainingConfig } from '../../core/training';
import type { SplitRecord } from '../../core/training/split';
import type { SplitChoice } from '../../../workers/lab/protocol';
import type { TuneChoice } from '../../core/tuning/layer';
import type { MixSettings, Settings, TrainSettings } from './settings';

/** Part of the training side held out for validation and early stopping (the command line's default). */
export const VALIDATION_FRACTION = 0.2;

/** The mixes of the paper's Tables 1 and 2, in its order. */
export const COMPARED_MIXES: MixPresetName[] = ['x-x-mono', 'x-y', 'hybrid'];

/** Fewer training articles than this and a head learns those articles rather than the mix. */
export const FEW_TRAINING_ARTICLES = 3;

/** A warning, before training starts, when the split leaves fewer than FEW_TRAINING_ARTICLES articles to train on; null otherwise. */
export function thinSplitWarning(split: SplitRecord): string | null {
  const articles = split.train.articles.length;
  if (articles >= FEW_TRAINING_ARTICLES) return null;
  const total = articles + split.validation.articles.length + split.evaluation.articles.length;
  return `The split leaves ${articles === 0 ? 'no article' : articles === 1 ? 'only 1 article' : `only ${articles} articles`} to train on ` +
    `(${split.spec} of ${total} article${total === 1 ? '' : 's'}, less the validation part): a head trained on so little learns ` +
    `${articles === 1 ? 'that article' : 'those articles'}, not the mix. Load more articles, or raise "Training articles" in the Batch Mix cell.`;
}

export function splitChoice(mix: MixSettings): SplitChoice {
  return { train: mix.trainFraction, validation: VALIDATION_FRACTION, seed: mix.seed };
}

export function trainingConfig(settings: Pick<Settings, 'mix' | 'train'>): TrainingConfig {
  const { mix, train } = settings;
  const trainLanguages = mix.preset ? MIX_PRESETS[mix.preset].trainLanguages : undefined;
  return {
    mix: mix.weights,
    languageWeighting: mix.languageWeighting,
    excludeLanguages: mix.excludeLanguages,
    ...(trainLanguages ? { trainLanguages } : {}),
    batchSize: mix.batchSize,
    steps: train.steps,
    seed: mix.seed,
    head: { kind: train.headKind, rank: train.rank },
    temperature: train.temperature,
    learningRate: train.learningRate,
    weightDecay: train.weightDecay,
    warmupSteps: train.warmupSteps,
    evalEvery: DEFAULT_TRAINING_CONFIG.evalEvery,
    patience: DEFAULT_TRAINING_CONFIG.patience,
    heldOutEvery: train.heldOutEvery,
    heldOutQuestions: train.heldOutQuestions,
  };
}

/** What the Train cell's settings tune. */
export function tuneChoice(train: TrainSettings): TuneChoice {
  return train.tune === 'layers' ? { kind: 'layers', layers: train.layers } : { kind: 'head' };
}

/** The mix settings of a preset, everything else kept. */
export function withPreset(mix: MixSettings, preset: MixPresetName): MixSettings {
  return { ...mix, preset, weights: { ...MIX_PRESETS[preset].mix } };
}

/** How a mix is called in tables: its preset's label, or its weights. */
export function mixLabel(mix: MixSettings): string {
  if (mix.preset) return MIX_PRESETS[mix.preset].label;
  const total = mix.weights.mono + mix.weights.mixed + mix.weights.cross;
  return (['mono', 'mixed', 'cross'] as const)
    .filter((type) => mix.weights[type] > 0)
    .map((type) => `${type} ${(mix.weights[type] / total).toFixed(2)}`)
    .join(' + ');
}
