/** Evaluation runs: what was measured, on what, with what; and what changed since. */
import type { CandidateTextMode } from '../../core/dataset/texts';
import type { EvalReport } from '../../core/metrics/types';
import type { HeadKind, SplitRecord, TrainingConfig } from '../../core/training';
import type { EncoderSpec, ScoringChoice, TrainingOutcome } from '../../../workers/lab/protocol';
import { sourceName, type ModelInfo } from '../../core/encoders/model-spec';
import { catalogEntry } from '../datasets/catalog';
import { sameSource, type DatasetSelection, type DatasetSource, type MixSettings, type TrainSettings } from './settings';
import { mixLabel } from './training';

/**
 * An evaluation of the frozen encoder, a head trained here, or an imported head; both kinds of head
 * are measured on the evaluation side of a split. A `report` run is a command line's report.json,
 * imported (run-files.ts).
 */
export type Run = EvaluationRun | TrainedRun | ImportedHeadRun | ReportRun;

export interface EvaluationRun extends RunBase {
  kind: 'evaluation';
  /**
   * Set when the run measured only the evaluation side of this split: the frozen encoder on the
   * questions a trained run of that split is measured on (its `before`), so the two compare like
   * with like. Absent: the whole loaded subset.
   */
  side?: SplitRecord;
}

export interface TrainedRun extends RunBase {
  kind: 'trained';
  /** `report` is the evaluation side with the trained head (`training.outcome.after`). */
  training: TrainingRecord;
}

export interface ImportedHeadRun extends RunBase {
  kind: 'head';
  /** `report` is the evaluation side with the imported head. */
  head: ImportedHeadRecord;
}

export interface ReportRun extends RunBase {
  kind: 'report';
  /** `report` is the eval report, or a train report's `after`; `encoder` the notebook's nearest spec of `origin.encoder`. */
  origin: ReportOrigin;
}

export interface ReportOrigin {
  fileName: string;
  command: 'eval' | 'train';
  /** The command line's encoder name, e.g. `lexical`, `onnx:models/e5`. */
  encoder: string;
  /** What was run, in words. */
  description: string;
  /** A train report's `before` (the frozen encoder on the same evaluation side). */
  before: EvalReport | null;
}

export interface ImportedHeadRecord {
  fileName: string;
  kind: HeadKind;
  dim: number;
  rank: number;
  /** The encoder the head says it was trained on. */
  encoder?: string;
  split: SplitRecord;
  /** The evaluation side with the frozen encoder. */
  before: EvalReport;
}

export interface TrainingRecord {
  mix: MixSettings;
  train: TrainSettings;
  /** Exactly what the core ran with. */
  config: TrainingConfig;
  /** Before and after, loss curve, validation and held-out curves, the split, timings. */
  outcome: TrainingOutcome;
  /** Set on the runs of one "Compare mixes" experiment. */
  experimentId: string | null;
  /** Set on the runs of one sweep: its id and this run's point of the grid (absent on older runs). */
  sweep?: SweepPoint;
}

/** A run of a sweep: mix mono = alpha, cross = 1 - alpha, trained with this seed. */
export interface SweepPoint {
  id: string;
  alpha: number;
  seed: number;
  /** The sweep's whole grid (absent on older runs): what a sweep cut short still misses (sweep.ts). */
  alphas?: number[];
  seeds?: number[];
}

export interface RunBase {
  id: string;
  /** 1, 2, 3 ... in order of creation; stays with the run when others are deleted. */
  number: number;
  createdAt: number;
  selection: DatasetSelection;
  datasetName: string;
  /** The evaluated languages, in dataset order: the heatmap's rows and columns. */
  languages: string[];
  encoder: EncoderSpec;
  candidateText: CandidateTextMode;
  scoring: ScoringChoice;
  /** The scoring backend that ran, e.g. "onnxruntime-web wasm, 2 threads". */
  backend: string;
  /** What the encoder worker ran for a transformer encoder (device, dtype); absent for lexical. */
  model?: ModelInfo | null;
  report: EvalReport;
}

/** What a run was computed with, in the terms of the current settings. */
export interface RunInputs {
  selection: DatasetSelection | null;
  encoder: EncoderSpec;
  candidateText: CandidateTextMode;
  scoring: ScoringChoice;
}

export function describeSource(source: DatasetSource): string {
  switch (source.kind) {
    case 'folder':
      return `data folder ${source.folder}`;
    case 'catalog':
      return `${catalogEntry(source.id).title} (GitHub)`;
    case 'files':
      return source.files.length === 1 ? source.files[0].name : `${source.files.length} files of yours`;
  }
}

export function describeSubset(selection: DatasetSelection): string {
  const languages = selection.languages ? selection.languages.join(' ') : 'all languages';
  const articles = selection.articles ? `first ${selection.articles} article${selection.articles === 1 ? '' : 's'}` : 'all articles';
  return `${languages}, ${articles}`;
}

export function describeEncoder(encoder: EncoderSpec): string {
  if (encoder.kind === 'lexical') return `lexical ${encoder.dim}-d, ${encoder.minN}-${encoder.maxN}-grams`;
  // The content key's start tells apart two picks of one folder name.
  if (encoder.kind === 'files') return encoder.set ? `embeddings ${encoder.set.name} ${encoder.set.dim}-d (files ${encoder.set.key.slice(7, 13)})` : 'embeddings from files (none picked)';
  const prefixes = encoder.queryPrefix || encoder.passagePrefix ? `, prefixes '${encoder.queryPrefix}' / '${encoder.passagePrefix}'` : '';
  return `${sourceName(encoder.source)} ${encoder.dtype}, ${encoder.pooling} pooling${prefixes}`;
}

/** What a run measured besides the frozen encoder, in words; empty for an evaluation. */
export function describeHeadOf(run: Run): string {
  switch (run.kind) {
    case 'evaluation':
      return run.side ? `nothing trained; evaluation side of ${run.side.spec}, seed ${run.side.seed}` : '';
    case 'trained':
      return `${describeTraining(run.training)}; evaluation side of ${run.training.outcome.split.spec}`;
    case 'head':
      return `imported head ${run.head.fileName} (${run.head.kind}); evaluation side of ${run.head.split.spec}, seed ${run.head.split.seed}`;
    case 'report':
      return `${run.origin.description} (imported ${run.origin.fileName}, encoder ${run.origin.encoder})`;
  }
}

/** A trained run's head and mix in words, e.g. "linear head, Hybrid, 300 steps, seed 1" (the seed tells a sweep's runs apart). */
export function describeTraining(training: TrainingRecord): string {
  return `${describeHead(training.train)}, ${mixLabel(training.mix)}, ${training.outcome.stepsRun} steps, seed ${training.mix.seed}`;
}

/** The split whose evaluation side a run measured; null when it measured the whole loaded subset (or, for an imported report, is not known). */
export function evaluationSide(run: Run): SplitRecord | null {
  switch (run.kind) {
    case 'evaluation':
      return run.side ?? null;
    case 'trained':
      return run.training.outcome.split;
    case 'head':
      return run.head.split;
    case 'report':
      return null;
  }
}

/** The questions a run measured, in words: the dataset, the subset and the side of a split. */
export function describeMeasured(run: Run): string {
  const side = evaluationSide(run);
  const subset = `${run.datasetName} (${describeSubset(run.selection)})`;
  return side ? `${subset}, evaluation side of ${side.spec} seed ${side.seed}` : `${subset}, all of it`;
}

/**
 * Whether two runs measured the same questions and candidates: by their dataset fingerprints when
 * both kept per-query values, else by what they say they measured.
 */
export function sameQuestions(a: Run, b: Run): boolean {
  const fingerprintA = a.report.perQuery?.datasetFingerprint;
  const fingerprintB = b.report.perQuery?.datasetFingerprint;
  if (fingerprintA !== undefined && fingerprintB !== undefined) return fingerprintA === fingerprintB;
  return describeSource(a.selection.source) === describeSource(b.selection.source) && describeMeasured(a) === describeMeasured(b);
}

/** The other runs that measured the same questions as `run`, evaluations of the frozen encoder first. */
export function matchingRuns(runs: Run[], run: Run): Run[] {
  const matching = runs.filter((other) => other.id !== run.id && sameQuestions(other, run));
  return [...matching.filter((other) => other.kind === 'evaluation'), ...matching.filter((other) => other.kind !== 'evaluation')];
}

/** The frozen encoder on a run's evaluation side, when the run carries it (a trained run's or an imported head's `before`). */
export function frozenSideOf(run: Run): { report: EvalReport; side: SplitRecord } | null {
  if (run.kind === 'trained') return { report: run.training.outcome.before, side: run.training.outcome.split };
  if (run.kind === 'head') return { report: run.head.before, side: run.head.split };
  return null;
}

/** What a run trained; runs stored before layer tuning have no `tune` and trained a head. */
function describeHead(train: TrainSettings): string {
  if (train.tune === 'layers') return train.layers === 1 ? 'top layer' : `top ${train.layers} layers`;
  return train.headKind === 'linear' ? 'linear head' : `adapter r${train.rank}`;
}

/**
 * The Batch Mix and Train settings a trained head depends on, as the stale note names them. Left
 * out: where it trained (`device`: the same head within float rounding) and the held-out checks
 * (they only watch the training). `variedBy`: what a "Compare mixes" experiment or a sweep sets
 * for each of its runs itself, so the settings never had it.
 */
const TRAINING_INPUTS: { name: string; value: (mix: MixSettings, train: TrainSettings) => string; variedBy: ('experiment' | 'sweep')[] }[] = [
  { name: 'mix', value: (mix) => mixLabel(mix), variedBy: ['experiment', 'sweep'] },
  { name: 'language weighting', value: (mix) => mix.languageWeighting, variedBy: [] },
  { name: 'left out of training', value: (mix) => mix.excludeLanguages.join(' ') || 'none', variedBy: [] },
  { name: 'batch size', value: (mix) => String(mix.batchSize), variedBy: [] },
  { name: 'seed', value: (mix) => String(mix.seed), variedBy: ['sweep'] },
  { name: 'training side', value: (mix) => String(mix.trainFraction), variedBy: [] },
  { name: 'what is trained', value: (_, train) => describeHead(train), variedBy: [] },
  { name: 'steps', value: (_, train) => String(train.steps), variedBy: [] },
  { name: 'learning rate', value: (_, train) => String(train.learningRate), variedBy: [] },
  { name: 'weight decay', value: (_, train) => String(train.weightDecay), variedBy: [] },
  { name: 'warmup steps', value: (_, train) => String(train.warmupSteps), variedBy: [] },
  { name: 'temperature', value: (_, train) => String(train.temperature), variedBy: [] },
];

/** How the Batch Mix and Train settings now differ from what a trained run was trained with, in words; empty when they do not. */
export function trainingChanges(training: TrainingRecord, current: { mix: MixSettings; train: TrainSettings }): string[] {
  const varied = training.sweep ? 'sweep' : training.experimentId !== null ? 'experiment' : null;
  return TRAINING_INPUTS.flatMap(({ name, value, variedBy }) => {
    if (varied && variedBy.includes(varied)) return [];
    const then = value(training.mix, training.train);
    const now = value(current.mix, current.train);
    return then === now ? [] : [`${name}: ${then} → ${now}`];
  });
}

/** The differences between a run's inputs and the current ones, in words; empty when it is current. */
export function inputChanges(run: Run, current: RunInputs): string[] {
  const changes: string[] = [];
  const { selection } = current;
  if (!selection || !sameSource(selection.source, run.selection.source)) {
    changes.push(`dataset: ${describeSource(run.selection.source)} → ${selection ? describeSource(selection.source) : 'none'}`);
  } else if (describeSubset(selection) !== describeSubset(run.selection)) {
    changes.push(`subset: ${describeSubset(run.selection)} → ${describeSubset(selection)}`);
  }
  if (describeEncoder(run.encoder) !== describeEncoder(current.encoder)) {
    changes.push(`encoder: ${describeEncoder(run.encoder)} → ${describeEncoder(current.encoder)}`);
  }
  if (run.candidateText !== current.candidateText) {
    changes.push(`candidate text: ${run.candidateText} → ${current.candidateText}`);
  }
  if (run.scoring !== current.scoring) {
    changes.push(`scoring: ${run.scoring} → ${current.scoring}`);
  }
  return changes;
}
