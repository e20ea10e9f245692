/**
 * The command line: the same core as the browser, on Node.
 *   npm run xling -- eval --dataset <dir> --encoder <name> --out <report.json> [--export <dir>]
 *                         [--languages en,de,zh] [--articles K] [--candidate-text sentence|sentence+paragraph]
 *   npm run xling -- train --dataset <dir> --encoder <name> --mix mono=0.5,cross=0.5 --split articles:0.5
 *                          --steps N --batch B --seed S --out <report.json>   (src/cli/train.ts)
 *   npm run xling -- compare <A.json> <B.json> --out <cmp.json> [--resamples 2000] [--seed 1]   (src/cli/compare.ts)
 *   npm run xling -- sweep ... --alpha 0,0.25,0.5,0.75,1 --seeds 1,2,3 --out <sweep.json>   (src/cli/sweep.ts)
 *   npm run xling -- eval ... --shard I/N --out <counts.json>; merge <counts...> --out <report.json>   (src/cli/shard.ts)
 * Contract: ../shared/design.md, "Command line".
 */
import { candidateTexts, type CandidateTextMode } from '../core/dataset/texts';
import { shardRange } from '../core/metrics/streaming';
import { streamingPays } from '../core/job-size';
import { DatasetError } from '../core/dataset/types';
import { EmbeddingFilesError } from '../core/encoders/precomputed';
import { evaluateDataset } from '../core/evaluate';
import { DatasetMismatchError } from '../core/stats/paired';
import { evalReportJson } from '../core/stats/report-json';
import { writeEmbeddingFolder } from '../node/embedding-files';
import { readDatasetFolder } from '../node/read-dataset';
import { cliScoringMatmul } from '../node/scoring';
import { ENCODER_FLAG_OPTIONS, ENCODER_USAGE, encoderSettings, parseEncoderFlags, resolveEncoder } from '../node/encoders';
import { COMPARE_USAGE, CompareUsageError, compareCommand } from './compare';
import { SWEEP_USAGE, sweepCommand } from './sweep';
import { TRAIN_USAGE, TrainUsageError, trainCommand } from './train';
import { datasetNotes, formatLogMetric } from './dataset-notes';
import { asUsage, parseFlags, UsageError } from './flags';
import { checkOutputs, writeOutputFile, writeOutputFolder } from './outputs';
import { ProgressLog } from './progress';
import { logJobEstimate } from './job-estimate';
import { evalShard, MERGE_USAGE, mergeCommand, parseShard, SHARD_USAGE } from './shard';
import { ShardCountsError } from '../core/metrics/shard-counts';

const USAGE = `Usage:
  npm run xling -- eval --dataset <dir> --encoder <name> --out <report.json> [options]

Options for eval:
  --dataset <dir>         a folder of LAReQA JSON files (<lang>.json) or JSONL files (docs/formats.md)
${ENCODER_USAGE}
  --out <report.json>     where to write the report
  --export <dir>          also write queries.npy, candidates.npy, queries.jsonl, candidates.jsonl
  --languages en,de,zh    keep only these language files
  --articles K            keep the first K articles of every file
  --candidate-text MODE   sentence (default) or sentence+paragraph
  --per-query             add per_query (every query's values) and dataset_fingerprint, for compare
${SHARD_USAGE}

${MERGE_USAGE}

  npm run xling -- encode --dataset <dir> --encoder <name> --out <dir> [--shard I/N] [--languages ...]
                          [--articles K] [--candidate-text MODE]

  Writes the --export format (queries.npy, candidates.npy, queries.jsonl, candidates.jsonl) for shard
  I of N contiguous ranges of the queries and of the candidates (all of them without --shard);
  --encoder npy:<folder> reads a folder of such shard folders.

${TRAIN_USAGE}

${COMPARE_USAGE}

${SWEEP_USAGE}`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'eval') return evalCommand(rest);
  if (command === 'train') return trainCommand(rest);
  if (command === 'compare') return compareCommand(rest);
  if (command === 'sweep') return sweepCommand(rest);
  if (command === 'merge') return mergeCommand(rest, log);
  if (command === 'encode') return encodeCommand(rest);
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  throw new UsageError(`Unknown command '${command}'.`);
}

async function evalCommand(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
      dataset: { type: 'string' },
      encoder: { type: 'string', default: 'lexical' },
      out: { type: 'string' },
      export: { type: 'string' },
      languages: { type: 'string' },
      articles: { type: 'string' },
      'candidate-text': { type: 'string', default: 'sentence' },
      'per-query': { type: 'boolean', default: false },
      shard: { type: 'string' },
      ...ENCODER_FLAG_OPTIONS,
  });
  if (!values.dataset) throw new UsageError('eval needs --dataset <dir>.');
  if (!values.out) throw new UsageError('eval needs --out <report.json>.');
  const candidateText = parseCandidateText(values['candidate-text']);
  const encoderFlags = await asUsage(() => parseEncoderFlags(values.encoder, values));
  const articles = values.articles === undefined ? undefined : parsePositiveInteger('--articles', values.articles);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard && values.export) throw new UsageError('--export writes every embedding, a shard only its own: export with xling encode --shard I/N, or leave out --shard.');
  if (shard && values['per-query']) throw new UsageError('--per-query belongs to xling merge, which writes the report; a shard writes counts.');
  await checkOutputs([
    { flag: '--out', path: values.out, kind: 'file' },
    ...(values.export === undefined ? [] : [{ flag: '--export', path: values.export, kind: 'folder' as const }]),
  ], [values.dataset]);

  const dataset = await readDatasetFolder(values.dataset, {
    languages: values.languages?.split(',').map((l) => l.trim()).filter(Boolean),
    articles,
  });
  for (const line of datasetNotes(dataset)) log(line);
  const encoder = await resolveEncoder(values.encoder, encoderFlags, [dataset]);
  log(`${dataset.name}: ${dataset.languages.length} languages, ${dataset.queries.length} queries, ` +
    `${dataset.candidates.length} candidates; encoder ${encoder.id} (${encoder.dim} dims)`);
  // The encoder's part of the settings: what every shard of one run must share (the data has its fingerprint).
  const encoderPlan = { encoder: encoder.id, dim: encoder.dim, ...encoderSettings(encoder, encoderFlags), candidate_text: candidateText };
  const settings = { dataset: values.dataset, languages: dataset.languages, articles: values.articles ?? null, ...encoderPlan };
  if (shard) {
    await evalShard({ dataset, encoder, choice: shard, candidateText, matmul: cliScoringMatmul(), out: values.out, settings, encoderPlan, log });
    return;
  }
  const streaming = streamingPays({ queries: dataset.queries.length, candidates: dataset.candidates.length, dim: encoder.dim });
  logJobEstimate(dataset, encoder.dim, log, undefined, { streaming });

  const progress = new ProgressLog(log);
  const { report, embeddings } = await evaluateDataset(dataset, encoder, {
    matmul: cliScoringMatmul(),
    candidateText,
    streaming,
    onProgress: ({ phase, done, total }) => progress.count(phase, phase !== 'score' ? 'texts' : streaming ? 'candidates' : 'queries', done, total),
  });
  const output = { ...evalReportJson(report, values['per-query']), settings };
  await writeOutputFile('--out', values.out, JSON.stringify(output, null, 2));
  if (values.export) {
    await writeOutputFolder('--export', values.export, (dir) => writeEmbeddingFolder(dir, dataset, embeddings));
    log(`exported embeddings to ${values.export}`);
  }

  const s = report.summary;
  log(`mono ${formatLogMetric(s.mono_map)}  cross ${formatLogMetric(s.cross_map)}  multi ${formatLogMetric(s.multi_map)}  ` +
    `R@10 ${formatLogMetric(s.multi_r10)}  rank distance ${formatLogMetric(s.rank_distance, 1)}  ` +
    `(encode ${report.timings.encode_s.toFixed(2)} s, score ${report.timings.score_s.toFixed(2)} s) -> ${values.out}`);
}

/** `xling encode`: one shard of the texts encoded into the export format (docs/scale.md). */
async function encodeCommand(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
    dataset: { type: 'string' },
    encoder: { type: 'string', default: 'lexical' },
    out: { type: 'string' },
    languages: { type: 'string' },
    articles: { type: 'string' },
    'candidate-text': { type: 'string', default: 'sentence' },
    shard: { type: 'string' },
    ...ENCODER_FLAG_OPTIONS,
  });
  if (!values.dataset) throw new UsageError('encode needs --dataset <dir>.');
  if (!values.out) throw new UsageError('encode needs --out <dir>.');
  const candidateText = parseCandidateText(values['candidate-text']);
  const encoderFlags = await asUsage(() => parseEncoderFlags(values.encoder, values));
  const articles = values.articles === undefined ? undefined : parsePositiveInteger('--articles', values.articles);
  const { shard, shards } = values.shard === undefined ? { shard: 0, shards: 1 } : parseShard(values.shard);
  await checkOutputs([{ flag: '--out', path: values.out, kind: 'folder' }], [values.dataset]);
  const dataset = await readDatasetFolder(values.dataset, { languages: values.languages?.split(',').map((l) => l.trim()).filter(Boolean), articles });
  const encoder = await resolveEncoder(values.encoder, encoderFlags, [dataset]);
  const rows = { queries: shardRange(dataset.queries.length, shard, shards), candidates: shardRange(dataset.candidates.length, shard, shards) };
  const name = `encode ${shard}/${shards}`;
  log(`${name}: queries ${rows.queries.from} to ${rows.queries.to}, candidates ${rows.candidates.from} to ${rows.candidates.to} of ${dataset.name}; encoder ${encoder.id}`);
  const progress = new ProgressLog(log);
  const texts = candidateTexts(dataset, candidateText);
  const queries = await encoder.encode(dataset.queries.slice(rows.queries.from, rows.queries.to).map((q) => q.text), 'query',
    { onProgress: (done, total) => progress.count(`${name} queries`, 'texts', done, total) });
  const candidates = await encoder.encode(texts.slice(rows.candidates.from, rows.candidates.to), 'passage',
    { onProgress: (done, total) => progress.count(`${name} candidates`, 'texts', done, total) });
  await writeOutputFolder('--out', values.out, (dir) => writeEmbeddingFolder(dir, dataset, { queries, candidates, dim: encoder.dim }, rows));
  log(`${name}: ${rows.queries.to - rows.queries.from} query and ${rows.candidates.to - rows.candidates.from} candidate vectors -> ${values.out}`);
}

function parseCandidateText(value: string | undefined): CandidateTextMode {
  if (value === 'sentence' || value === 'sentence+paragraph') return value;
  throw new UsageError(`--candidate-text must be 'sentence' or 'sentence+paragraph', got '${value}'.`);
}

function parsePositiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got '${value}'.`);
  return n;
}

/** Progress goes to stderr so that stdout stays clean for scripts. */
function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof TrainUsageError || error instanceof CompareUsageError) {
    console.error(`xling: ${error.message}\n\n${USAGE}`);
  } else if (error instanceof EmbeddingFilesError) {
    console.error(`xling: the embedding files do not fit:\n${error.message}`);
  } else if (error instanceof ShardCountsError) {
    console.error(`xling: cannot merge: ${error.message}`);
  } else if (error instanceof DatasetMismatchError) {
    console.error(`xling: cannot compare: ${error.message}`);
  } else if (error instanceof DatasetError) {
    console.error(`xling: the dataset could not be loaded:\n${error.message}`);
  } else {
    console.error(`xling: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
});
