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
import { formatMix, parseMix, type LanguageWeighting } from '../core/training/mix';
import { DEFAULT_TRAINING_CONFIG, trainHead, type CachedEmbeddings, type TrainingConfig } from '../core/training/run';
import { parseSplitSpec, splitByArticles, splitByDatasets } from '../core/training/split';
import { ENCODER_FLAG_OPTIONS, encoderSettings, parseEncoderFlags, resolveEncoder } from '../node/encoders';
import { ortNodeMatmul } from '../node/ort-node-matmul';
import { readDatasetFolder } from '../node/read-dataset';
import { datasetNotes, formatLogMetric } from './dataset-notes';
import { asUsage, parseFlags, UsageError } from './flags';
import { checkOutputs, writeOutputFile } from './outputs';
import { ProgressLog } from './progress';

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
  --export-head <file>    write the trained head (JSON, format in src/core/training/head.ts)
  --candidate-text MODE   sentence or sentence+paragraph [sentence]`;

export async function trainCommand(args: string[]): Promise<void> {
  const started = performance.now();
  const { values } = parseFlags(args, {
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
      'candidate-text': { type: 'string', default: 'sentence' },
      ...ENCODER_FLAG_OPTIONS,
  });
  if (!values.dataset) throw new UsageError('train needs --dataset <dir>.');
  if (!values.out) throw new UsageError('train needs --out <report.json>.');
  const candidateText = values['candidate-text'];
  if (candidateText !== 'sentence' && candidateText !== 'sentence+paragraph') {
    throw new UsageError(`--candidate-text must be 'sentence' or 'sentence+paragraph', got '${candidateText}'.`);
  }
  const weighting = values['language-weights'];
  if (weighting !== 'uniform' && weighting !== 'size') throw new UsageError(`--language-weights must be 'uniform' or 'size', got '${weighting}'.`);
  const headKind = values.head ?? D.head.kind;
  if (headKind !== 'adapter' && headKind !== 'linear') throw new UsageError(`--head must be 'adapter' or 'linear', got '${headKind}'.`);
  const mix = await asUsage(() => parseMix(values.mix));
  const encoderFlags = await asUsage(() => parseEncoderFlags(values.encoder, values));
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

  const evaluationDir = values.split.startsWith('dataset:') ? values.split.slice('dataset:'.length) : undefined;
  const articleSplit = evaluationDir === undefined ? await asUsage(() => parseSplitSpec(values.split)) : undefined;
  const exportHead = values['export-head'];
  await checkOutputs([
    { flag: '--out', path: values.out, kind: 'file' },
    ...(exportHead === undefined ? [] : [{ flag: '--export-head', path: exportHead, kind: 'file' as const }]),
  ], evaluationDir === undefined ? [values.dataset] : [values.dataset, evaluationDir]);

  const dataset = await readDatasetFolder(values.dataset, subset);
  for (const line of datasetNotes(dataset)) log(line);
  const evaluation = evaluationDir === undefined ? undefined : await readDatasetFolder(evaluationDir, subset);
  if (evaluation) for (const line of datasetNotes(evaluation)) log(`${evaluation.name}: ${line}`);
  const encoder = await resolveEncoder(values.encoder, encoderFlags, evaluation ? [dataset, evaluation] : [dataset]);
  const progress = new ProgressLog(log);
  const encodeStart = performance.now();
  const trainEmbeddings = await encodeAll(dataset, encoder, candidateText, progress);
  let split;
  let evaluationEmbeddings: CachedEmbeddings = trainEmbeddings;
  if (evaluation) {
    evaluationEmbeddings = await encodeAll(evaluation, encoder, candidateText, progress);
    split = await asUsage(() => splitByDatasets(dataset, evaluation, { validation: validationFraction, seed: config.seed }));
  } else {
    const { train } = articleSplit ?? parseSplitSpec(values.split);
    split = await asUsage(() => splitByArticles(dataset, { train, validation: validationFraction, seed: config.seed }));
  }
  const encodeSeconds = (performance.now() - encodeStart) / 1000;
  const r = split.record;
  log(`${dataset.name}: ${dataset.languages.length} languages; encoder ${encoder.id} (${encoder.dim} dims); ` +
    `split ${r.spec}: train ${r.train.articles.length} articles / ${r.train.question_ids.length} questions, ` +
    `validation ${r.validation.articles.length} / ${r.validation.question_ids.length}, evaluation ${r.evaluation.articles.length} / ${r.evaluation.question_ids.length}`);
  log(`mix ${formatMix(config.mix)}${mix.preset ? ` (${mix.preset})` : ''}, batch ${config.batchSize}, up to ${config.steps} steps, seed ${config.seed}`);

  const result = await asUsage(() =>
    trainHead({ split, trainEmbeddings, evaluationEmbeddings, dim: encoder.dim, encoder: encoder.id }, config, {
      matmul: ortNodeMatmul(),
      onEvent: (event) => {
        if (event.type === 'phase') {
          log(PHASE_LINES[event.phase]);
        } else if (event.type === 'step') {
          progress.paced('training', `step ${event.step} of ${config.steps}, loss ${event.loss.toFixed(4)}`,
            { rate: event.stepsPerSecond, secondsLeft: event.secondsLeft }, 'steps', event.step === config.steps);
        } else if (event.type === 'validation') {
          const s = event.summary;
          log(`step ${event.step}: validation mono ${s.mono_map.toFixed(4)} cross ${s.cross_map.toFixed(4)} multi ${s.multi_map.toFixed(4)}${event.best ? ' (best)' : ''}`);
        } else if (event.type === 'held-out') {
          log(`step ${event.step}: held-out (${event.questions} of ${event.ofQuestions} questions) cross ${event.report.summary.cross_map.toFixed(4)}`);
        }
      },
    }),
  );

  const output = {
    before: result.before,
    after: result.after,
    loss: result.loss,
    settings: {
      dataset: values.dataset,
      evaluation_dataset: evaluationDir ?? null,
      languages: dataset.languages,
      articles: subset.articles ?? null,
      encoder: encoder.id,
      dim: encoder.dim,
      ...encoderSettings(encoder, encoderFlags),
      candidate_text: candidateText as CandidateTextMode,
      mix: config.mix,
      mix_text: formatMix(config.mix),
      preset: mix.preset ?? null,
      language_weights: config.languageWeighting,
      exclude_languages: config.excludeLanguages,
      train_languages: config.trainLanguages ?? null,
      split: r.spec,
      validation_fraction: validationFraction,
      batch: config.batchSize,
      steps: config.steps,
      seed: config.seed,
      head: config.head.kind === 'adapter' ? config.head : { kind: 'linear' },
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
    timings: { encode_s: encodeSeconds, ...result.timings, total_s: (performance.now() - started) / 1000 },
  };
  await writeOutputFile('--out', values.out, JSON.stringify(output, null, 2));
  if (exportHead !== undefined) {
    await writeOutputFile('--export-head', exportHead, serializeHead(result.head));
    log(`head written to ${exportHead}`);
  }
  const b = result.before.summary;
  const a = result.after.summary;
  const row = (name: string, x: typeof b) =>
    `${name}: mono ${formatLogMetric(x.mono_map)}  cross ${formatLogMetric(x.cross_map)}  multi ${formatLogMetric(x.multi_map)}  rank distance ${formatLogMetric(x.rank_distance, 1)}`;
  log(row('before', b));
  log(row('after ', a));
  log(`${result.stepsRun} steps (best ${result.bestStep}${result.stoppedEarly ? ', stopped early' : ''}), ` +
    `${result.timings.steps_per_s.toFixed(1)} steps/s on ${result.trainerBackend} -> ${values.out}`);
}

const PHASE_LINES = {
  before: 'scoring the evaluation side with the frozen encoder…',
  train: 'training…',
  after: 'scoring the evaluation side with the trained head…',
} as const;

async function encodeAll(dataset: Dataset, encoder: SentenceEncoder, mode: CandidateTextMode, progress: ProgressLog): Promise<CachedEmbeddings> {
  const queries = await encoder.encode(dataset.queries.map((q) => q.text), 'query', {
    onProgress: (done, total) => progress.count(`${dataset.name}: encode queries`, 'texts', done, total),
  });
  const candidates = await encoder.encode(candidateTexts(dataset, mode), 'passage', {
    onProgress: (done, total) => progress.count(`${dataset.name}: encode candidates`, 'texts', done, total),
  });
  return { queries, candidates };
}

function integer(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer of at least ${min}, got '${value}'.`);
  return n;
}

function number(flag: string, value: string | undefined, fallback: number, zeroAllowed = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!zeroAllowed && n === 0)) throw new UsageError(`${flag} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, got '${value}'.`);
  return n;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
