/**
 * `xling compare` and `xling sweep` end to end on a small XQuAD-R subset. compare's CIs and p-values
 * are checked against an independent implementation of design.md's definitions written here: it
 * works query by query on the per_query entries (no per-id sums, no shared draws, its own random
 * numbers), so the two agree only within Monte-Carlo error. sweep's rows must equal the matching
 * `xling train` runs number for number.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const SUBSET = ['--languages', 'en,de,es', '--articles', '10'];
const TRAINING = ['--split', 'articles:0.5', '--steps', '30', '--batch', '32'];
const RESAMPLES = 2000;

async function xling(...args: string[]) {
  return run(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', ...args], {
    cwd: root,
    maxBuffer: 1 << 26,
  });
}

async function readJson(file: string) {
  return JSON.parse(await readFile(file, 'utf8'));
}

interface Entry { id: string; lang: string; rr: Record<string, number>; ap: number; r10: number; rank_distance: number | null }
type Values = Entry[];

// ---- The independent implementation: design.md's definitions, query by query. ----

/** Cell (x, y) mAP over the queries, each counted with its multiplicity. */
function cellMean(queries: Values, weights: number[], x: string, y: string): number {
  let sum = 0;
  let n = 0;
  queries.forEach((q, i) => {
    if (q.lang === x && q.rr[y] !== undefined) {
      sum += weights[i] * q.rr[y];
      n += weights[i];
    }
  });
  return n > 0 ? sum / n : NaN;
}

function langMean(queries: Values, weights: number[], x: string, value: (q: Entry) => number | null): number {
  let sum = 0;
  let n = 0;
  queries.forEach((q, i) => {
    const v = value(q);
    if (q.lang === x && v !== null) {
      sum += weights[i] * v;
      n += weights[i];
    }
  });
  return n > 0 ? sum / n : NaN;
}

const defined = (xs: number[]) => xs.filter((x) => !Number.isNaN(x));
const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The five summary metrics, macro means over the defined cells / query languages. */
function summaryOf(queries: Values, weights: number[], langs: string[]): Record<string, number> {
  const mono = defined(langs.map((x) => cellMean(queries, weights, x, x)));
  const cross = defined(langs.flatMap((x) => langs.filter((y) => y !== x).map((y) => cellMean(queries, weights, x, y))));
  return {
    mono_map: average(mono),
    cross_map: average(cross),
    multi_map: average(defined(langs.map((x) => langMean(queries, weights, x, (q) => q.ap)))),
    multi_r10: average(defined(langs.map((x) => langMean(queries, weights, x, (q) => q.r10)))),
    rank_distance: average(defined(langs.map((x) => langMean(queries, weights, x, (q) => q.rank_distance)))),
  };
}

/** xorshift32, seeded: not the implementation's generator. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
}

interface Independent { delta: number; ci: [number, number]; p: number }

/**
 * Bootstrap: draw as many ids as there are (from `ids`), count each of their queries with the id's
 * multiplicity, recompute `metric` for A and B. Randomization: flip a coin per id and swap A's and B's
 * values of all that id's queries.
 */
function independentTest(a: Values, b: Values, ids: string[], metric: (queries: Values, weights: number[]) => number, seed: number): Independent {
  const random = xorshift(seed);
  const delta = metric(b, a.map(() => 1)) - metric(a, a.map(() => 1));
  const queriesOf = new Map<string, number[]>();
  a.forEach((q, i) => queriesOf.set(q.id, [...(queriesOf.get(q.id) ?? []), i]));
  const draws: number[] = [];
  for (let r = 0; r < RESAMPLES; r++) {
    const weights = a.map(() => 0);
    for (let k = 0; k < ids.length; k++) {
      for (const i of queriesOf.get(ids[Math.floor(random() * ids.length)])!) weights[i]++;
    }
    draws.push(metric(b, weights) - metric(a, weights));
  }
  let extreme = 0;
  for (let r = 0; r < RESAMPLES; r++) {
    const swapped = new Set(ids.filter(() => random() < 0.5));
    const newA = a.map((q, i) => (swapped.has(q.id) ? b[i] : q));
    const newB = b.map((q, i) => (swapped.has(q.id) ? a[i] : q));
    const permuted = metric(newB, a.map(() => 1)) - metric(newA, a.map(() => 1));
    if (Math.abs(permuted) >= Math.abs(delta) - 1e-12) extreme++;
  }
  return { delta, ci: [percentile(draws, 0.025), percentile(draws, 0.975)], p: (1 + extreme) / (1 + RESAMPLES) };
}

/** Two Monte-Carlo estimates of the same p agree within 5 standard errors of their difference (plus 1/R). */
function expectSameP(actual: number, expected: number, what: string) {
  const p = Math.min(Math.max((actual + expected) / 2, 2 / RESAMPLES), 0.5);
  expect(Math.abs(actual - expected), what).toBeLessThanOrEqual(5 * Math.sqrt((2 * p * (1 - p)) / RESAMPLES) + 1 / RESAMPLES);
}

/** Two bootstrap percentile CIs agree when each bound is within 12% of the interval's width. */
function expectSameCi(actual: [number, number], expected: [number, number], what: string) {
  const width = Math.max(expected[1] - expected[0], 1e-9);
  expect(Math.abs(actual[0] - expected[0]), `${what} lower`).toBeLessThanOrEqual(0.12 * width + 1e-12);
  expect(Math.abs(actual[1] - expected[1]), `${what} upper`).toBeLessThanOrEqual(0.12 * width + 1e-12);
}

describe('npm run xling -- compare', () => {
  let dir: string;
  let a: Record<string, any>;
  let b: Record<string, any>;
  let cmp: Record<string, any>;
  let cmpFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-compare-'));
    const train = async (name: string, mix: string) => {
      const out = join(dir, `${name}.json`);
      await xling('train', '--dataset', xquad, '--encoder', 'lexical', '--mix', mix, '--seed', '4', ...TRAINING, ...SUBSET, '--per-query', '--out', out);
      return out;
    };
    const [fileA, fileB] = await Promise.all([train('mono', 'x-x-mono'), train('hybrid', 'hybrid')]);
    a = (await readJson(fileA)).after;
    b = (await readJson(fileB)).after;
    cmpFile = join(dir, 'cmp.json');
    await xling('compare', fileA, fileB, '--out', cmpFile, '--resamples', String(RESAMPLES), '--seed', '1');
    cmp = await readJson(cmpFile);
  }, 180_000);

  test('cmp.json has the shape of design.md, and a and b are the runs\' own numbers', () => {
    expect(Object.keys(cmp.summary)).toEqual(['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'rank_distance']);
    expect(cmp).toMatchObject({ resamples: RESAMPLES, seed: 1 });
    for (const [metric, m] of Object.entries<any>(cmp.summary)) {
      expect(Object.keys(m).sort(), metric).toEqual(['a', 'b', 'ci', 'delta', 'p']);
      expect(m.a, metric).toBeCloseTo(a.summary[metric], 10);
      expect(m.b, metric).toBeCloseTo(b.summary[metric], 10);
      expect(m.delta, metric).toBeCloseTo(b.summary[metric] - a.summary[metric], 10);
    }
    for (const x of ['en', 'de', 'es']) {
      for (const y of ['en', 'de', 'es']) {
        expect(cmp.cells[x][y].a).toBeCloseTo(a.cells[x][y].map, 10);
        expect(cmp.cells[x][y].b).toBeCloseTo(b.cells[x][y].map, 10);
        expect(Object.keys(cmp.cells[x][y]).sort()).toEqual(['a', 'b', 'ci', 'delta', 'n', 'p', 'p_holm']);
      }
    }
    expect(a.dataset_fingerprint).toBe(b.dataset_fingerprint);
  });

  test('an independent implementation of design.md reproduces the summary CIs and p-values within Monte-Carlo error', () => {
    const langs = ['en', 'de', 'es'];
    const ids = [...new Set<string>(a.per_query.map((q: Entry) => q.id))];
    expect(ids.length).toBe(cmp.question_ids);
    for (const metric of Object.keys(cmp.summary)) {
      const independent = independentTest(a.per_query, b.per_query, ids, (queries, weights) => summaryOf(queries, weights, langs)[metric], 99);
      expect(cmp.summary[metric].delta, metric).toBeCloseTo(independent.delta, 10);
      expectSameCi(cmp.summary[metric].ci, independent.ci, metric);
      expectSameP(cmp.summary[metric].p, independent.p, metric);
    }
  }, 120_000);

  test('and each cell\'s CI, p, and Holm-adjusted p', () => {
    const langs = ['en', 'de', 'es'];
    const cells = langs.flatMap((x) => langs.map((y) => [x, y] as const));
    const pValues: number[] = [];
    for (const [x, y] of cells) {
      const inCell = (q: Entry) => q.lang === x && q.rr[y] !== undefined;
      const ids = [...new Set<string>(a.per_query.filter(inCell).map((q: Entry) => q.id))];
      const independent = independentTest(a.per_query, b.per_query, ids, (queries, weights) => cellMean(queries, weights, x, y), 7);
      const cell = cmp.cells[x][y];
      expect(cell.delta).toBeCloseTo(independent.delta, 10);
      expectSameCi(cell.ci, independent.ci, `${x}-${y}`);
      expectSameP(cell.p, independent.p, `${x}-${y}`);
      pValues.push(cell.p);
    }
    // Holm, by hand: the k-th smallest p times (9 - k), running maximum, capped at 1.
    const order = pValues.map((p, i) => [p, i]).sort((u, v) => u[0] - v[0]);
    let running = 0;
    const holm: number[] = [];
    order.forEach(([p, i], k) => (holm[i] = running = Math.max(running, Math.min(1, (9 - k) * p))));
    cells.forEach(([x, y], i) => expect(cmp.cells[x][y].p_holm).toBeCloseTo(holm[i], 12));
  }, 120_000);

  test('the same seed gives the same numbers; runs on different data are refused with the reason', async () => {
    const again = join(dir, 'again.json');
    await xling('compare', join(dir, 'mono.json'), join(dir, 'hybrid.json'), '--out', again, '--resamples', String(RESAMPLES), '--seed', '1');
    expect(await readJson(again)).toEqual(cmp);

    const evalFile = join(dir, 'eval.json');
    await xling('eval', '--dataset', xquad, '--encoder', 'lexical', ...SUBSET, '--per-query', '--out', evalFile);
    // The eval measured every question, the train runs only the evaluation side of the split.
    await expect(xling('compare', evalFile, join(dir, 'hybrid.json'), '--out', join(dir, 'bad.json'))).rejects.toMatchObject({
      stderr: expect.stringMatching(/cannot compare: The runs measured different data \(dataset fingerprints/),
    });
    const plain = join(dir, 'plain.json');
    await xling('eval', '--dataset', xquad, '--encoder', 'lexical', ...SUBSET, '--out', plain);
    expect(Object.keys(await readJson(plain))).not.toContain('per_query');
    await expect(xling('compare', plain, evalFile, '--out', join(dir, 'bad.json'))).rejects.toMatchObject({
      stderr: expect.stringMatching(/has no per-query values: write it with --per-query/),
    });
  }, 120_000);
});

describe('npm run xling -- sweep', () => {
  test('each row equals the matching xling train run number for number; by_alpha is the mean and sd over seeds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xling-sweep-'));
    const sweepFile = join(dir, 'sweep.json');
    await xling('sweep', '--dataset', xquad, '--encoder', 'lexical', '--alpha', '0,0.75', '--seeds', '1,2', ...TRAINING, ...SUBSET, '--out', sweepFile);
    const sweep = await readJson(sweepFile);
    expect(sweep.runs.map((r: any) => [r.alpha, r.seed])).toEqual([[0, 1], [0.75, 1], [0, 2], [0.75, 2]]);

    for (const [alpha, seed] of [[0, 2], [0.75, 1]]) {
      const out = join(dir, `train-${alpha}-${seed}.json`);
      await xling('train', '--dataset', xquad, '--encoder', 'lexical', '--mix', `mono=${alpha},cross=${1 - alpha}`, '--seed', String(seed),
        ...TRAINING, ...SUBSET, '--out', out);
      const train = await readJson(out);
      const row = sweep.runs.find((r: any) => r.alpha === alpha && r.seed === seed);
      expect(row.after).toEqual(train.after.summary);
      expect(row.before).toEqual(train.before.summary);
      expect(row.steps_run).toBe(train.training.steps_run);
    }

    for (const alpha of [0, 0.75]) {
      const rows = sweep.runs.filter((r: any) => r.alpha === alpha).map((r: any) => r.after.cross_map);
      const entry = sweep.by_alpha.find((e: any) => e.alpha === alpha);
      const mean = (rows[0] + rows[1]) / 2;
      expect(entry.mean.cross_map).toBeCloseTo(mean, 12);
      // Sample sd of two values: |x1 - x2| / sqrt(2).
      expect(entry.sd.cross_map).toBeCloseTo(Math.abs(rows[0] - rows[1]) / Math.SQRT2, 12);
    }
  }, 300_000);
});
