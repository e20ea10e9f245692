/**
 * Layer-tuning benchmark (issue 17): steps/s of one and of two tuned layers' forward + backward
 * (`forwardBackward` with the real loss: mean pooling, L2 normalisation, InfoNCE) at batch 32 pairs
 * (64 texts, seeded token lengths 16..48, padded to the longest) on the MiniLM shape (hidden 384,
 * 12 heads, intermediate 1536, eps 1e-12), for:
 *   - the onnxruntime engine (ort-engine.ts: generated forward/backward graphs) on onnxruntime-node's CPU EP,
 *   - the CPU engine (cpu-layer.ts, plain TypeScript) in Node,
 *   - PyTorch CPU, float32 autograd, the same threads (scripts/torch_tune_bench.py; the real alternative),
 *   - in headless Chromium (a bare cross-origin isolated page, src/dev-server/tuning-page.ts):
 *     onnxruntime-web's multi-threaded WASM EP and the CPU engine,
 *   - the losing candidate `@jax-js/jax` (scripts/jax-layers.ts: `jit(valueAndGrad(loss))` on its
 *     `wasm` backend) in Node and in Chromium, so the engine decision rests on one run.
 * Every engine's first loss must agree with the CPU engine's (relative 1e-4), or the run stops.
 * Debian's python3-torch calls whatever provides libblas.so.3; with only libblas3 installed that is
 * the netlib reference BLAS, minutes per step, no fair alternative. `--torch-blas <dir>` puts a
 * folder holding an optimised libblas.so.3 first on the library path of the PyTorch run alone,
 * without touching the system, e.g. Debian's OpenBLAS unpacked:
 *   apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb blas
 *   --torch-blas blas/usr/lib/x86_64-linux-gnu/openblas-pthread
 * (where libopenblas0 is installed, the alternatives already point libblas.so.3 at it: no flag needed).
 * One untimed warm-up step (it creates the onnxruntime sessions), then `--steps` timed ones (median
 * reported); the CPU engine, at about a minute a step on a busy 2-core machine, runs `--cpu-steps`
 * timed steps and no warm-up (it has nothing to set up). Load average at start and end.
 *
 *   npm run bench:tune -- --out tune.json [--steps 3] [--cpu-steps 1] [--threads N] [--no-browser] [--torch-blas <dir>]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { seededRandom } from '../src/core/linalg/random';
import { createCpuLayerEngine, zeroLayerWeights } from '../src/core/tuning/cpu-layer';
import type { LayerInput, LayerStackEngine } from '../src/core/tuning/engine';
import { LINEAR_NAMES, NORM_NAMES, type LayerShape, type LayerWeights } from '../src/core/tuning/layer';
import { poolingLoss } from '../src/core/tuning/loss';
import { createOrtLayerEngine } from '../src/core/tuning/ort-engine';
import { chromiumAvailable } from '../src/dev-server/chromium';
import { encodeForPage, openTuningPage } from '../src/dev-server/tuning-page';
import { openWebGpuPage } from '../src/dev-server/webgpu-page';
import { createJaxLayerStep } from './jax-layers';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MINILM: LayerShape = { hidden: 384, heads: 12, intermediate: 1536, layerNormEps: 1e-12 };
const PAIRS = 32;
const TEMPERATURE = 0.05;
const SEED = 17;
const LAYER_COUNTS = [1, 2];

interface Row { engine: string; where: string; layers: number; threads: number; seconds: number[] }

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    out: { type: 'string' }, steps: { type: 'string', default: '3' }, 'cpu-steps': { type: 'string', default: '1' }, threads: { type: 'string' }, 'no-browser': { type: 'boolean' },
    'torch-blas': { type: 'string' },
  } });
  if (!values.out) throw new Error('usage: npm run bench:tune -- --out <tune.json> [--steps 3] [--cpu-steps 1] [--threads N] [--no-browser] [--torch-blas <dir>]');
  const steps = Number(values.steps);
  const cpuSteps = Number(values['cpu-steps']);
  const threads = values.threads ? Number(values.threads) : os.availableParallelism();
  const random = seededRandom(SEED);
  const lengths = Array.from({ length: 2 * PAIRS }, () => 16 + Math.floor(random() * 33));
  const seq = Math.max(...lengths);
  const result: Record<string, unknown> = {
    date: new Date().toISOString(), cores: os.availableParallelism(), load_before: os.loadavg(), node: process.version,
    onnxruntime_node: ort.env.versions.node, shape: MINILM, pairs: PAIRS, seq, tokens: lengths.reduce((a, b) => a + b, 0), steps,
  };
  const rows: Row[] = [];

  const layers = benchLayers(MINILM, Math.max(...LAYER_COUNTS), random);
  const input = benchInput(lengths, seq, MINILM.hidden, random);
  const lossOf = (output: Float32Array) => poolingLoss(output, input.mask, input.batch, seq, MINILM.hidden, 'mean', PAIRS, TEMPERATURE);
  const firstLosses: Record<string, number> = {};
  /** Without warm-up, the first step (which also creates an onnxruntime session) is timed too. */
  const timeEngine = async (engine: LayerStackEngine, engineThreads: number, timed: number, warmUp: boolean) => {
    for (const count of LAYER_COUNTS) {
      const seconds: number[] = [];
      for (let step = warmUp ? 0 : 1; step <= timed; step++) {
        const started = performance.now();
        const { loss } = await engine.forwardBackward(layers.slice(0, count), input, lossOf);
        firstLosses[`${engine.backend} ${count}`] ??= loss;
        if (step > 0) seconds.push((performance.now() - started) / 1000);
      }
      rows.push({ engine: engine.backend, where: 'Node', layers: count, threads: engineThreads, seconds });
      console.error(`${engine.backend}, ${count} layer(s): ${median(seconds).toFixed(2)} s/step`);
    }
    await engine.dispose();
  };
  await timeEngine(createOrtLayerEngine(ort, MINILM, { backend: 'ort-node', executionProviders: ['cpu'], threads }), threads, steps, true);
  await timeEngine(createCpuLayerEngine(MINILM), 1, cpuSteps, false);

  // jax-js in Node: its wasm backend, one thread (Node has no global Worker for its pool).
  const jax = await import('@jax-js/jax');
  await jax.init('wasm');
  jax.defaultDevice('wasm');
  result.jax_js = JSON.parse(await readFile(path.join(ROOT, 'node_modules/@jax-js/jax/package.json'), 'utf8')).version;
  for (const count of LAYER_COUNTS) {
    const stepper = createJaxLayerStep(jax, MINILM, layers.slice(0, count), input, PAIRS, TEMPERATURE);
    const seconds: number[] = [];
    for (let step = 0; step <= steps; step++) {
      const started = performance.now();
      const loss = await stepper.step();
      firstLosses[`jax-js ${count}`] ??= loss;
      if (step > 0) seconds.push((performance.now() - started) / 1000);
    }
    stepper.dispose();
    rows.push({ engine: 'jax-js wasm', where: 'Node', layers: count, threads: 1, seconds });
    console.error(`jax-js wasm, ${count} layer(s): ${median(seconds).toFixed(2)} s/step`);
  }
  const checkLoss = (engine: string, count: number) => {
    const [a, b] = [firstLosses[`${engine} ${count}`], firstLosses[`cpu ${count}`]];
    if (!(Math.abs(a - b) <= 1e-4 * Math.abs(b))) throw new Error(`the engines disagree on ${count} layer(s)' loss: ${engine} ${a}, cpu ${b}`);
  };
  for (const count of LAYER_COUNTS) for (const engine of ['ort-node', 'jax-js']) checkLoss(engine, count);
  result.first_step_loss = firstLosses;

  const torch = await torchRun(lengths, threads, steps, values['torch-blas']);
  result.torch = torch.torch;
  result.torch_blas = torch.blas;
  for (const { layers: count, seconds } of torch.results) rows.push({ engine: 'pytorch', where: 'Python', layers: count, threads: torch.threads, seconds });

  if (!values['no-browser'] && chromiumAvailable()) {
    const page = await openTuningPage();
    try {
      result.chromium = await page.page.context().browser()?.version();
      result.onnxruntime_web = JSON.parse(await readFile(path.join(ROOT, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version;
      for (const engine of ['ort-wasm', 'cpu'] as const) {
        for (const count of LAYER_COUNTS) {
          const measured = await page.tuneLayers({
            engine, shape: MINILM, temperature: TEMPERATURE, steps: engine === 'cpu' ? cpuSteps : steps, warmUp: engine !== 'cpu',
            results: false, ...encodeForPage(layers.slice(0, count), input),
          });
          result.cross_origin_isolated = measured.crossOriginIsolated;
          rows.push({ engine, where: 'Chromium', layers: count, threads: engine === 'cpu' ? 1 : measured.threads, seconds: measured.seconds });
          console.error(`${engine} in Chromium, ${count} layer(s): ${median(measured.seconds).toFixed(2)} s/step`);
        }
      }
    } finally {
      await page.close();
    }
    const jaxPage = await openWebGpuPage(JAX_ENTRY, ROOT, { crossOriginIsolated: true });
    try {
      for (const count of LAYER_COUNTS) {
        const spec = { ...encodeForPage(layers.slice(0, count), input), shape: MINILM, pairs: PAIRS, temperature: TEMPERATURE, steps };
        const measured = await jaxPage.page.evaluate((s) => (window as unknown as { jaxTune(spec: unknown): Promise<{ seconds: number[]; loss: number; threads: number }> }).jaxTune(s), spec);
        firstLosses[`jax-js Chromium ${count}`] = measured.loss;
        checkLoss('jax-js Chromium', count);
        rows.push({ engine: 'jax-js wasm', where: 'Chromium', layers: count, threads: measured.threads, seconds: measured.seconds });
        console.error(`jax-js wasm in Chromium, ${count} layer(s): ${median(measured.seconds).toFixed(2)} s/step`);
      }
    } finally {
      await jaxPage.close();
    }
  }
  result.load_after = os.loadavg();
  result.rows = rows.map((row) => ({ ...row, steps_per_s: 1 / median(row.seconds) }));
  await writeFile(values.out, JSON.stringify(result, null, 2));
  console.log(table(rows, result));
}

/** The bare page's module for jax-js: the same step as in Node, on the weights and texts it is sent. */
const JAX_ENTRY = `
import * as jax from '@jax-js/jax';
import { createJaxLayerStep } from './scripts/jax-layers';
import { decodeFloat32 as decode, decodeLayer as fromBase64 } from './src/dev-server/page-arrays';
window.jaxTune = async (spec) => {
  await jax.init('wasm');
  jax.defaultDevice('wasm');
  const input = { ...spec.input, hidden: decode(spec.input.hidden), mask: Uint8Array.from(spec.input.mask) };
  const stepper = createJaxLayerStep(jax, spec.shape, spec.layers.map(fromBase64), input, spec.pairs, spec.temperature);
  const seconds = [];
  let loss;
  try {
    for (let step = 0; step <= spec.steps; step++) {
      const started = performance.now();
      const value = await stepper.step();
      loss ??= value;
      if (step > 0) seconds.push((performance.now() - started) / 1000);
    }
  } finally {
    stepper.dispose();
  }
  return { seconds, loss, threads: navigator.hardwareConcurrency };
};
`;

async function torchRun(lengths: number[], threads: number, steps: number, blasDir: string | undefined) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'xling-bench-tune-'));
  try {
    const spec = path.join(work, 'spec.json');
    await writeFile(spec, JSON.stringify({
      hidden: MINILM.hidden, heads: MINILM.heads, intermediate: MINILM.intermediate, eps: MINILM.layerNormEps,
      lengths, layers: LAYER_COUNTS, threads, steps, temperature: TEMPERATURE, seed: SEED,
    }));
    const env = blasDir ? { ...process.env, LD_LIBRARY_PATH: blasDir, OPENBLAS_NUM_THREADS: String(threads) } : process.env;
    const { stdout } = await run('/usr/bin/python3', [path.join(ROOT, 'scripts/torch_tune_bench.py'), spec], { maxBuffer: 1 << 20, env });
    return JSON.parse(stdout) as { torch: string; threads: number; blas: string[]; results: { layers: number; seconds: number[] }[] };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Weights uniform with variance 1/in (activations stay O(1)), biases and betas ±0.1, gammas 1 ± 0.25. */
function benchLayers(shape: LayerShape, count: number, random: () => number): LayerWeights[] {
  const fill = (values: Float32Array, half: number, centre = 0) => values.forEach((_, i) => { values[i] = centre + half * (2 * random() - 1); });
  return Array.from({ length: count }, () => {
    const layer = zeroLayerWeights(shape);
    for (const name of LINEAR_NAMES) {
      fill(layer[name].weight, Math.sqrt(3 / (layer[name].weight.length / layer[name].bias.length)));
      fill(layer[name].bias, 0.1);
    }
    for (const name of NORM_NAMES) {
      fill(layer[name].gamma, 0.25, 1);
      fill(layer[name].beta, 0.1);
    }
    return layer;
  });
}

/** Hidden states uniform in ±1, the given token counts, the rest padding. */
function benchInput(lengths: number[], seq: number, hidden: number, random: () => number): LayerInput {
  const mask = new Uint8Array(lengths.length * seq);
  lengths.forEach((length, b) => mask.fill(1, b * seq, b * seq + length));
  return { hidden: Float32Array.from({ length: mask.length * hidden }, () => 2 * random() - 1), mask, batch: lengths.length, seq };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function table(rows: Row[], result: Record<string, unknown>): string {
  const torchRate = (count: number) => 1 / median(rows.find((row) => row.engine === 'pytorch' && row.layers === count)!.seconds);
  const lines = [
    '| engine | where | threads | layers | s/step (median) | steps/s | vs PyTorch CPU |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const rate = 1 / median(row.seconds);
      return `| ${row.engine} | ${row.where} | ${row.threads} | ${row.layers} | ${median(row.seconds).toFixed(2)} | ${rate.toFixed(2)} | ${(rate / torchRate(row.layers)).toFixed(2)}× |`;
    }),
  ];
  const load = (key: string) => (result[key] as number[]).map((v) => v.toFixed(1)).join(' / ');
  return `${lines.join('\n')}\n\nLoad average (1/5/15 min) before: ${load('load_before')}, after: ${load('load_after')}; ${String(result.cores)} cores.`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
