/**
 * `npm run bench:scale [-- --factor 10 --dim 128]`: exact evaluation at corpus scale.
 *
 * The corpus: full XQuAD-R plus generated distractors, so that every language's pool is `factor`
 * times its size (13,014 candidates become 130,140 at factor 10). A distractor joins the first half
 * of one sentence to the second half of another sentence of the same language (characters, so it
 * works for zh and th too), both drawn with a fixed seed: text of the right language and vocabulary
 * that answers no question. Queries and relevance are XQuAD-R's. Vectors: the lexical encoder at
 * `dim` dimensions (dense scoring through onnxruntime-node; encoding not timed).
 *
 * Each path runs in a process of its own (`--child`), which reports its time and its peak resident
 * memory (VmHWM): rankAndMeasure (whole rows of scores, the notebook's path), streamAndMeasure (the
 * command line's), one shard process alone (1/1) and two shard processes at once (0/2 and 1/2),
 * and NumPy (scripts/numpy_eval.py) on the same vectors. Prints a markdown table with the load average.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { candidateTexts } from '../src/core/dataset/texts';
import type { Candidate, Dataset } from '../src/core/dataset/types';
import { createLexicalEncoder } from '../src/core/encoders/lexical';
import { seededRandom } from '../src/core/linalg/random';
import { buildRetrievalTask, rankAndMeasure } from '../src/core/metrics/ranking';
import { countRange, gatherRows, scoreRelevant, shardRange, streamAndMeasure } from '../src/core/metrics/streaming';
import type { RetrievalTask } from '../src/core/metrics/types';
import { decodeNpyFloat32, encodeNpyFloat32 } from '../src/core/npy';
import { ortNodeMatmul } from '../src/node/ort-node-matmul';
import { readDatasetFolder } from '../src/node/read-dataset';
import { numpyEvaluate } from './numpy-reference';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const XQUAD_R = path.resolve(ROOT, '../shared/data/xquad-r');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** XQuAD-R with `factor - 1` distractors per candidate appended to each language's pool. */
export function withDistractors(dataset: Dataset, factor: number, seed = 18): Dataset {
  const random = seededRandom(seed);
  const candidates: Candidate[] = [];
  const newIndex = new Int32Array(dataset.candidates.length);
  for (const lang of dataset.languages) {
    const pool = dataset.candidates.map((c, i) => [c, i] as const).filter(([c]) => c.lang === lang);
    for (const [c, i] of pool) {
      newIndex[i] = candidates.length;
      candidates.push(c);
    }
    for (let d = 0; d < pool.length * (factor - 1); d++) {
      const a = pool[Math.floor(random() * pool.length)][0].text;
      const b = pool[Math.floor(random() * pool.length)][0].text;
      candidates.push({ id: `${lang}:distractor:${d}`, lang, text: `${a.slice(0, a.length >> 1)}${b.slice(b.length >> 1)}` });
    }
  }
  const relevance = Object.fromEntries(Object.entries(dataset.relevance).map(([id, list]) => [id, list.map((c) => newIndex[c]).sort((x, y) => x - y)]));
  return { ...dataset, name: `${dataset.name} x${factor}`, candidates, relevance };
}

function peakRss(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

/** A child: one path over the vectors and task in `dir`; prints {seconds, peak_rss, summary}. */
async function child(mode: string, dir: string): Promise<void> {
  const task = JSON.parse(await readFile(path.join(dir, 'task.json'), 'utf8'), (key, value) =>
    ['queryLang', 'candidateLang'].includes(key) ? Uint16Array.from(value) : ['languageStart', 'relevantStart', 'relevant'].includes(key) ? Int32Array.from(value) : value) as RetrievalTask;
  const q = decodeNpyFloat32(new Uint8Array(await readFile(path.join(dir, 'queries.npy'))));
  const c = decodeNpyFloat32(new Uint8Array(await readFile(path.join(dir, 'candidates.npy'))));
  const matmul = ortNodeMatmul();
  const start = performance.now();
  let summary: unknown = null;
  if (mode === 'matrix') summary = (await rankAndMeasure(task, q.data, c.data, q.cols, { matmul })).summary;
  else if (mode === 'stream') summary = (await streamAndMeasure(task, q.data, c.data, q.cols, { matmul })).summary;
  else {
    const [i, n] = mode.split('/').map(Number);
    const relevant = await scoreRelevant(task, q.data, q.cols, (indices) => gatherRows(c.data, q.cols, indices), { matmul });
    await countRange(task, q.data, q.cols, relevant, shardRange(task.candidateCount, i, n), (from, to) => c.data.subarray(from * q.cols, to * q.cols), { matmul });
  }
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - start) / 1000, peak_rss: peakRss(), summary }));
}

async function runChild(mode: string, dir: string): Promise<{ seconds: number; peak_rss: number; summary: unknown }> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), SELF, '--child', mode, '--dir', dir],
    { cwd: ROOT, maxBuffer: 1 << 26 });
  return JSON.parse(stdout);
}

async function main(): Promise<void> {
  const childMode = flag('child', '');
  if (childMode) return child(childMode, flag('dir', ''));
  const factor = Number(flag('factor', '10'));
  const dim = Number(flag('dim', '128'));
  const loadBefore = os.loadavg();
  const base = await readDatasetFolder(XQUAD_R);
  // Rows are printed as they are measured: on a busy machine a run may be cut short.
  console.log([
    `Lexical vectors at ${dim} dimensions, onnxruntime-node on ${os.availableParallelism()} cores; times exclude encoding and file reading; peak RSS of each process (VmHWM).`,
    '',
    '| corpus (candidates) | path | time | per candidate | peak RSS |',
    '| --- | --- | ---: | ---: | ---: |',
  ].join('\n'));
  const rows = { push: (...lines: string[]) => console.log(lines.join('\n')) };
  for (const [label, dataset] of [['XQuAD-R', base], [`XQuAD-R x${factor}`, withDistractors(base, factor)]] as const) {
    const encoder = createLexicalEncoder({ dim });
    const queries = await encoder.encode(dataset.queries.map((x) => x.text), 'query');
    const candidates = await encoder.encode(candidateTexts(dataset), 'passage');
    const task = buildRetrievalTask(dataset);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-scale-'));
    try {
      await writeFile(path.join(dir, 'queries.npy'), encodeNpyFloat32(queries, task.queryCount, dim));
      await writeFile(path.join(dir, 'candidates.npy'), encodeNpyFloat32(candidates, task.candidateCount, dim));
      await writeFile(path.join(dir, 'task.json'), JSON.stringify(task, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v)));
      const n = task.candidateCount;
      const perCandidate = (s: number) => `${((s / n) * 1e6).toFixed(0)} µs`;
      const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;
      const row = (path: string, seconds: number, rss: string) => `| ${label} (${n.toLocaleString('en')}) | ${path} | ${seconds.toFixed(1)} s | ${perCandidate(seconds)} | ${rss} |`;
      const matrix = await runChild('matrix', dir);
      rows.push(row('rankAndMeasure (whole score rows)', matrix.seconds, mb(matrix.peak_rss)));
      const stream = await runChild('stream', dir);
      rows.push(row('streamAndMeasure (command line)', stream.seconds, mb(stream.peak_rss)));
      if (JSON.stringify(matrix.summary) !== JSON.stringify(stream.summary)) throw new Error(`${label}: streaming and rankAndMeasure disagree`);
      const one = await runChild('0/1', dir);
      const twoStart = performance.now();
      const two = await Promise.all([runChild('0/2', dir), runChild('1/2', dir)]);
      const twoSeconds = (performance.now() - twoStart) / 1000;
      const [numpy] = await numpyEvaluate(task, queries, candidates, dim).catch((e: Error) => {
        console.error(`NumPy run failed: ${e.message}`);
        return [{ seconds: NaN }];
      });
      rows.push(row('1 shard process (0/1)', one.seconds, mb(one.peak_rss)), row('2 shard processes at once (wall)', twoSeconds, `${mb(two[0].peak_rss)} + ${mb(two[1].peak_rss)}`));
      rows.push(row('NumPy (numpy_eval.py, GEMM + ranking)', numpy.seconds, '–'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const loadAfter = os.loadavg();
  console.log([
    '',
    `Load average (1/5/15 min) at start ${loadBefore.map((l) => l.toFixed(1)).join(' / ')}, at end ${loadAfter.map((l) => l.toFixed(1)).join(' / ')}; ${new Date().toISOString().slice(0, 16)} UTC.`,
  ].join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
