/**
 * Training-step benchmark: steps per second at batch 64 (64 question + 64 answer rows), for the
 * built-in lexical encoder's embeddings (2048 dims, real XQuAD-R pairs, ~90% zeros) and for dense
 * 384-dimensional embeddings (random unit vectors, the size of MiniLM-class encoders), with the
 * adapter head (rank 64) and the linear head, on:
 *   - the CPU trainer (hand-written TypeScript) in Node,
 *   - the same CPU trainer in headless Chromium (the browser's no-WebGPU path),
 *   - the WebGPU trainer in headless Chromium (SwiftShader here: WebGPU emulated on the CPU),
 *   - the same step vectorised in NumPy (scripts/numpy_train.py), the real alternative the speed is
 *     measured against, in the same run;
 *   - the plain reference step (test/support/oracles/training.ts) in Node, a correctness oracle only (no speed ratio).
 * Every path runs the same batches from the same initial head, so their first-step losses must agree
 * (printed, and checked: the script exits with status 1 when they differ by more than 1e-3).
 *
 *   npx tsx scripts/bench-train.ts [--steps 20] [--reference-steps 2] [--gpu-steps 5] [--no-browser]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLexicalEncoder } from '../src/core/encoders/lexical';
import { randomUnitVectors, seededRandom } from '../src/core/linalg/random';
import { BENCH_OPTIMIZER, BENCH_TEMPERATURE, timeReferenceSteps, timeTrainerSteps, type StepTiming } from './train-timing';
import { initHead } from '../src/core/training/head';
import { encodeNpyFloat32 } from '../src/core/npy';
import { MIX_PRESETS } from '../src/core/training/mix';
import { buildTrainingExamples, createBatchSampler } from '../src/core/training/sampler';
import { splitByArticles } from '../src/core/training/split';
import { createCpuTrainer, type HeadSettings } from '../src/core/training/trainer';
import { readDatasetFolder } from '../src/node/read-dataset';
import { chromiumAvailable } from '../src/dev-server/chromium';
import { openWebGpuPage, type WebGpuPage } from '../src/dev-server/webgpu-page';

const N = 64;

const ENTRY = `
import { timeTrainerSteps } from './scripts/train-timing';
import { createCpuTrainer } from './src/core/training/trainer';
import { webgpuTrainer, requestWebGpuDevice } from './src/core/training/webgpu-trainer';
(window as any).benchSteps = async (spec: any) => {
  const batches = spec.batches.map((b: number[]) => Float32Array.from(b));
  if (spec.backend === 'cpu') return timeTrainerSteps(createCpuTrainer, spec.head, spec.dim, spec.n, batches, spec.steps);
  const device = await requestWebGpuDevice((navigator as any).gpu);
  try {
    return await timeTrainerSteps(webgpuTrainer(device), spec.head, spec.dim, spec.n, batches, spec.steps);
  } finally {
    device.destroy();
  }
};
`;

async function lexicalBatches(count: number): Promise<Float32Array[]> {
  const dataset = await readDatasetFolder(resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data/xquad-r'));
  const split = splitByArticles(dataset, { train: 0.5, validation: 0.2, seed: 1 });
  const sampler = createBatchSampler(buildTrainingExamples(split.train), { mix: MIX_PRESETS.hybrid.mix, languageWeighting: 'uniform', batchSize: N, seed: 1 });
  const encoder = createLexicalEncoder();
  const batches = [];
  for (let k = 0; k < count; k++) {
    const batch = sampler.next();
    const texts = [...Array.from(batch.queryRows, (r) => dataset.queries[r].text)];
    const answers = Array.from(batch.answerRows, (r) => dataset.candidates[r].text);
    const x = new Float32Array(2 * N * encoder.dim);
    x.set(await encoder.encode(texts, 'query'));
    x.set(await encoder.encode(answers, 'passage'), N * encoder.dim);
    batches.push(x);
  }
  return batches;
}

function denseBatches(count: number, dim: number): Float32Array[] {
  const random = seededRandom(384);
  return Array.from({ length: count }, () => randomUnitVectors(2 * N, dim, random));
}

interface Row {
  embeddings: string;
  head: string;
  path: string;
  timing: StepTiming;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '20' },
      'reference-steps': { type: 'string', default: '2' },
      'gpu-steps': { type: 'string', default: '5' },
      'no-browser': { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const referenceSteps = Number(values['reference-steps']);
  const gpuSteps = Number(values['gpu-steps']);
  const load = os.loadavg()[0];
  const sets = [
    { name: 'lexical (2048, XQuAD-R pairs)', dim: 2048, batches: await lexicalBatches(4) },
    { name: 'dense 384 (random unit)', dim: 384, batches: denseBatches(4, 384) },
  ];
  const heads: Array<{ name: string; head: HeadSettings }> = [
    { name: 'adapter r64', head: { kind: 'adapter', rank: 64 } },
    { name: 'linear', head: { kind: 'linear', rank: 0 } },
  ];
  let page: WebGpuPage | undefined;
  if (!values['no-browser'] && chromiumAvailable()) page = await openWebGpuPage(ENTRY);
  const rows: Row[] = [];
  try {
    for (const set of sets) {
      for (const { name, head } of heads) {
        const spec = { head, dim: set.dim, n: N, steps, batches: page ? set.batches.map((b) => Array.from(b)) : [] };
        const add = (path: string, timing: StepTiming) => {
          rows.push({ embeddings: set.name, head: name, path, timing });
          console.error(`${set.name} / ${name} / ${path}: ${timing.stepsPerSecond.toFixed(2)} steps/s (first-step loss ${timing.firstLoss.toFixed(5)})`);
        };
        add('CPU trainer, Node', await timeTrainerSteps(createCpuTrainer, head, set.dim, N, set.batches, steps));
        if (page) {
          add('CPU trainer, Chromium', await page.page.evaluate((s) => (window as any).benchSteps({ ...s, backend: 'cpu' }), spec));
          if (page.adapter) add(`WebGPU trainer, Chromium (${page.adapter})`, await page.page.evaluate((s) => (window as any).benchSteps({ ...s, backend: 'webgpu' }), { ...spec, steps: gpuSteps }));
        }
        add('NumPy (vectorised float32)', await numpySteps(head, set.dim, set.batches, steps));
        add('plain reference, Node', timeReferenceSteps(head, set.dim, N, set.batches, referenceSteps));
      }
    }
  } finally {
    await page?.close();
  }

  let worst = 0;
  for (const row of rows) {
    const reference = rows.find((r) => r.embeddings === row.embeddings && r.head === row.head && r.path.startsWith('plain reference'))!;
    worst = Math.max(worst, Math.abs(row.timing.firstLoss - reference.timing.firstLoss));
  }
  console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, load average at start ${load.toFixed(2)}; batch ${N}, ${steps} timed steps after 2 warm-up steps (reference: ${referenceSteps} steps, WebGPU: ${gpuSteps})\n`);
  console.log('| embeddings | head | path | steps/s | ms/step | vs NumPy |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    const numpy = rows.find((r) => r.embeddings === row.embeddings && r.head === row.head && r.path.startsWith('NumPy'))!;
    const ratio = row.path.startsWith('plain reference') ? '(oracle)' : `${(row.timing.stepsPerSecond / numpy.timing.stepsPerSecond).toFixed(2)}x`;
    console.log(`| ${row.embeddings} | ${row.head} | ${row.path} | ${row.timing.stepsPerSecond.toFixed(2)} | ${(1000 / row.timing.stepsPerSecond).toFixed(1)} | ${ratio} |`);
  }
  console.log(`\nFirst-step losses: largest difference from the reference ${worst.toExponential(2)}.`);
  if (!(worst < 1e-3)) {
    console.error('First-step losses disagree: a path computes a different step.');
    process.exitCode = 1;
  }
}

/** The same steps in NumPy, from the same initial head (2 untimed warm-up steps, as the trainers). */
async function numpySteps(head: HeadSettings, dim: number, batches: Float32Array[], steps: number): Promise<StepTiming> {
  const dir = await mkdtemp(join(os.tmpdir(), 'xling-numpy-train-'));
  try {
    const stacked = new Float32Array(batches.length * 2 * N * dim);
    batches.forEach((b, i) => stacked.set(b, i * 2 * N * dim));
    // A 2-D .npy of k * 2n rows, read back as k x 2n x d.
    await writeFile(join(dir, 'batches.npy'), encodeNpyFloat32(stacked, batches.length * 2 * N, dim));
    const init = initHead(head.kind, dim, head.rank, 1);
    const shapes: Record<string, [number, number]> = head.kind === 'linear' ? { D: [dim, dim] } : { A: [dim, head.rank], B: [head.rank, dim] };
    for (const [name, [rows, cols]] of Object.entries(shapes)) await writeFile(join(dir, `${name}.npy`), encodeNpyFloat32(init.params[name], rows, cols));
    const settings = {
      kind: head.kind, n: N, steps, warmup: 2, temperature: BENCH_TEMPERATURE,
      learning_rate: BENCH_OPTIMIZER.learningRate, weight_decay: BENCH_OPTIMIZER.weightDecay,
      warmup_steps: BENCH_OPTIMIZER.warmupSteps, total_steps: BENCH_OPTIMIZER.totalSteps,
    };
    await writeFile(join(dir, 'settings.json'), JSON.stringify(settings));
    const out = join(dir, 'out.json');
    await promisify(execFile)('python3', [resolve(dirname(fileURLToPath(import.meta.url)), 'numpy_train.py'), dir, out]);
    const result = JSON.parse(await readFile(out, 'utf8')) as { steps_per_s: number; first_loss: number };
    return { steps, seconds: steps / result.steps_per_s, stepsPerSecond: result.steps_per_s, firstLoss: result.first_loss, losses: [] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
