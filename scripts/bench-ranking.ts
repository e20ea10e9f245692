/**
 * Whole score rows against streaming in the notebook (issue 18; docs/benchmarks.md, "Streaming in the
 * notebook"): full XQuAD-R, lexical encoder, default scoring (the exact sparse kernel on the scoring
 * workers; `--scoring onnxruntime` forces the dense Gemm that transformer embeddings get), evaluated in Chromium with the Evaluate cell's Ranking set to whole rows, streaming in one
 * block of 16,384 candidates (XQuAD-R's 13,014 fit it) and streaming in blocks of 4,096, in turn,
 * `--rounds` times (the order reversed every other round, so that a load change does not favour one
 * path). Times are the runs' own `score_s` (scoring and ranking from ready embeddings). Every run's
 * report must equal the first whole-row run's, number for number: the script fails otherwise.
 *
 *   npm run bench:ranking [-- --rounds 3 --scoring auto|onnxruntime|js --out ranking.json]
 *
 * The app runs on the Vite dev server (no build: the workers' hot loops are the same code either way).
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startAppInChromium } from '../src/dev-server/chromium';
import { storedRuns } from './stored-runs';

interface Path {
  name: string;
  ranking: RegExp;
  block: number;
}

const PATHS: Path[] = [
  { name: 'whole score rows', ranking: /^Whole score rows/, block: 16_384 },
  { name: 'streaming, one block of 16,384', ranking: /^Streaming/, block: 16_384 },
  { name: 'streaming, blocks of 4,096', ranking: /^Streaming/, block: 4096 },
];
const LONG = 30 * 60_000;
/** The Evaluate cell's Scoring backend radio for each `--scoring`. */
const SCORING: Record<string, RegExp> = { auto: /^Automatic/, onnxruntime: /^onnxruntime-web/, js: /^JavaScript/ };

interface StoredRun {
  number: number;
  backend: string;
  report: { timings: { score_s: number; encode_s: number } } & Record<string, unknown>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, scoring: { type: 'string', default: 'auto' }, out: { type: 'string' } } });
  const scoring = SCORING[values.scoring!];
  if (!scoring) throw new Error(`--scoring must be one of ${Object.keys(SCORING).join(', ')}, got '${values.scoring}'`);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number of at least 1, got '${values.rounds}'`);
  const load = [os.loadavg()];
  const app = await startAppInChromium();
  const times = new Map<string, number[]>(PATHS.map((path) => [path.name, []]));
  const backends = new Map<string, string>();
  try {
    const page = await (await app.browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    page.setDefaultTimeout(LONG);
    await page.goto(app.url);
    await page.getByRole('radio', { name: 'Local data folder' }).check();
    await page.getByRole('button', { name: 'Load dataset' }).click();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();
    await page.getByTestId('dataset-summary').filter({ hasText: '13,090 queries' }).waitFor();
    await page.getByRole('region', { name: 'Evaluate' }).getByRole('radio', { name: scoring }).check();

    let reference: Record<string, unknown> | null = null;
    for (let round = 0; round < rounds; round++) {
      for (const path of round % 2 === 0 ? PATHS : [...PATHS].reverse()) {
        const run = await evaluate(page, path);
        const { timings: _timings, ...numbers } = run.report;
        reference ??= numbers;
        if (!isDeepStrictEqual(numbers, reference)) throw new Error(`Run ${run.number} (${path.name}) differs from the first run's report`);
        times.get(path.name)!.push(run.report.timings.score_s);
        backends.set(path.name, run.backend);
        console.error(`round ${round + 1}, ${path.name}: score ${run.report.timings.score_s.toFixed(2)} s (${run.backend}); load ${os.loadavg()[0].toFixed(2)}`);
      }
    }
  } finally {
    await app.close();
  }
  load.push(os.loadavg());
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const rows = median(times.get(PATHS[0].name)!);
  const lines = [
    '| ranking | score_s per round | median | vs whole rows |',
    '| --- | --- | ---: | ---: |',
    ...PATHS.map((path) => {
      const all = times.get(path.name)!;
      return `| ${path.name} (${backends.get(path.name)}) | ${all.map((t) => t.toFixed(2)).join(', ')} | ${median(all).toFixed(2)} s | ${(median(all) / rows).toFixed(2)}x |`;
    }),
    '',
    `${new Date().toISOString()}; load average (1 / 5 / 15 min) ${load[0].map((x) => x.toFixed(2)).join(' / ')} before, ` +
      `${load[1].map((x) => x.toFixed(2)).join(' / ')} after, ${os.availableParallelism()} cores. Every run's report equals the first's.`,
  ];
  console.log(lines.join('\n'));
  if (values.out) await writeFile(values.out, JSON.stringify({ times: Object.fromEntries(times), backends: Object.fromEntries(backends), load }, null, 2));
}

/** Sets the Ranking, evaluates, and returns the stored run. */
async function evaluate(page: Page, path: Path): Promise<StoredRun> {
  const cell = page.getByRole('region', { name: 'Evaluate' });
  await cell.getByRole('radio', { name: path.ranking }).check();
  await cell.getByLabel('Candidates per block').fill(String(path.block));
  const before = (await storedRuns(page)).length;
  await cell.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await page.getByTestId('runs-table').locator(`tr[data-run="${before + 1}"]`).waitFor();
  // Stored a moment after it is listed.
  for (;;) {
    const stored = (await storedRuns(page)) as StoredRun[];
    if (stored.length > before) return stored.at(-1)!;
    await page.waitForTimeout(250);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
