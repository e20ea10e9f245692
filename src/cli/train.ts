/**
 * `npm run xling -- train`: contrastive fine-tuning of a projection head on a frozen encoder's
 * embeddings, measured before and after on the evaluation side of a split. Contract: design.md,
 * "Command line"; decisions and defaults: docs/training.md.
 */
import type { CandidateTextMode } from '../core/dataset/texts';
import { candidateTexts } from '../core/dataset/texts';
import type { Dataset } from '../core/dataset/types';
import type { SentenceEncoder } from '../core/encoders/types';
import { serializeHead } from '../core/training/head';
import { formatMix, parseMix, type LanguageWeighting, type MixPresetName } from '../core/training/mix';
import { DEFAULT_TRAINING_CONFIG, TrainingSession, type CachedEmbeddings, type TrainingConfig, type TrainingResult, type TrainingRunOptions } from '../core/training/run';
import type { ProjectionHead } from '../core/training/head';
import { layerParameterCount, type LayerWeights } from '../core/tuning/layer';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { layerModelInputs } from '../core/tuning/layer-model';
import { createOrtLayerEngine } from '../core/tuning/ort-engine';
import * as ort from 'onnxruntime-node';
import { prepareNodeLayerTuning, tunedModelFiles, type NodeLayerTuning } from '../node/layer-tuning';
import type { TransformerEncoder } from '../transformers/transformers-encoder';
import { parseSplitSpec, splitByArticles, splitByDatasets, type DataSplit } from '../core/training/split';
import { evalReportJson } from '../core/stats/report-json';
import type { TuneChoice } from '../core/tuning/layer';
import { logJobEstimate } from './job-estimate';
import { ProgressLog } from './progress';
import { ENCODER_FLAG_OPTIONS, encoderSettings, parseEncoderFlags, resolveEncoder, type EncoderFlags } from '../node/encoders';
import { cliScoringMatmul } from '../node/scoring';
import { readDatasetFolder } from '../node/read-dataset';
import { datasetNotes } from './dataset-notes';
import { parseFlags } from './flags';
import { checkOutputs, writeOutputFile } from './outputs';

const D = DEFAULT_TRAINING_CONFIG;

export const TRAIN_USAGE = `  npm run xling -- train --dataset <dir> --encoder <name> --out <report.json> [options]

Options for train (defaults in brackets; see docs/training.md):
  --mix MIX               batch mix: mono=0.5,cross=0.5 or a preset: en-en, x-x, x-x-mono, x-y, hybrid [hybrid]
  --split SPEC            articles:F trains on a fraction F of the articles and evaluates on the rest,
                          dataset:<dir> trains on --dataset and evaluates on another dataset [articles:0.5]
  --steps N               maximum training steps [${D.steps}]
  --batch B               pairs per batch [${D.batchSize}]
  --seed S                seeds the split, the batches and the head [${D.seed}]
  --encoder, --query-prefix, --passage-prefix, --pooling, --dtype    as for eval
  --languages en,de,zh    keep only these language files;  --articles K  keep the first K articles
  --exclude el,vi         languages left out of training (zero-shot); they are still evaluated
  --language-weights W    uniform or size [uniform]
  --head KIND             adapter (low-rank residual) or linear [${D.head.kind}];  --rank R [${D.head.rank}]
  --lr X  --weight-decay X  --warmup N  --temperature X     [${D.learningRate}, ${D.weightDecay}, ${D.warmupSteps}, ${D.temperature}]
  --validation F          fraction of the training articles held out for early stopping [0.2]
  --eval-every N          validate every N steps [${D.evalEvery}];  --patience P  checks without gain [${D.patience}]
  --held-out-every N      also measure the evaluation side every N steps (a learning curve) [off]
  --held-out-questions Q  questions sampled for each of those checks, against the whole pools; 0 = all [${D.heldOutQuestions}]
  --tune WHAT             head (a projection head on the frozen encoder's vectors) or layers:K (the
                          encoder's own top K transformer layers; onnx: and hf: encoders) [head]
  --export-head <file>    write the trained head (JSON, format in src/core/training/head.ts)
  --export-model <dir>    with --tune layers:K: write the tuned encoder as a model folder (config,
                          tokenizer, onnx/model.onnx with the tuned layers' weights)
  --candidate-text MODE   sentence or sentence+paragraph [sentence]
  --per-query             add per_query and dataset_fingerprint to before and after (for compare)`;

export class TrainUsageError extends Error {}

/** The flags train reads (sweep reads them too, less --mix and --seed). */
export const TRAIN_FLAG_OPTIONS = {
  dataset: { type: 'string' },
  encoder: { type: 'string', default: 'lexical' },
  out: { type: 'string' },
  mix: { type: 'string', default: 'hybrid' },
  split: { type: 'string', default: 'articles:0.5' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  languages: { type: 'string' },
  articles: { type: 'string' },
  exclude: { type: 'string' },
  'language-weights': { type: 'string', default: 'uniform' },
  head: { type: 'string' },
  rank: { type: 'string' },
  lr: { type: 'string' },
  'weight-decay': { type: 'string' },
  warmup: { type: 'string' },
  temperature: { type: 'string' },
  validation: { type: 'string', default: '0.2' },
  'eval-every': { type: 'string' },
  patience: { type: 'string' },
  'held-out-every': { type: 'string' },
  'held-out-questions': { type: 'string' },
  'export-head': { type: 'string' },
  tune: { type: 'string', default: 'head' },
  'export-model': { type: 'string' },
  'candidate-text': { type: 'string', default: 'sentence' },
  ...ENCODER_FLAG_OPTIONS,
} as const;

type TrainFlagValues = ReturnType<typeof parseTrainFlags>;

function parseTrainFlags(args: string[]) {
  return parseFlags(args, { ...TRAIN_FLAG_OPTIONS, 'per-query': { type: 'boolean', default: false } }).values;
}

/** What the flags ask for: the training configuration and how to load and split the data. */
export interface TrainSetup {
  datasetDir: string;
  encoderName: string;
  encoderFlags: EncoderFlags;
  candidateText: CandidateTextMode;
  config: TrainingConfig;
  preset: MixPresetName | undefined;
  /** `articles:F` or `dataset:<dir>`. */
  split: string;
  /** What is trained: a head, or the encoder's top `layers` layers. */
  tune: TuneChoice;
  validationFraction: number;
  subset: { languages?: string[]; articles?: number };
}

/** Checks the flags shared by train and sweep and turns them into a setup; `command` names the command in messages. */
export function trainSetup(values: Omit<TrainFlagValues, 'per-query'>, command: string): TrainSetup {
  if (!values.dataset) throw new TrainUsageError(`${command} needs --dataset <dir>.`);
  const candidateText = values['candidate-text'];
  if (candidateText !== 'sentence' && candidateText !== 'sentence+paragraph') {
    throw new TrainUsageError(`--candidate-text must be 'sentence' or 'sentence+paragraph', got '${candidateText}'.`);
  }
  const weighting = values['language-weights'];
  if (weighting !== 'uniform' && weighting !== 'size') throw new TrainUsageError(`--language-weights must be 'uniform' or 'size', got '${weighting}'.`);
  const headKind = values.head ?? D.head.kind;
  if (headKind !== 'adapter' && headKind !== 'linear') throw new TrainUsageError(`--head must be 'adapter' or 'linear', got '${headKind}'.`);
  const mix = usage(() => parseMix(values.mix));
  const encoderFlags = usage(() => parseEncoderFlags(values.encoder, values));
  const list = (text: string | undefined) => text?.split(',').map((l) => l.trim()).filter(Boolean);

  const config: TrainingConfig = {
    mix: mix.mix,
    languageWeighting: weighting as LanguageWeighting,
    excludeLanguages: list(values.exclude) ?? [],
    trainLanguages: mix.trainLanguages,
    batchSize: integer('--batch', values.batch, D.batchSize, 2),
    steps: integer('--steps', values.steps, D.steps, 1),
    seed: integer('--seed', values.seed, D.seed, 0),
    head: { kind: headKind, rank: integer('--rank', values.rank, D.head.rank, 1) },
    temperature: number('--temperature', values.temperature, D.temperature),
    learningRate: number('--lr', values.lr, D.learningRate),
    weightDecay: number('--weight-decay', values['weight-decay'], D.weightDecay, true),
    warmupSteps: integer('--warmup', values.warmup, D.warmupSteps, 0),
    evalEvery: integer('--eval-every', values['eval-every'], D.evalEvery, 0),
    patience: integer('--patience', values.patience, D.patience, 0),
    heldOutEvery: integer('--held-out-every', values['held-out-every'], D.heldOutEvery, 0),
    heldOutQuestions: integer('--held-out-questions', values['held-out-questions'], D.heldOutQuestions, 0),
  };
  const validationFraction = number('--validation', values.validation, 0.2, true);
  const subset = {
    languages: list(values.languages),
    articles: values.articles === undefined ? undefined : integer('--articles', values.articles, 0, 1),
  };
  if (!values.split.startsWith('dataset:')) usage(() => parseSplitSpec(values.split));
  const tune = parseTune(values.tune, values.encoder);
  if (tune.kind === 'layers' && encoderFlags.dtype !== undefined && encoderFlags.dtype !== 'fp32') {
    throw new TrainUsageError(`--tune ${values.tune} starts from the model's fp32 weights (onnx/model.onnx) and caches fp32 hidden states: leave --dtype ${encoderFlags.dtype} out.`);
  }
  return {
    datasetDir: values.dataset,
    encoderName: values.encoder,
    encoderFlags,
    candidateText,
    config,
    preset: mix.preset,
    split: values.split,
    tune,
    validationFraction,
    subset,
  };
}

/** `--tune head` or `--tune layers:K`; layers need a transformer encoder (K is checked against the model once loaded). */
export function parseTune(text: string, encoder: string): TuneChoice {
  if (text === 'head') return { kind: 'head' };
  const match = /^layers:(\d+)$/.exec(text);
  if (!match) throw new TrainUsageError(`--tune must be 'head' or 'layers:K' (K = how many top layers of the encoder to tune, e.g. layers:1), got '${text}'.`);
  if (!encoder.startsWith('onnx:') && !encoder.startsWith('hf:')) {
    throw new TrainUsageError(`--tune ${text} tunes the top layers of a transformer encoder, and '${encoder}' has none ` +
      `(${encoder.startsWith('npy:') ? 'vectors from files carry no model' : 'the lexical encoder has no layers'}): ` +
      `use --encoder onnx:<folder> or hf:<hub id>, or leave --tune out to train a head on its vectors.`);
  }
  const layers = Number(match[1]);
  if (layers < 1) throw new TrainUsageError(`--tune layers:K needs K of at least 1, got '${text}'.`);
  return { kind: 'layers', layers };
}

/** The data of a setup, encoded once; `splitFor(seed)` splits it as train does with that seed. */
export interface TrainingData {
  dataset: Dataset;
  encoder: SentenceEncoder;
  /** The frozen encoder's vectors (a head trains on them); empty when the layers are tuned. */
  trainEmbeddings: CachedEmbeddings;
  evaluationEmbeddings: CachedEmbeddings;
  /** With --tune layers:K: the hidden states entering the tuned layers, their starting weights. */
  layerTuning: { tuning: NodeLayerTuning; encoder: TransformerEncoder } | null;
  evaluationDir: string | undefined;
  encodeSeconds: number;
  splitFor(seed: number): DataSplit;
}

export async function loadTrainingData(setup: TrainSetup): Promise<TrainingData> {
  const { subset, candidateText, validationFraction } = setup;
  const dataset = await readDatasetFolder(setup.datasetDir, subset);
  for (const line of datasetNotes(dataset)) log(line);
  const evaluationDir = setup.split.startsWith('dataset:') ? setup.split.slice('dataset:'.length) : undefined;
  const evaluation = evaluationDir === undefined ? undefined : await readDatasetFolder(evaluationDir, subset);
  if (evaluation) for (const line of datasetNotes(evaluation)) log(`${evaluation.name}: ${line}`);
  // Embeddings from files are matched to every dataset they will encode.
  const encoder = await resolveEncoder(setup.encoderName, setup.encoderFlags, evaluation ? [dataset, evaluation] : [dataset]);
  const encodeStart = performance.now();
  if (setup.tune.kind === 'layers') {
    const transformer = encoder as TransformerEncoder;
    const progress = new ProgressLog(log);
    const tuning = await usageAsync(() => prepareNodeLayerTuning(setup.encoderName, transformer, (setup.tune as { layers: number }).layers,
      evaluation ? [dataset, evaluation] : [dataset], candidateText, log, (done, total) => progress.count('bottom-layers', 'texts', done, total)));
    const none = { queries: new Float32Array(0), candidates: new Float32Array(0) };
    const spec = evaluation === undefined ? usage(() => parseSplitSpec(setup.split)) : undefined;
    return {
      dataset, encoder, trainEmbeddings: none, evaluationEmbeddings: none, evaluationDir,
      layerTuning: { tuning, encoder: transformer },
      encodeSeconds: (performance.now() - encodeStart) / 1000,
      splitFor: evaluation
        ? (seed) => usage(() => splitByDatasets(dataset, evaluation, { validation: validationFraction, seed }))
        : (seed) => usage(() => splitByArticles(dataset, { train: spec!.train, validation: validationFraction, seed })),
    };
  }
  const trainEmbeddings = await encodeAll(dataset, encoder, candidateText);
  if (evaluation) {
    const evaluationEmbeddings = await encodeAll(evaluation, encoder, candidateText);
    return {
      dataset, encoder, trainEmbeddings, evaluationEmbeddings, evaluationDir, layerTuning: null,
      encodeSeconds: (performance.now() - encodeStart) / 1000,
      splitFor: (seed) => usage(() => splitByDatasets(dataset, evaluation, { validation: validationFraction, seed })),
    };
  }
  const spec = usage(() => parseSplitSpec(setup.split));
  return {
    dataset, encoder, trainEmbeddings, evaluationEmbeddings: trainEmbeddings, evaluationDir: undefined, layerTuning: null,
    encodeSeconds: (performance.now() - encodeStart) / 1000,
    splitFor: (seed) => usage(() => splitByArticles(dataset, { train: spec.train, validation: validationFraction, seed })),
  };
}

/** One training run with `config` (its seed also picks the split), logged as train logs it. */
export async function trainOnce(data: TrainingData, config: TrainingConfig, preset?: MixPresetName): Promise<{ result: TrainingResult<ProjectionHead | LayerWeights[]>; split: DataSplit }> {
  const { dataset, encoder } = data;
  const split = data.splitFor(config.seed);
  const r = split.record;
  log(`${dataset.name}: ${dataset.languages.length} languages; encoder ${encoder.id} (${encoder.dim} dims); ` +
    `split ${r.spec}: train ${r.train.articles.length} articles / ${r.train.question_ids.length} questions, ` +
    `validation ${r.validation.articles.length} / ${r.validation.question_ids.length}, evaluation ${r.evaluation.articles.length} / ${r.evaluation.question_ids.length}`);
  log(`mix ${formatMix(config.mix)}${preset ? ` (${preset})` : ''}, batch ${config.batchSize}, up to ${config.steps} steps, seed ${config.seed}`);

  const progress = new ProgressLog(log);
  const tuned = data.layerTuning;
  const options: TrainingRunOptions = {
    matmul: cliScoringMatmul(),
    onEvent: (event) => {
      if (event.type === 'step') {
        const last = event.step >= config.steps;
        const pace = last ? { rate: null, secondsLeft: null } : { rate: event.stepsPerSecond, secondsLeft: event.secondsLeft };
        progress.paced('train', `step ${event.step} of ${config.steps}${last ? ' done' : ''}, loss ${event.loss.toFixed(4)}`, pace, 'steps', last);
      } else if (event.type === 'validation') {
        const s = event.summary;
        log(`step ${event.step}: validation mono ${s.mono_map.toFixed(4)} cross ${s.cross_map.toFixed(4)} multi ${s.multi_map.toFixed(4)}${event.best ? ' (best)' : ''}`);
      } else if (event.type === 'held-out') {
        log(`step ${event.step}: held-out (${event.questions} of ${event.ofQuestions} questions) cross ${event.report.summary.cross_map.toFixed(4)}`);
      }
    },
  };
  const session = tuned
    ? new TrainingSession<LayerWeights[]>(layerModelInputs(split, {
      // onnxruntime-node runs the generated graphs ~5x faster than the TypeScript kernels (docs/training.md).
      engine: createOrtLayerEngine(ort, tuned.tuning.graph.shape, { backend: 'ort-node' }),
      initial: tuned.tuning.initial,
      pooling: tuned.encoder.settings.pooling,
      trainStates: tuned.tuning.states[0],
      evaluationStates: tuned.tuning.states.at(-1)!,
    }), config, options)
    : new TrainingSession({ split, trainEmbeddings: data.trainEmbeddings, evaluationEmbeddings: data.evaluationEmbeddings, dim: encoder.dim, encoder: encoder.id }, config, options);
  const result = await usageAsync<TrainingResult<ProjectionHead | LayerWeights[]>>(() => session.run());
  return { result, split };
}

export async function trainCommand(args: string[]): Promise<void> {
  const started = performance.now();
  const values = parseTrainFlags(args);
  const setup = trainSetup(values, 'train');
  if (!values.out) throw new TrainUsageError('train needs --out <report.json>.');
  const { config, subset, candidateText, encoderFlags, validationFraction } = setup;
  // Every output path is checked before any work, so a typo costs nothing.
  const exportHead = values['export-head'];
  const exportModel = values['export-model'];
  if (exportHead !== undefined && setup.tune.kind === 'layers') throw new TrainUsageError('--export-head writes a trained head; with --tune layers:K use --export-model <dir> to write the tuned encoder.');
  if (exportModel !== undefined && setup.tune.kind !== 'layers') throw new TrainUsageError('--export-model writes a tuned encoder: it needs --tune layers:K (a head is written with --export-head <file>).');
  const evaluationFolder = setup.split.startsWith('dataset:') ? setup.split.slice('dataset:'.length) : undefined;
  await checkOutputs(
    [
      { flag: '--out', path: values.out, kind: 'file' },
      ...(exportHead === undefined ? [] : [{ flag: '--export-head', path: exportHead, kind: 'file' as const }]),
      ...(exportModel === undefined ? [] : [{ flag: '--export-model', path: exportModel, kind: 'folder' as const }]),
    ],
    evaluationFolder === undefined ? [setup.datasetDir] : [setup.datasetDir, evaluationFolder],
  );
  const data = await loadTrainingData(setup);
  const { dataset, encoder, evaluationDir } = data;
  const { result, split } = await trainOnce(data, config, setup.preset);
  const r = split.record;
  const perQuery = values['per-query'];

  const output = {
    before: evalReportJson(result.before, perQuery),
    after: evalReportJson(result.after, perQuery),
    loss: result.loss,
    settings: {
      dataset: setup.datasetDir,
      evaluation_dataset: evaluationDir ?? null,
      languages: dataset.languages,
      articles: subset.articles ?? null,
      encoder: encoder.id,
      dim: encoder.dim,
      ...encoderSettings(encoder, encoderFlags),
      candidate_text: candidateText,
      mix: config.mix,
      mix_text: formatMix(config.mix),
      preset: setup.preset ?? null,
      language_weights: config.languageWeighting,
      exclude_languages: config.excludeLanguages,
      train_languages: config.trainLanguages ?? null,
      split: r.spec,
      validation_fraction: validationFraction,
      batch: config.batchSize,
      steps: config.steps,
      seed: config.seed,
      head: config.head.kind === 'adapter' ? config.head : { kind: 'linear' },
      tune: tuneSettings(data, result.kept),
      temperature: config.temperature,
      learning_rate: config.learningRate,
      weight_decay: config.weightDecay,
      warmup_steps: config.warmupSteps,
      eval_every: config.evalEvery,
      patience: config.patience,
      held_out_every: config.heldOutEvery,
      held_out_questions: config.heldOutQuestions,
      trainer: result.trainerBackend,
    },
    split: r,
    training: {
      steps_run: result.stepsRun,
      best_step: result.bestStep,
      stopped_early: result.stoppedEarly,
      stopped: result.stopped,
      validation: result.validation,
      held_out: result.heldOut,
    },
    timings: { encode_s: data.encodeSeconds, ...result.timings, total_s: (performance.now() - started) / 1000 },
  };
  await writeOutputFile('--out', values.out, JSON.stringify(output, null, 2));
  if (exportHead) {
    await writeOutputFile('--export-head', exportHead, serializeHead(result.kept as ProjectionHead));
    log(`head written to ${exportHead}`);
  }
  if (exportModel && data.layerTuning) {
    for (const file of await tunedModelFiles(data.layerTuning.tuning, result.kept as LayerWeights[])) {
      await mkdir(dirname(join(exportModel, file.path)), { recursive: true });
      await writeOutputFile('--export-model', join(exportModel, file.path), file.data);
    }
    log(`tuned encoder written to ${exportModel} (load it with --encoder onnx:${exportModel})`);
  }
  const b = result.before.summary;
  const a = result.after.summary;
  const row = (name: string, x: typeof b) =>
    `${name}: mono ${x.mono_map.toFixed(4)}  cross ${x.cross_map.toFixed(4)}  multi ${x.multi_map.toFixed(4)}  rank distance ${x.rank_distance?.toFixed(1) ?? 'n/a'}`;
  log(row('before', b));
  log(row('after ', a));
  log(`${result.stepsRun} steps (best ${result.bestStep}${result.stoppedEarly ? ', stopped early' : ''}), ` +
    `${result.timings.steps_per_s.toFixed(1)} steps/s on ${result.trainerBackend} -> ${values.out}`);
}

/** What was tuned, as the report's settings.tune says it (design.md). */
function tuneSettings(data: TrainingData, kept: ProjectionHead | LayerWeights[]) {
  if (!data.layerTuning) {
    const head = kept as ProjectionHead;
    return { what: 'head', trainable_parameters: Object.values(head.params).reduce((sum, p) => sum + p.length, 0) };
  }
  const { graph } = data.layerTuning.tuning;
  const layers = (kept as LayerWeights[]).length;
  return {
    what: 'layers',
    layers,
    of_layers: graph.layers.length,
    trainable_parameters: layers * layerParameterCount(graph.shape),
    hidden_state_tokens: data.layerTuning.tuning.tokens,
  };
}

async function encodeAll(dataset: Dataset, encoder: SentenceEncoder, mode: CandidateTextMode): Promise<CachedEmbeddings> {
  logJobEstimate(dataset, encoder.dim, log);
  const progress = new ProgressLog(log);
  const queries = await encoder.encode(dataset.queries.map((q) => q.text), 'query', {
    onProgress: (done, total) => progress.count('encode-queries', 'texts', done, total),
  });
  const candidates = await encoder.encode(candidateTexts(dataset, mode), 'passage', {
    onProgress: (done, total) => progress.count('encode-candidates', 'texts', done, total),
  });
  return { queries, candidates };
}

/** Settings errors of the core (RangeError) are the user's to fix: report them with the usage. */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new TrainUsageError(e.message);
    throw e;
  }
}

async function usageAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof RangeError) throw new TrainUsageError(e.message);
    throw e;
  }
}

function integer(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new TrainUsageError(`${flag} must be an integer of at least ${min}, got '${value}'.`);
  return n;
}

function number(flag: string, value: string | undefined, fallback: number, zeroAllowed = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!zeroAllowed && n === 0)) throw new TrainUsageError(`${flag} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, got '${value}'.`);
  return n;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
