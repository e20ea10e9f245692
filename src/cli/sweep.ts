/**
 * `npm run xling -- sweep --alpha 0,0.25,0.5,0.75,1 --seeds 1,2,3 ...`: trains the grid alpha x seed,
 * alpha the weight of mono batches and 1 - alpha that of cross batches. Each run is exactly
 * `train --mix mono=<alpha>,cross=<1 - alpha> --seed <seed>` with the same other flags (same parsing,
 * same split per seed, same trainHead); the data is encoded once. Contract: design.md, "Command line".
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { EvalSummary } from '../core/metrics/types';
import { meanAndSd } from '../core/stats/sweep';
import { formatMix, parseMix } from '../core/training/mix';
import { loadTrainingData, TRAIN_FLAG_OPTIONS, trainOnce, trainSetup, TrainUsageError } from './train';

export const SWEEP_USAGE = `  npm run xling -- sweep --dataset <dir> --encoder <name> --alpha 0,0.25,0.5,0.75,1 --seeds 1,2,3
                         --split articles:0.5 --steps N --batch B --out <sweep.json>

  Trains one head per alpha and seed with the mix mono=alpha,cross=1-alpha; every other train
  option applies to every run (--mix, --seed and --export-head excepted).`;

export interface SweepRun {
  alpha: number;
  seed: number;
  after: EvalSummary;
  before: EvalSummary;
  steps_run: number;
  best_step: number;
}

export async function sweepCommand(args: string[]): Promise<void> {
  const started = performance.now();
  const { mix: _mix, seed: _seed, 'export-head': _exportHead, ...sweepFlags } = TRAIN_FLAG_OPTIONS;
  const { values } = parseArgs({
    args,
    options: { ...sweepFlags, alpha: { type: 'string', default: '0,0.25,0.5,0.75,1' }, seeds: { type: 'string', default: '1' } },
  });
  // The mix and the seed are set per run below; the rest is train's setup, checked the same way.
  const setup = trainSetup({ ...values, mix: 'hybrid', seed: undefined, 'export-head': undefined }, 'sweep');
  if (!values.out) throw new TrainUsageError('sweep needs --out <sweep.json>.');
  const alphas = numberList('--alpha', values.alpha, (a) => a >= 0 && a <= 1, 'numbers from 0 to 1');
  const seeds = numberList('--seeds', values.seeds, (s) => Number.isInteger(s) && s >= 0, 'non-negative integers');

  const data = await loadTrainingData(setup);
  const runs: SweepRun[] = [];
  const total = alphas.length * seeds.length;
  const trainStart = performance.now();
  for (const seed of seeds) {
    for (const alpha of alphas) {
      // Exactly what train's --mix mono=<alpha>,cross=<1 - alpha> parses to.
      const mix = parseMix(`mono=${alpha},cross=${1 - alpha}`);
      const config = { ...setup.config, mix: mix.mix, trainLanguages: mix.trainLanguages, seed };
      const { result } = await trainOnce(data, config);
      runs.push({ alpha, seed, after: result.after.summary, before: result.before.summary, steps_run: result.stepsRun, best_step: result.bestStep });
      const elapsed = (performance.now() - trainStart) / 1000;
      log(`sweep: run ${runs.length} of ${total} (alpha ${alpha}, seed ${seed}) done; ` +
        `cross ${result.after.summary.cross_map.toFixed(4)} mono ${result.after.summary.mono_map.toFixed(4)}; ` +
        `about ${((elapsed / runs.length) * (total - runs.length)).toFixed(0)} s left`);
    }
  }
  const byAlpha = alphas.map((alpha) => {
    const summaries = runs.filter((r) => r.alpha === alpha).map((r) => r.after);
    return { alpha, mix: formatMix(parseMix(`mono=${alpha},cross=${1 - alpha}`).mix), seeds: summaries.length, ...meanAndSd(summaries) };
  });
  const output = {
    runs,
    by_alpha: byAlpha,
    settings: {
      dataset: setup.datasetDir,
      encoder: data.encoder.id,
      languages: data.dataset.languages,
      articles: setup.subset.articles ?? null,
      alpha: alphas,
      seeds,
      split: setup.split,
      batch: setup.config.batchSize,
      steps: setup.config.steps,
    },
    timings: { encode_s: data.encodeSeconds, total_s: (performance.now() - started) / 1000 },
  };
  await writeFile(values.out, JSON.stringify(output, null, 2));
  for (const row of byAlpha) {
    const f = (m: keyof EvalSummary) => `${row.mean[m]?.toFixed(4) ?? 'n/a'} ± ${row.sd[m]?.toFixed(4) ?? 'n/a'}`;
    log(`alpha ${row.alpha}: mono ${f('mono_map')}  cross ${f('cross_map')}  multi ${f('multi_map')}`);
  }
  log(`${total} runs -> ${values.out}`);
}

function numberList(flag: string, text: string, valid: (x: number) => boolean, what: string): number[] {
  const list = text.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
  if (list.length === 0 || !list.every((x) => Number.isFinite(x) && valid(x))) {
    throw new TrainUsageError(`${flag} must be a comma-separated list of ${what}, got '${text}'.`);
  }
  if (new Set(list).size !== list.length) throw new TrainUsageError(`${flag} names a value twice: '${text}'.`);
  return list;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
