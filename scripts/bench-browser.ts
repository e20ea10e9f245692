/**
 * The interactive loop, measured as a user meets it (design.md, `bench:browser`):
 *
 *   npm run bench:browser -- --out bench.json [--no-build] [--skip-train]
 *
 * The production build under `vite preview`, headless Debian Chromium started with
 * --enable-unsafe-webgpu (so a software WebGPU adapter is present, as on many machines without a GPU),
 * default settings, full XQuAD-R: Evaluate clicked → heatmap drawn, then Train clicked (Hybrid, the
 * default steps and held-out checks) → the trained run listed. In the same run, the real
 * alternatives: the command line doing the same work (`xling eval`, `xling train` with the notebook's
 * held-out checks), and a vectorised NumPy evaluation (scripts/numpy_eval.py: GEMM + ranking) of the
 * same embeddings. Prints a Markdown table; docs/benchmarks.md keeps the latest.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { build, preview } from 'vite';
import { buildRetrievalTask } from '../src/core/metrics/ranking';
import { DEFAULT_TRAINING_CONFIG } from '../src/core/training';
import { decodeNpyFloat32 } from '../src/core/npy';
import { launchChromium } from '../src/dev-server/chromium';
import { readDatasetFolder } from '../src/node/read-dataset';
import { numpyEvaluate } from './numpy-reference';
import { storedRuns } from './stored-runs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(ROOT, '../shared/data');
const XQUAD_R = path.join(DATA, 'xquad-r');
/** The notebook's default held-out interval (src/app/state/settings.ts), given to the CLI too. */
const NOTEBOOK_HELD_OUT_EVERY = 25;
const LONG = 60 * 60_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean' }, 'skip-train': { type: 'boolean' } } });
  if (!values.out) throw new Error('usage: npm run bench:browser -- --out <bench.json> [--no-build] [--skip-train]');
  const work = await mkdtemp(path.join(os.tmpdir(), 'xling-bench-'));
  const result: Record<string, unknown> = { date: new Date().toISOString(), cores: os.availableParallelism(), load_before: os.loadavg()[0] };
  try {
    if (!values['no-build']) await build({ root: ROOT, logLevel: 'warn' });
    // The 1-minute load average where each side starts: on a shared machine the sides may see different loads.
    result.load_browser_start = os.loadavg()[0];
    Object.assign(result, await browserRun(!values['skip-train']));
    result.load_cli_start = os.loadavg()[0];
    Object.assign(result, await commandLine(work, !values['skip-train']));
    result.load_numpy_start = os.loadavg()[0];
    Object.assign(result, await numpyRun(work));
    result.load_after = os.loadavg()[0];
    await writeFile(values.out, JSON.stringify(result, null, 2));
    console.log(table(result));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function browserRun(train: boolean): Promise<Record<string, unknown>> {
  const server = await preview({ root: ROOT, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const { port } = server.httpServer.address() as AddressInfo;
  // WebGPU on, as on a machine without a GPU that exposes a software adapter: `auto` must pass it over.
  const browser = await launchChromium({ webgpu: true });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    page.setDefaultTimeout(LONG);
    await page.goto(`http://127.0.0.1:${port}/`);
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } }).gpu;
      const info = gpu ? (await gpu.requestAdapter())?.info : undefined;
      return info ? ['vendor', 'architecture', 'description', 'isFallbackAdapter'].map((key) => `${key}: ${String(info[key])}`).join(', ') : 'none';
    });
    await page.getByRole('radio', { name: 'Local data folder' }).check();
    await page.getByRole('button', { name: 'Load dataset' }).click();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();

    const clicked = performance.now();
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await page.locator('[data-testid^="heatmap-"]:not([data-testid="heatmap-difference"]) .heatmap-label').first().waitFor();
    const firstHeatmap = (performance.now() - clicked) / 1000;
    const evaluation = (await storedRuns(page)).at(-1) as { report: { timings: { encode_s: number; score_s: number } }; backend: string };
    const measured: Record<string, unknown> = {
      webgpu_adapter: adapter,
      first_heatmap_s: firstHeatmap,
      encode_s: evaluation.report.timings.encode_s,
      score_s: evaluation.report.timings.score_s,
      scoring_backend: evaluation.backend,
    };
    // The same evaluation with onnxruntime-web's dense Gemm forced: what the automatic choice is against.
    await page.getByRole('radio', { name: /^onnxruntime-web/ }).check();
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await page.getByTestId('runs-table').locator('tr[data-run="2"]').waitFor();
    const dense = (await storedRuns(page)).at(-1) as { report: { timings: { score_s: number } }; backend: string };
    measured.score_s_dense = dense.report.timings.score_s;
    measured.dense_backend = dense.backend;
    await page.getByRole('radio', { name: /^Automatic/ }).check();
    if (!train) return measured;

    const trainClicked = performance.now();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByTestId('finished-training').waitFor();
    const trainRun = (performance.now() - trainClicked) / 1000;
    const trained = (await storedRuns(page)).at(-1) as {
      training: { outcome: { stepsRun: number; trainerDevice: string; heldOut: { seconds: number }[]; timings: Record<string, number>; scoringBackend: string } };
    };
    const { outcome } = trained.training;
    return {
      ...measured,
      train_run_s: trainRun,
      heldout_check_s: outcome.heldOut.reduce((sum, check) => sum + check.seconds, 0) / Math.max(1, outcome.heldOut.length),
      heldout_checks: outcome.heldOut.length,
      train_steps: outcome.stepsRun,
      trainer_device: outcome.trainerDevice,
      train_steps_per_s: outcome.timings.steps_per_s,
      train_scoring_backend: outcome.scoringBackend,
      train_timings: outcome.timings,
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
}

async function commandLine(work: string, train: boolean): Promise<Record<string, unknown>> {
  const xling = (args: string[]) => timedCommand(process.execPath, ['--import', 'tsx', 'src/cli/xling.ts', ...args]);
  const cliEval = await xling(['eval', '--dataset', XQUAD_R, '--encoder', 'lexical', '--out', path.join(work, 'eval.json'), '--export', path.join(work, 'export')]);
  const report = JSON.parse(await readFile(path.join(work, 'eval.json'), 'utf8')) as { timings: { encode_s: number; score_s: number } };
  const measured: Record<string, unknown> = { cli_eval_s: cliEval, cli_encode_s: report.timings.encode_s, cli_score_s: report.timings.score_s };
  if (!train) return measured;
  const D = DEFAULT_TRAINING_CONFIG;
  measured.cli_train_s = await xling([
    'train', '--dataset', XQUAD_R, '--encoder', 'lexical', '--mix', 'hybrid', '--split', 'articles:0.5',
    '--steps', String(D.steps), '--batch', String(D.batchSize), '--seed', String(D.seed),
    '--held-out-every', String(NOTEBOOK_HELD_OUT_EVERY), '--out', path.join(work, 'train.json'),
  ]);
  measured.cli_train_timings = (JSON.parse(await readFile(path.join(work, 'train.json'), 'utf8')) as { timings: Record<string, number> }).timings;
  return measured;
}

/** NumPy on the embeddings the command line exported (the same vectors the notebook scored). */
async function numpyRun(work: string): Promise<Record<string, unknown>> {
  const task = buildRetrievalTask(await readDatasetFolder(XQUAD_R));
  const read = async (name: string) => decodeNpyFloat32(new Uint8Array(await readFile(path.join(work, 'export', name))));
  const [queries, candidates] = [await read('queries.npy'), await read('candidates.npy')];
  const [numpy] = await numpyEvaluate(task, queries.data, candidates.data, queries.cols);
  return { numpy_eval_s: numpy.seconds, numpy_version: numpy.numpy };
}

async function timedCommand(command: string, args: string[]): Promise<number> {
  const start = performance.now();
  await run(command, args, { cwd: ROOT, maxBuffer: 1 << 26 });
  return (performance.now() - start) / 1000;
}

/** "train 61.2, validation 8.1, ..." from a run's timings (seconds and steps/s). */
function parts(timings: unknown): string {
  if (!timings || typeof timings !== 'object') return '–';
  return Object.entries(timings as Record<string, number>).map(([key, value]) => `${key.replace(/_s$/, '')} ${value.toFixed(1)}`).join(', ');
}

function table(r: Record<string, unknown>): string {
  const n = (key: string) => (typeof r[key] === 'number' ? (r[key] as number) : NaN);
  const s = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : '–');
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '–');
  return [
    '| measure | notebook (Chromium) | reference | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    `| first heatmap, full XQuAD-R, lexical | ${s(n('first_heatmap_s'))} (encode ${s(n('encode_s'))}, score ${s(n('score_s'))}) | NumPy GEMM + ranking ${s(n('numpy_eval_s'))} | ${ratio(n('first_heatmap_s'), n('numpy_eval_s'))} | ≤ 0.8 |`,
    `| scoring alone, automatic vs forced dense | ${s(n('score_s'))} (${r.scoring_backend ?? '–'}) | ${r.dense_backend ?? '–'} ${s(n('score_s_dense'))} | ${ratio(n('score_s'), n('score_s_dense'))} | |`,
    `| first heatmap vs the command line | ${s(n('first_heatmap_s'))} | \`xling eval\` ${s(n('cli_eval_s'))} (encode ${s(n('cli_encode_s'))}, score ${s(n('cli_score_s'))}) | ${ratio(n('first_heatmap_s'), n('cli_eval_s'))} | ≤ 1.0 |`,
    `| default Hybrid training run | ${s(n('train_run_s'))} (${r.train_steps ?? '–'} steps on ${r.trainer_device ?? '–'}, ${r.heldout_checks ?? '–'} held-out checks) | \`xling train\` ${s(n('cli_train_s'))} | ${ratio(n('train_run_s'), n('cli_train_s'))} | ≤ 1.0 |`,
    `| one held-out check | ${s(n('heldout_check_s'))} | | | |`,
    '',
    `Training run parts (s): notebook ${parts(r.train_timings)}; \`xling train\` ${parts(r.cli_train_timings)}.`,
    '',
    `Scoring: ${r.scoring_backend ?? '–'}; training scored on ${r.train_scoring_backend ?? '–'}. WebGPU adapter present: ${r.webgpu_adapter ?? '–'}. Load average (1 min) ${Number(r.load_before).toFixed(2)} before, ${Number(r.load_browser_start).toFixed(2)} as the browser started, ${Number(r.load_cli_start).toFixed(2)} as the CLI started, ${Number(r.load_numpy_start).toFixed(2)} as NumPy started, ${Number(r.load_after).toFixed(2)} after (${r.cores} cores).`,
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
