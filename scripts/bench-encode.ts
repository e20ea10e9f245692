/**
 * Encoding throughput benchmark: sentences per second on XQuAD-R questions, the browser's WASM path
 * against onnxruntime-node, same model, same thread count, same texts, in the same run.
 *
 *   npm run bench:encode    # or npx tsx scripts/bench-encode.ts; options:
 *     [--model minilm|tiny] [--layers 12] [--per-language 40] [--runs 3] [--dtypes q8,fp32] [--out encode.json] [--no-diagnose]
 *
 * Both weight formats in one run: fp32 (onnx/model.onnx) and q8 (onnx/model_quantized.onnx, dynamic
 * int8 as transformers.js exports it: scripts/quantize-q8.ts), each on both sides. `--out` writes
 * `{ q8: { browser_tokens_per_s, native_tokens_per_s, ... }, fp32: { ... }, load_before, load_after }`.
 *
 * Model: `minilm` is shaped like paraphrase-multilingual-MiniLM-L12-v2 (12 layers, hidden 384, 12
 * heads, feed-forward 1536, XLM-R's 250002-row embedding table) with seeded random weights; `tiny` is
 * make-test-model's default (2 layers, hidden 32) for a quick smoke check. `--layers` changes the
 * layer count of `minilm` (a different model: label it as such). Models are written by
 * scripts/make-test-model.ts into .tmp/bench-models/ (gitignored) when missing, and reused.
 *
 * Texts: the first K questions of each of XQuAD-R's 11 languages (../shared/data/xquad-r), role
 * `query`, no prefix. Both sides encode them the way the app does: through `encodeWithCache`, i.e.
 * in chunks of CACHE_CHUNK (256) texts, each length-grouped into batches of 32
 * (DEFAULT_TRANSFORMER_SETTINGS.batchSize). The browser's store is IndexedDB, cleared before every
 * timed run so that every text is encoded; Node's store is one that never hits.
 *
 *   - browser: test/browser/pages/encoder-probe.html in Debian's Chromium (playwright-core), the app's
 *     encoder worker, transformers.js on onnxruntime-web WASM with navigator.hardwareConcurrency
 *     threads (at most 8; the page is cross-origin isolated). Timed inside the page (`seconds`: the
 *     worker round trip, including the cache lookups, the IndexedDB writes and the postMessage of the
 *     vectors).
 *   - native: createOnnxEncoder (transformers.js on onnxruntime-node, CPU) with intraOpNumThreads set to
 *     the browser's thread count.
 *
 * Each side: model load and one warm-up encode of all texts (not timed), then `--runs` timed encodes of
 * all texts, alternating native / browser; the best of each is reported. The browser's vectors must equal
 * Node's (max |difference| < 1e-4, else exit status 1): both sides did the same work. Padding: the
 * batch plans of the run (grouped by length within the chunks, and what input-order batches would be),
 * and grouping all texts in one call.
 *
 * Diagnosis (unless --no-diagnose): the model alone on one batch of the run's mean padded length, and
 * one Gemm of the feed-forward shape, straight on onnxruntime-node and on onnxruntime-web in a worker
 * of the same page (both builds the app loads), to tell the runtimes' kernels apart
 * from the app's own layers (tokenizer, transformers.js, pooling, cache, messages); the runtime
 * settings tried (tryOptions); and the q8 model taken apart (q8Products: each integer product alone on
 * both runtimes, onnxruntime-node's profile, and the ceiling they put on the browser's ratio).
 *
 * The dev server may reload the page once at the start (Vite optimising the worker's dependencies on
 * a cold cache); the script waits for that. A reload later (a served file edited mid-run) voids the
 * run: it stops with a message.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AutoTokenizer } from '@huggingface/transformers';
import onnxProto from 'onnx-proto';
import type { Page } from 'playwright-core';
import { quantizeDynamicUint8 } from './quantize-q8';
import { ortMatmul } from '../src/core/linalg/ort-matmul';
import { CACHE_CHUNK, encodeWithCache, type VectorStore } from '../src/core/encoders/cached';
import { planLengthBatches, type BatchPlan } from '../src/core/encoders/pooling';
import { DEFAULT_TRANSFORMER_SETTINGS, paddingShare } from '../src/core/encoders/transformer';
import type { SentenceEncoder } from '../src/core/encoders/types';
import { createOnnxEncoder } from '../src/node/onnx-encoder';
import { readDatasetFolder } from '../src/node/read-dataset';
import { startAppInChromium as startHarness, type AppInChromium as Harness } from '../src/dev-server/chromium';
import type { TransformerSpec } from '../src/core/encoders/model-spec';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const XQUAD_R = path.resolve(ROOT, '../shared/data/xquad-r');
const MODELS_DIR = path.join(ROOT, '.tmp/bench-models');
const BATCH = DEFAULT_TRANSFORMER_SETTINGS.batchSize;
/**
 * Browser vs native embeddings, max |difference|: fp32 runs the same float kernels' maths; q8
 * quantises activations at run time, where a float difference of one rounding can move a value to
 * the next integer step, so its limit is wider (still far below the q8-vs-fp32 distance).
 */
const TOLERANCE = { fp32: 1e-4, q8: 1e-2 } as const;

interface ModelChoice {
  name: string;
  label: string;
  args: string[];
}

function modelChoice(model: string, layers: number | undefined): ModelChoice {
  if (model === 'tiny') {
    return { name: 'tiny', label: 'tiny test model (2 layers, hidden 32)', args: ['--seed', '1'] };
  }
  if (model !== 'minilm') throw new Error(`--model must be minilm or tiny, got ${model}.`);
  const n = layers ?? 12;
  return {
    name: n === 12 ? 'minilm-l12' : `minilm-l${n}`,
    label: `MiniLM-L12 shape${n === 12 ? '' : `, but ${n} layers`} (${n} layers, hidden 384, 12 heads, 250002-row table, random weights)`,
    args: ['--layers', String(n), '--hidden', '384', '--vocab-size', '250002', '--seed', '1'],
  };
}

function ensureModel(choice: ModelChoice): string {
  const folder = path.join(MODELS_DIR, choice.name);
  if (!existsSync(path.join(folder, 'onnx/model.onnx')) || !existsSync(path.join(folder, 'onnx/model_quantized.onnx'))) {
    console.error(`writing ${folder} ...`);
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/make-test-model.ts', folder, ...choice.args], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  return folder;
}

/** A store that never hits and keeps nothing: Node encodes in the app's chunks, every text encoded. */
const noStore: VectorStore = {
  getMany: async (keys) => keys.map(() => undefined),
  setMany: async () => undefined,
};

interface Timed {
  seconds: number;
  embeddings: Float32Array;
}

type Probe = {
  encode(spec: TransformerSpec, texts: string[], role: string): Promise<{ embeddings: number[]; info: { device: string; dim: number }; progress: { phase: string; done?: number; cached?: number }[]; seconds: number }>;
  load(spec: TransformerSpec): Promise<{ device: string; dim: number }>;
  clearCache(model: string | null): Promise<void>;
  listCache(): Promise<{ embeddings: number }>;
};

/** What one weight format measured: best times of each side and what the run checked. */
type MeasuredDtype = keyof typeof TOLERANCE;

interface DtypeResult {
  dtype: MeasuredDtype;
  nodeLoad: number;
  nodeWarm: number;
  browserLoad: number;
  browserWarm: number;
  cached: number;
  nodeRuns: number[];
  browserRuns: number[];
  difference: number;
  plans: BatchPlan[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'minilm' },
      layers: { type: 'string' },
      'per-language': { type: 'string', default: '40' },
      runs: { type: 'string', default: '3' },
      dtypes: { type: 'string', default: 'q8,fp32' },
      out: { type: 'string' },
      'no-diagnose': { type: 'boolean', default: false },
    },
  });
  const perLanguage = positive('--per-language', values['per-language']);
  const runs = positive('--runs', values.runs);
  const dtypes = values.dtypes.split(',').map((d) => d.trim());
  for (const dtype of dtypes) if (!(dtype in TOLERANCE)) throw new Error(`--dtypes takes fp32 and q8, got ${dtype}.`);
  const choice = modelChoice(values.model, values.layers === undefined ? undefined : positive('--layers', values.layers));
  const startLoad = os.loadavg();
  const folder = ensureModel(choice);

  const dataset = await readDatasetFolder(XQUAD_R);
  // Distinct texts (the cache encodes a repeated text once), so that every text is one row of model input.
  const texts = [...new Set(dataset.languages.flatMap((lang) => dataset.queries.filter((q) => q.lang === lang).slice(0, perLanguage).map((q) => q.text)))];
  console.error(`${texts.length} questions (${perLanguage} per language x ${dataset.languages.length} languages), model ${choice.label}`);

  // The browser first: its thread count is what Node must match.
  process.env.XLING_MODELS_DIR = MODELS_DIR;
  const harness: Harness = await startHarness();
  try {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    const reloads = await openProbe(page, harness);
    const browserEnv = await page.evaluate(() => ({
      isolated: self.crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
    }));
    // As workers/encoder/host.ts sets onnx.wasm.numThreads.
    const threads = browserEnv.isolated ? Math.max(1, Math.min(browserEnv.cores, 8)) : 1;
    const results: DtypeResult[] = [];
    for (const dtype of dtypes as MeasuredDtype[]) {
      results.push(await measureDtype(dtype, { page, folder, name: choice.name, texts, threads, runs }));
      if (reloads.count) throw new Error(`the dev server reloaded the page during the benchmark (a file it serves changed?): run again.`);
    }
    await context.close();
    const plans = results[0].plans;
    const diagnosis = values['no-diagnose'] ? null : await diagnose(harness, folder, choice.name, threads, lengthsForDiagnosis(plans));
    const options = values['no-diagnose'] ? [] : await tryOptions(harness, folder, choice.name, threads, lengthsForDiagnosis(plans).seq);
    const products = values['no-diagnose'] ? null : await q8Products(harness, folder, threads, lengthsForDiagnosis(plans));

    // Padding: the plans Node recorded (the same on both sides: same tokenizer, same chunks), and what
    // grouping all texts in one call (the CLI without a cache) would give.
    const chunked = sumPlans(plans);
    const tokenizer = await AutoTokenizer.from_pretrained(path.basename(folder));
    const lengths = texts.map((text) => tokenizer.encode(text).length);
    const whole = planLengthBatches(lengths, BATCH);
    if (whole.tokens !== chunked.tokens) throw new Error(`token counts disagree: ${whole.tokens} vs ${chunked.tokens}.`);
    const endLoad = os.loadavg();

    const rate = (seconds: number) => texts.length / seconds;
    const fmtRuns = (list: number[]) => list.map((r) => r.toFixed(2)).join(', ');
    console.log(`Model: ${choice.label}; mean pooling, batch ${BATCH}, ${texts.length} XQuAD-R questions ` +
      `(first ${perLanguage} of each of ${dataset.languages.length} languages), ${chunked.tokens} tokens (${(chunked.tokens / texts.length).toFixed(1)} per question).`);
    console.log(`Machine: ${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, Node ${process.version}, ${await harness.browser.version()} (Chromium), ` +
      `load average ${startLoad.map((l) => l.toFixed(2)).join(' / ')} at the start, ${endLoad.map((l) => l.toFixed(2)).join(' / ')} at the end; ${new Date().toISOString().slice(0, 10)}.`);
    for (const r of results) {
      console.log(`Untimed, ${r.dtype}: native load ${r.nodeLoad.toFixed(1)} s + warm-up ${r.nodeWarm.toFixed(2)} s; browser load ${r.browserLoad.toFixed(1)} s + warm-up ${r.browserWarm.toFixed(2)} s. ` +
        `Browser, all ${texts.length} from the IndexedDB cache: ${r.cached.toFixed(2)} s.`);
    }
    console.log(`\n| weights | side | runtime | threads | timed runs (s) | best (s) | sentences/s | tokens/s | browser / native speed |`);
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const summary: Record<string, unknown> = {
      model: choice.label, texts: texts.length, tokens: chunked.tokens, threads, runs,
      load_before: startLoad[0], load_after: endLoad[0], date: new Date().toISOString(),
    };
    for (const r of results) {
      const nodeBest = Math.min(...r.nodeRuns);
      const browserBest = Math.min(...r.browserRuns);
      console.log(`| ${r.dtype} | native (Node) | onnxruntime-node ${packageVersion('onnxruntime-node')}, CPU EP | ${threads} intra-op | ${fmtRuns(r.nodeRuns)} | ${nodeBest.toFixed(2)} | ${rate(nodeBest).toFixed(1)} | ${(chunked.tokens / nodeBest).toFixed(0)} | 1.00x |`);
      console.log(`| ${r.dtype} | browser (Chromium) | onnxruntime-web ${packageVersion('onnxruntime-web')}, WASM | ${threads} WASM | ${fmtRuns(r.browserRuns)} | ${browserBest.toFixed(2)} | ${rate(browserBest).toFixed(1)} | ${(chunked.tokens / browserBest).toFixed(0)} | ${(nodeBest / browserBest).toFixed(2)}x |`);
      summary[r.dtype] = {
        browser_tokens_per_s: chunked.tokens / browserBest,
        native_tokens_per_s: chunked.tokens / nodeBest,
        browser_vs_native: nodeBest / browserBest,
        browser_runs_s: r.browserRuns,
        native_runs_s: r.nodeRuns,
        max_abs_difference: r.difference,
      };
    }
    for (const r of results) {
      const ratio = Math.min(...r.nodeRuns) / Math.min(...r.browserRuns);
      console.log(`\n${r.dtype}: browser at ${ratio.toFixed(2)}x native speed (best of ${runs} each)${r.dtype === 'q8' ? `; target at least 0.5x: ${ratio >= 0.5 ? 'met' : 'missed'}` : ''}. ` +
        `Browser vs native embeddings: max |difference| ${r.difference.toExponential(2)} (limit ${TOLERANCE[r.dtype]}).`);
    }
    console.log('\n| batching | model input (tokens) | padding share |');
    console.log('| --- | --- | --- |');
    console.log(`| length-grouped within chunks of ${CACHE_CHUNK} texts (what both sides ran) | ${chunked.paddedTokens} | ${paddingShare(chunked.paddedTokens, chunked.tokens).toFixed(1)}% |`);
    console.log(`| input order, batches of ${BATCH} | ${chunked.paddedTokensInInputOrder} | ${paddingShare(chunked.paddedTokensInInputOrder, chunked.tokens).toFixed(1)}% |`);
    console.log(`| length-grouped over all ${texts.length} texts at once | ${whole.paddedTokens} | ${paddingShare(whole.paddedTokens, whole.tokens).toFixed(1)}% |`);
    console.log(`| no padding (real tokens) | ${chunked.tokens} | 0.0% |`);
    console.log(`\nGrouping by length cuts model input by ${(100 * (1 - chunked.paddedTokens / chunked.paddedTokensInInputOrder)).toFixed(1)}% against input order.`);
    if (diagnosis) printDiagnosis(diagnosis);
    if (options.length) {
      console.log('\nWhat onnxruntime-web offers, on the model alone (µs per token, best of ' + DIAG_REPEATS + '):\n');
      console.log('| runtime and setting | µs per token |');
      console.log('| --- | --- |');
      for (const o of options) console.log(`| ${o.what} | ${Number.isNaN(o.us_per_token) ? '' : o.us_per_token.toFixed(1)} |`);
      summary.options = options;
    }
    if (products) {
      printProducts(products);
      summary.q8_products = products;
    }
    if (values.out) await writeFile(values.out, JSON.stringify(summary, null, 2));
    const failed = results.filter((r) => !(r.difference < TOLERANCE[r.dtype]));
    if (failed.length) {
      console.error(`The browser and native embeddings differ (${failed.map((r) => r.dtype).join(', ')}): the two sides did not compute the same thing.`);
      process.exitCode = 1;
    }
  } finally {
    await harness.close();
  }
}

/** Native and browser, one weight format: load and warm-up (untimed), then `runs` timed encodes each, alternating. */
async function measureDtype(
  dtype: MeasuredDtype,
  { page, folder, name, texts, threads, runs }: { page: Page; folder: string; name: string; texts: string[]; threads: number; runs: number },
): Promise<DtypeResult> {
  const spec: TransformerSpec = {
    kind: 'transformer', source: { kind: 'served', name }, dtype, device: 'wasm', pooling: 'mean', queryPrefix: '', passagePrefix: '',
  };
  let started = performance.now();
  const nodeEncoder = await createOnnxEncoder(folder, { dtype, batchSize: BATCH, threads, queryPrefix: '', passagePrefix: '' });
  try {
    const nodeLoad = (performance.now() - started) / 1000;
    const plans: BatchPlan[] = [];
    const recording: SentenceEncoder = {
      id: nodeEncoder.id,
      dim: nodeEncoder.dim,
      encode: async (chunk, role, options) => {
        const out = await nodeEncoder.encode(chunk, role, options);
        plans.push(nodeEncoder.lastPlan!);
        return out;
      },
    };
    const nodeEncode = async (): Promise<Timed> => {
      plans.length = 0;
      const t0 = performance.now();
      const embeddings = await encodeWithCache(recording, noStore, 'bench', { queryPrefix: '', passagePrefix: '' }, texts, 'query');
      return { seconds: (performance.now() - t0) / 1000, embeddings };
    };
    const nodeWarm = await nodeEncode();
    console.error(`${dtype} native: load ${nodeLoad.toFixed(1)} s, warm-up ${nodeWarm.seconds.toFixed(2)} s (${threads} intra-op threads)`);

    // Browser: a clean cache, load + warm-up.
    await page.evaluate(() => (window as unknown as { encoderProbe: Probe }).encoderProbe.clearCache(null));
    started = performance.now();
    const info = await page.evaluate((s) => (window as unknown as { encoderProbe: Probe }).encoderProbe.load(s), spec);
    const browserLoad = (performance.now() - started) / 1000;
    if (info.device !== 'wasm') throw new Error(`the browser loaded the model on ${info.device}, not wasm.`);
    const browserWarm = await browserEncode(page, spec, texts);
    console.error(`${dtype} browser: load ${browserLoad.toFixed(1)} s, warm-up ${browserWarm.seconds.toFixed(2)} s (${threads} WASM threads)`);
    // Asked again without clearing: every vector from IndexedDB, none encoded (the cache path's own cost).
    const cachedRun = await browserEncode(page, spec, texts, texts.length);

    const nodeRuns: Timed[] = [];
    const browserRuns: Timed[] = [];
    for (let i = 0; i < runs; i++) {
      nodeRuns.push(await nodeEncode());
      browserRuns.push(await browserEncode(page, spec, texts));
      console.error(`${dtype} run ${i + 1}: native ${nodeRuns[i].seconds.toFixed(2)} s, browser ${browserRuns[i].seconds.toFixed(2)} s (load ${os.loadavg()[0].toFixed(2)})`);
    }
    const difference = Math.max(
      maxAbsDifference(browserWarm.embeddings, nodeWarm.embeddings),
      ...browserRuns.map((r, i) => maxAbsDifference(r.embeddings, nodeRuns[i].embeddings)),
    );
    return {
      dtype, nodeLoad, nodeWarm: nodeWarm.seconds, browserLoad, browserWarm: browserWarm.seconds, cached: cachedRun.seconds,
      nodeRuns: nodeRuns.map((r) => r.seconds), browserRuns: browserRuns.map((r) => r.seconds), difference, plans: [...plans],
    };
  } finally {
    await nodeEncoder.dispose();
  }
}

/**
 * Empties the embedding cache (IndexedDB 'xling-lab-embeddings') from the page, leaving the loaded
 * model alone: the probe's clearCache would also unload it and make the next run a first run.
 */
async function clearEmbeddings(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('xling-lab-embeddings');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('vectors', 'readwrite');
          tx.objectStore('vectors').clear();
          tx.oncomplete = () => (db.close(), resolve());
          tx.onerror = () => (db.close(), reject(tx.error));
        };
      }),
  );
}

/** One browser encode of all texts; `expectCached` is how many must come from the cache (0: cleared first). */
async function browserEncode(page: Page, spec: TransformerSpec, texts: string[], expectCached = 0): Promise<Timed> {
  if (expectCached === 0) await clearEmbeddings(page);
  const result = await page.evaluate(
    ([s, t]) => (window as unknown as { encoderProbe: Probe }).encoderProbe.encode(s, t, 'query'),
    [spec, texts] as const,
  );
  const last = result.progress.filter((p) => p.phase === 'encode').at(-1);
  if (last?.cached !== expectCached || last.done !== texts.length) {
    throw new Error(`browser encode: expected ${expectCached} of ${texts.length} from the cache, progress says ${JSON.stringify(last)}.`);
  }
  return { seconds: result.seconds, embeddings: Float32Array.from(result.embeddings) };
}

// ---------------------------------------------------------------------------------------------
// Diagnosis: where the gap is. The model alone on one fixed batch, straight on each runtime (no
// transformers.js, tokenizer, pooling or cache): onnxruntime-node, and onnxruntime-web in a worker of
// the same cross-origin isolated page with the two builds the app loads (the plain WASM build for
// WASM, the WebGPU bundle with the asyncify .wasm for WebGPU); and one Gemm of the model's
// feed-forward shape (src/core/linalg/ort-matmul.ts on each runtime), the kernel MLAS runs natively.
// ---------------------------------------------------------------------------------------------

const DIAG_REPEATS = 5;
/** The Gemm takes milliseconds: more repeats, so that one disturbed run does not decide. */
const GEMM_REPEATS = 20;

interface Diagnosis {
  rows: number;
  seq: number;
  lines: Array<{ what: string; threads: number; native: number; web: Array<{ build: string; seconds: number }> }>;
}

/** A full batch as long as the run's batches were on average (padded tokens per row). */
function lengthsForDiagnosis(plans: BatchPlan[]): { rows: number; seq: number } {
  const padded = plans.reduce((n, p) => n + p.paddedTokens, 0);
  const rows = plans.reduce((n, p) => n + p.batches.reduce((k, b) => k + b.length, 0), 0);
  return { rows: BATCH, seq: Math.max(1, Math.round(padded / rows)) };
}

/** The two onnxruntime-web builds the app loads: the plain one for WASM, the WebGPU one (workers/encoder/runtime.worker.ts). */
const WEB_BUILDS = [
  { build: 'WASM build (ort.wasm, ort-wasm-simd-threaded.wasm; the app on WASM)', bundle: 'ort.wasm.min.mjs', wasm: 'ort-wasm-simd-threaded.wasm', mjs: 'ort-wasm-simd-threaded.mjs' },
  { build: 'WebGPU build (ort.webgpu bundle, asyncify .wasm; the app on WebGPU)', bundle: 'ort.webgpu.bundle.min.mjs', wasm: 'ort-wasm-simd-threaded.asyncify.wasm', mjs: 'ort-wasm-simd-threaded.asyncify.mjs' },
];

/** One untimed call, then the best of `repeats` timed ones, in seconds. */
async function bestSeconds(f: () => Promise<unknown>, repeats: number): Promise<number> {
  await f();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await f();
    best = Math.min(best, performance.now() - t);
  }
  return best / 1000;
}

/** The model's inputs for one rows x seq batch of every-row-full token ids (the diagnosis batches). */
function modelFeeds(ort: typeof import('onnxruntime-node'), rows: number, seq: number) {
  return {
    input_ids: new ort.Tensor('int64', new BigInt64Array(rows * seq).map((_, i) => BigInt(4 + ((i * 7919) % 5000))), [rows, seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(rows * seq).fill(1n), [rows, seq]),
  };
}

/** Runs a module worker from `source` in the page, posts it `message` (with the page's origin) and resolves with its one reply. */
function inPageWorker<T>(page: Page, source: string, message: Record<string, unknown>): Promise<T & { error?: string }> {
  return page.evaluate(
    ([code, m]) =>
      new Promise<T & { error?: string }>((resolve) => {
        const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })), { type: 'module' });
        worker.onmessage = ({ data }) => (worker.terminate(), resolve(data));
        worker.onerror = (event) => (worker.terminate(), resolve({ error: event.message } as T & { error?: string }));
        worker.postMessage({ ...m, origin: location.origin });
      }),
    [source, message] as const,
  );
}

/** Module worker source (a blob): loads one onnxruntime-web build and times the model and the Gemm. */
const DIAG_WORKER = `
self.onmessage = async ({ data }) => {
  try {
    const { origin, dist, build, threads, model, rows, seq, repeats, gemmRepeats, hidden, ffn, sessionOptions, gemm = true } = data;
    const ort = await import(origin + dist + build.bundle);
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.wasmPaths = { wasm: origin + dist + build.wasm, mjs: origin + dist + build.mjs };
    const { ortMatmul } = await import(origin + '/src/core/linalg/ort-matmul.ts');
    const time = async (f, n = repeats) => {
      await f();
      let best = Infinity;
      for (let i = 0; i < n; i++) { const t = performance.now(); await f(); best = Math.min(best, performance.now() - t); }
      return best / 1000;
    };
    let modelSeconds = NaN;
    if (model) {
      const bytes = new Uint8Array(await (await fetch(origin + model)).arrayBuffer());
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], ...sessionOptions });
      const ids = new BigInt64Array(rows * seq).map((_, i) => BigInt(4 + ((i * 7919) % 5000)));
      const feeds = { input_ids: new ort.Tensor('int64', ids, [rows, seq]), attention_mask: new ort.Tensor('int64', new BigInt64Array(rows * seq).fill(1n), [rows, seq]) };
      modelSeconds = await time(() => session.run(feeds));
      await session.release();
    }
    if (!gemm) return postMessage({ modelSeconds, gemmSeconds: NaN, isolated: self.crossOriginIsolated });
    const m = rows * seq;
    const q = new Float32Array(m * hidden).map((_, i) => Math.sin(i));
    const c = new Float32Array(ffn * hidden).map((_, i) => Math.cos(i));
    const backend = await ortMatmul(ort, { executionProviders: ['wasm'], threads })(c, ffn, hidden);
    const gemmSeconds = await time(() => backend.scores(q, m), gemmRepeats);
    await backend.dispose();
    postMessage({ modelSeconds, gemmSeconds, isolated: self.crossOriginIsolated });
  } catch (error) {
    postMessage({ error: String(error && error.stack || error) });
  }
};
`;

async function diagnose(harness: Harness, folder: string, modelName: string, threads: number, shape: { rows: number; seq: number }): Promise<Diagnosis> {
  const { rows, seq } = shape;
  // The feed-forward block's first product: [tokens x hidden] x [hidden x intermediate].
  const config = JSON.parse(readFileSync(path.join(folder, 'config.json'), 'utf8')) as { hidden_size: number; intermediate_size: number };
  const hidden = config.hidden_size;
  const ffn = config.intermediate_size;
  const gemm = `Gemm [${rows * seq} x ${hidden}] x [${hidden} x ${ffn}] (feed-forward shape)`;
  console.error(`diagnosis: one ${rows} x ${seq} batch (best of ${DIAG_REPEATS}), and ${gemm} (best of ${GEMM_REPEATS}) ...`);
  const ortNode = await import('onnxruntime-node');
  const session = await ortNode.InferenceSession.create(path.join(folder, 'onnx/model.onnx'), { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const feeds = modelFeeds(ortNode, rows, seq);
  const nativeModel = await bestSeconds(() => session.run(feeds), DIAG_REPEATS);
  await session.release();
  const m = rows * seq;
  const q = new Float32Array(m * hidden).map((_, i) => Math.sin(i));
  const c = new Float32Array(ffn * hidden).map((_, i) => Math.cos(i));
  const nativeGemmAt = async (n: number) => {
    const backend = await ortMatmul(ortNode, { executionProviders: ['cpu'], threads: n })(c, ffn, hidden);
    const seconds = await bestSeconds(() => backend.scores(q, m), GEMM_REPEATS);
    await backend.dispose();
    return seconds;
  };
  const nativeGemm = await nativeGemmAt(threads);
  const nativeGemm1 = threads === 1 ? nativeGemm : await nativeGemmAt(1);

  const context = await harness.browser.newContext();
  const web: Array<{ build: string; modelSeconds: number; gemmSeconds: number }> = [];
  let webGemm1 = NaN;
  try {
    const page = await context.newPage();
    const reloads = await openProbe(page, harness);
    // Each build at the benchmark's thread count with the model, then the WASM build at 1 thread (Gemm only).
    const jobs = [...WEB_BUILDS.map((build) => ({ build, threads, model: true })), { build: WEB_BUILDS[0], threads: 1, model: false }];
    for (const job of jobs) {
      const { build } = job;
      const result = await inPageWorker<{ modelSeconds: number; gemmSeconds: number; isolated: boolean }>(page, DIAG_WORKER, {
        dist: '/node_modules/onnxruntime-web/dist/', build, threads: job.threads, model: job.model ? `/models/${modelName}/onnx/model.onnx` : null, rows, seq, repeats: DIAG_REPEATS, gemmRepeats: GEMM_REPEATS, hidden, ffn,
      });
      if (result.error) throw new Error(`diagnosis worker (${build.build}): ${result.error}`);
      if (!result.isolated) throw new Error('diagnosis worker is not cross-origin isolated: it would run on one thread.');
      if (reloads.count) throw new Error('the dev server reloaded the page during the diagnosis: run again.');
      console.error(`  ${build.build}, ${job.threads} thread(s): model ${result.modelSeconds.toFixed(3)} s, Gemm ${result.gemmSeconds.toFixed(4)} s`);
      if (job.model) web.push({ build: build.build, modelSeconds: result.modelSeconds, gemmSeconds: result.gemmSeconds });
      else webGemm1 = result.gemmSeconds;
    }
  } finally {
    await context.close();
  }
  console.error(`  onnxruntime-node: model ${nativeModel.toFixed(3)} s, Gemm ${nativeGemm.toFixed(4)} s (1 thread: ${nativeGemm1.toFixed(4)} s)`);
  return {
    rows,
    seq,
    lines: [
      { what: `model alone, one ${rows} x ${seq} batch`, threads, native: nativeModel, web: web.map((w) => ({ build: w.build, seconds: w.modelSeconds })) },
      { what: gemm, threads, native: nativeGemm, web: web.map((w) => ({ build: w.build, seconds: w.gemmSeconds })) },
      { what: gemm, threads: 1, native: nativeGemm1, web: [{ build: WEB_BUILDS[0].build, seconds: webGemm1 }] },
    ],
  };
}

/**
 * What onnxruntime-web offers, tried on the model alone (one batch, best of DIAG_REPEATS): q8 against
 * fp32, the WASM build against the WebGPU build's WASM EP, graph optimisation off against all (transformers.js
 * leaves onnxruntime's default, all), one thread against all, and batches of 8 against 32 rows (per
 * token), with onnxruntime-node on the same files for the ratio. Timings per token, in µs.
 */
async function tryOptions(harness: Harness, folder: string, modelName: string, threads: number, seq: number): Promise<Array<{ what: string; us_per_token: number }>> {
  const ortNode = await import('onnxruntime-node');
  const nativeAt = async (file: string, rows: number) => {
    const session = await ortNode.InferenceSession.create(path.join(folder, file), { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const feeds = modelFeeds(ortNode, rows, seq);
    const seconds = await bestSeconds(() => session.run(feeds), DIAG_REPEATS);
    await session.release();
    return (seconds * 1e6) / (rows * seq);
  };
  const trials = [
    { what: 'q8, the app\'s WASM build, 2 threads, optimisation all, batch 32', file: 'onnx/model_quantized.onnx', build: WEB_BUILDS[0], threads, rows: BATCH, options: {} },
    { what: 'q8, the WebGPU build on its WASM EP (what the app ran on WASM before)', file: 'onnx/model_quantized.onnx', build: WEB_BUILDS[1], threads, rows: BATCH, options: {} },
    { what: 'q8, graph optimisation disabled', file: 'onnx/model_quantized.onnx', build: WEB_BUILDS[0], threads, rows: BATCH, options: { graphOptimizationLevel: 'disabled' } },
    { what: 'q8, 1 thread', file: 'onnx/model_quantized.onnx', build: WEB_BUILDS[0], threads: 1, rows: BATCH, options: {} },
    { what: 'q8, batch 8', file: 'onnx/model_quantized.onnx', build: WEB_BUILDS[0], threads, rows: 8, options: {} },
    { what: 'fp32, the app\'s WASM build, 2 threads, batch 32', file: 'onnx/model.onnx', build: WEB_BUILDS[0], threads, rows: BATCH, options: {} },
  ];
  const results: Array<{ what: string; us_per_token: number }> = [];
  const context = await harness.browser.newContext();
  try {
    const page = await context.newPage();
    await openProbe(page, harness);
    const webNN = await page.evaluate(() => 'ml' in navigator);
    for (const trial of trials) {
      const result = await inPageWorker<{ modelSeconds: number }>(page, DIAG_WORKER, {
        dist: '/node_modules/onnxruntime-web/dist/', build: trial.build, threads: trial.threads, model: `/models/${modelName}/${trial.file}`, rows: trial.rows, seq, repeats: DIAG_REPEATS, sessionOptions: trial.options, gemm: false,
      });
      if (result.error) throw new Error(`options worker (${trial.what}): ${result.error}`);
      const web = (result.modelSeconds * 1e6) / (trial.rows * seq);
      console.error(`  ${trial.what}: ${web.toFixed(1)} µs/token (load ${os.loadavg()[0].toFixed(2)})`);
      results.push({ what: `onnxruntime-web: ${trial.what}`, us_per_token: web });
    }
    for (const [file, label] of [['onnx/model_quantized.onnx', 'q8'], ['onnx/model.onnx', 'fp32']]) {
      for (const rows of [BATCH, 8]) {
        const native = await nativeAt(file, rows);
        console.error(`  onnxruntime-node ${label}, batch ${rows}: ${native.toFixed(1)} µs/token`);
        results.push({ what: `onnxruntime-node: ${label}, ${threads} threads, batch ${rows}`, us_per_token: native });
      }
    }
    results.push({ what: `WebNN in this Chromium (navigator.ml): ${webNN ? 'present' : 'absent'}`, us_per_token: NaN });
  } finally {
    await context.close();
  }
  return results;
}

/**
 * The q8 model's integer products alone, and where native's time goes (onnxruntime-node's profile).
 * Each product of a layer ([tokens x H] x [H x H] for Q, K, V and the attention output, [H x I] and
 * [I x H] for the feed-forward block) is a one-MatMul fp32 graph quantised as the model is
 * (quantize-q8.ts), which both runtimes fuse into the DynamicQuantizeMatMul kernel the model runs.
 * From them, a ceiling: the browser's model takes at least its layers' products plus the rest at
 * native speed, so native's model time over that sum bounds the browser/native ratio from above.
 */
interface ProductsDiagnosis {
  tokens: number;
  products: Array<{ what: string; perLayer: number; native_ms: number; browser_ms: number }>;
  layers: number;
  /** onnxruntime-node's kernel time per op type, as shares of the run (one profiled batch). */
  nativeProfile: Array<{ op: string; share: number }>;
  native_model_s: number;
  browser_model_s: number;
}

const PRODUCT_WORKER = `
self.onmessage = async ({ data }) => {
  try {
    const { origin, dist, build, threads, models, repeats } = data;
    const ort = await import(origin + dist + build.bundle);
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.wasmPaths = { wasm: origin + dist + build.wasm, mjs: origin + dist + build.mjs };
    const seconds = [];
    for (const { url, rows, cols } of models) {
      const bytes = new Uint8Array(await (await fetch(origin + url)).arrayBuffer());
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const x = new ort.Tensor('float32', new Float32Array(rows * cols).map((_, i) => Math.sin(i)), [rows, cols]);
      await session.run({ x });
      let best = Infinity;
      for (let i = 0; i < repeats; i++) { const t = performance.now(); await session.run({ x }); best = Math.min(best, performance.now() - t); }
      await session.release();
      seconds.push(best / 1000);
    }
    postMessage({ seconds });
  } catch (error) {
    postMessage({ error: String(error && error.stack || error) });
  }
};
`;

/** An fp32 graph of one MatMul, x [rows x k] times a constant [k x n] of seeded values. */
function matmulModel(rows: number, k: number, n: number): Uint8Array {
  const { onnx } = onnxProto;
  const float = onnx.TensorProto.DataType.FLOAT;
  const weights = Float32Array.from({ length: k * n }, (_, i) => 0.05 * Math.sin(i * 0.7 + 1));
  const info = (name: string, dims: number[]) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: float, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'one_matmul',
      node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'], name: 'matmul' }],
      initializer: [{ name: 'w', dataType: float, dims: [k, n], rawData: new Uint8Array(weights.buffer) }],
      input: [info('x', [rows, k])],
      output: [info('y', [rows, n])],
    },
  })).finish();
}

async function q8Products(harness: Harness, folder: string, threads: number, shape: { rows: number; seq: number }): Promise<ProductsDiagnosis> {
  const config = JSON.parse(readFileSync(path.join(folder, 'config.json'), 'utf8')) as { hidden_size: number; intermediate_size: number; num_hidden_layers: number };
  const { hidden: H, ffn: I } = { hidden: config.hidden_size, ffn: config.intermediate_size };
  const tokens = shape.rows * shape.seq;
  const shapes = [
    { what: `[${tokens} x ${H}] x [${H} x ${H}] (Q, K, V, attention output)`, k: H, n: H, perLayer: 4 },
    { what: `[${tokens} x ${H}] x [${H} x ${I}] (feed-forward in)`, k: H, n: I, perLayer: 1 },
    { what: `[${tokens} x ${I}] x [${I} x ${H}] (feed-forward out)`, k: I, n: H, perLayer: 1 },
  ];
  const served = path.join(MODELS_DIR, 'q8-products');
  await rm(served, { recursive: true, force: true });
  await mkdir(served, { recursive: true });
  const files = shapes.map((_, i) => path.join(served, `product-${i}.onnx`));
  await Promise.all(shapes.map((p, i) => writeFile(files[i], quantizeDynamicUint8(matmulModel(tokens, p.k, p.n)))));
  console.error(`q8 products alone (best of ${GEMM_REPEATS}) and onnxruntime-node's profile of the q8 model ...`);

  const ortNode = await import('onnxruntime-node');
  const nativeSeconds: number[] = [];
  for (const [i, p] of shapes.entries()) {
    const session = await ortNode.InferenceSession.create(files[i], { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const x = new ortNode.Tensor('float32', new Float32Array(tokens * p.k).map((_, j) => Math.sin(j)), [tokens, p.k]);
    nativeSeconds.push(await bestSeconds(() => session.run({ x }), GEMM_REPEATS));
    await session.release();
  }

  // Native's profile: kernel time per op type over one batch of the run's mean shape (after a warm-up).
  const profileDir = path.join(MODELS_DIR, 'profile');
  await rm(profileDir, { recursive: true, force: true });
  await mkdir(profileDir, { recursive: true });
  const { rows, seq } = shape;
  const feeds = modelFeeds(ortNode, rows, seq);
  const plain = await ortNode.InferenceSession.create(path.join(folder, 'onnx/model_quantized.onnx'), { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const nativeModel = await bestSeconds(() => plain.run(feeds), DIAG_REPEATS);
  await plain.release();
  const profiled = await ortNode.InferenceSession.create(path.join(folder, 'onnx/model_quantized.onnx'), {
    intraOpNumThreads: threads, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: path.join(profileDir, 'q8'),
  });
  await profiled.run(feeds);
  await profiled.run(feeds);
  profiled.endProfiling();
  await profiled.release();
  const [profileFile] = readdirSync(profileDir);
  const events = JSON.parse(readFileSync(path.join(profileDir, profileFile), 'utf8')) as Array<{ cat: string; name: string; dur: number; args: { op_name?: string } }>;
  const byOp = new Map<string, number>();
  for (const e of events) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) byOp.set(e.args.op_name!, (byOp.get(e.args.op_name!) ?? 0) + e.dur);
  const kernelTotal = [...byOp.values()].reduce((a, b) => a + b, 0);
  const nativeProfile = [...byOp].map(([op, dur]) => ({ op, share: dur / kernelTotal })).sort((a, b) => b.share - a.share);

  const context = await harness.browser.newContext();
  let browser: { seconds: number[]; modelSeconds: number };
  try {
    const page = await context.newPage();
    await openProbe(page, harness);
    const dist = '/node_modules/onnxruntime-web/dist/';
    const products = await inPageWorker<{ seconds: number[] }>(page, PRODUCT_WORKER, {
      dist, build: WEB_BUILDS[0], threads, repeats: GEMM_REPEATS,
      models: shapes.map((p, i) => ({ url: `/models/q8-products/product-${i}.onnx`, rows: tokens, cols: p.k })),
    });
    if (products.error) throw new Error(`products worker: ${products.error}`);
    const model = await inPageWorker<{ modelSeconds: number }>(page, DIAG_WORKER, {
      dist, build: WEB_BUILDS[0], threads, model: `/models/${path.basename(folder)}/onnx/model_quantized.onnx`, rows, seq, repeats: DIAG_REPEATS, sessionOptions: {}, gemm: false,
    });
    if (model.error) throw new Error(`model worker: ${model.error}`);
    browser = { seconds: products.seconds, modelSeconds: model.modelSeconds };
  } finally {
    await context.close();
  }
  return {
    tokens,
    layers: config.num_hidden_layers,
    products: shapes.map((p, i) => ({ what: p.what, perLayer: p.perLayer, native_ms: nativeSeconds[i] * 1000, browser_ms: browser.seconds[i] * 1000 })),
    nativeProfile,
    native_model_s: nativeModel,
    browser_model_s: browser.modelSeconds,
  };
}

function printProducts(d: ProductsDiagnosis): void {
  const sum = (key: 'native_ms' | 'browser_ms') => (d.layers * d.products.reduce((n, p) => n + p.perLayer * p[key], 0)) / 1000;
  const [nativeProducts, browserProducts] = [sum('native_ms'), sum('browser_ms')];
  console.log(`
q8 products alone (DynamicQuantizeMatMul, the WASM build; best of ${GEMM_REPEATS}), one batch of ${d.tokens} tokens:
`);
  console.log('| product | per layer | onnxruntime-node ms | onnxruntime-web ms | browser / native time |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const p of d.products) console.log(`| ${p.what} | ${p.perLayer} | ${p.native_ms.toFixed(2)} | ${p.browser_ms.toFixed(2)} | ${(p.browser_ms / p.native_ms).toFixed(2)}x |`);
  console.log(`| all ${d.layers} layers' products | | ${(nativeProducts * 1000).toFixed(1)} | ${(browserProducts * 1000).toFixed(1)} | ${(browserProducts / nativeProducts).toFixed(2)}x |`);
  console.log(`| the q8 model, same batch | | ${(d.native_model_s * 1000).toFixed(1)} | ${(d.browser_model_s * 1000).toFixed(1)} | ${(d.browser_model_s / d.native_model_s).toFixed(2)}x |`);
  const ceiling = d.native_model_s / (browserProducts + Math.max(0, d.native_model_s - nativeProducts));
  console.log(`
The products make ${((100 * nativeProducts) / d.native_model_s).toFixed(0)}% of native's model time and ${((100 * browserProducts) / d.browser_model_s).toFixed(0)}% of the browser's. ` +
    `With every other op at native speed, the browser could reach at most ${ceiling.toFixed(2)}x native.`);
  console.log(`onnxruntime-node's kernel time by op type (profile of one batch): ${d.nativeProfile.filter((p) => p.share >= 0.01).map((p) => `${p.op} ${(100 * p.share).toFixed(1)}%`).join(', ')}.`);
}

function printDiagnosis(diagnosis: Diagnosis): void {
  console.log(`\nWhere the time goes (straight on the runtime, no transformers.js; after one warm-up, the model best of ${DIAG_REPEATS}, the Gemm best of ${GEMM_REPEATS}):\n`);
  console.log('| what | threads | runtime | ms | vs onnxruntime-node |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const line of diagnosis.lines) {
    console.log(`| ${line.what} | ${line.threads} | onnxruntime-node | ${(line.native * 1000).toFixed(1)} | 1.00x |`);
    for (const w of line.web) console.log(`| ${line.what} | ${line.threads} | onnxruntime-web, ${w.build} | ${(w.seconds * 1000).toFixed(1)} | ${(w.seconds / line.native).toFixed(2)}x |`);
  }
}

/**
 * Opens the probe page and waits until the dev server is done with it: on a cold dependency cache
 * Vite optimises the worker's dependencies when it first asks for them and then reloads the page.
 * The returned counter counts later reloads (the benchmark is void if one happens).
 */
async function openProbe(page: Page, harness: Harness): Promise<{ count: number }> {
  const reloads = { count: 0 };
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) reloads.count++;
  });
  await page.goto(`${harness.url}test/browser/pages/encoder-probe.html`);
  for (let attempt = 0; ; attempt++) {
    const before = reloads.count;
    await page.waitForFunction(() => 'encoderProbe' in window);
    // The worker answers only once its modules (and so the optimised dependencies) have loaded.
    await page.evaluate(() => (window as unknown as { encoderProbe: Probe }).encoderProbe.listCache()).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    if (reloads.count === before) break;
    if (attempt === 5) throw new Error('the probe page keeps reloading.');
  }
  reloads.count = 0;
  return reloads;
}

function sumPlans(plans: BatchPlan[]): Omit<BatchPlan, 'batches'> {
  return plans.reduce(
    (sum, plan) => ({
      paddedTokens: sum.paddedTokens + plan.paddedTokens,
      paddedTokensInInputOrder: sum.paddedTokensInInputOrder + plan.paddedTokensInInputOrder,
      tokens: sum.tokens + plan.tokens,
    }),
    { paddedTokens: 0, paddedTokensInInputOrder: 0, tokens: 0 },
  );
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return Number.isNaN(max) ? Infinity : max;
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got ${value}.`);
  return n;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
