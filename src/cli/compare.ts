/**
 * `npm run xling -- compare A.json B.json --out cmp.json [--resamples 2000] [--seed 1]`: is B's
 * difference from A real? Paired bootstrap CIs and randomization tests by question id, Holm over the
 * cells (src/core/stats/paired.ts; design.md, "Statistics"; docs/statistics.md).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { COMPARED_METRICS, comparePaired, DEFAULT_RESAMPLES, resamplesForCells, SIGNIFICANCE_LEVEL, smallestPossiblePHolm } from '../core/stats/paired';
import { perQueryFromJson } from '../core/stats/report-json';

export const COMPARE_USAGE = `  npm run xling -- compare <A.json> <B.json> --out <cmp.json> [--resamples ${DEFAULT_RESAMPLES}] [--seed 1]

  A and B are eval reports (or train reports: their 'after') written with --per-query, on the same
  data. delta = B - A, with a 95% paired bootstrap CI and a paired randomization test's p per
  summary metric and per cell (plus Holm-adjusted p_holm over the cells).`;

export class CompareUsageError extends Error {}

export async function compareCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      resamples: { type: 'string', default: String(DEFAULT_RESAMPLES) },
      seed: { type: 'string', default: '1' },
    },
  });
  if (positionals.length !== 2) throw new CompareUsageError(`compare needs two reports, A and B (got ${positionals.length}).`);
  if (!values.out) throw new CompareUsageError('compare needs --out <cmp.json>.');
  const resamples = Number(values.resamples);
  const seed = Number(values.seed);
  if (!Number.isInteger(resamples) || resamples < 1) throw new CompareUsageError(`--resamples must be a positive integer, got '${values.resamples}'.`);
  if (!Number.isInteger(seed) || seed < 0) throw new CompareUsageError(`--seed must be a non-negative integer, got '${values.seed}'.`);

  const [a, b] = await Promise.all(positionals.map(async (file) => {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return perQueryFromJson(json, file);
  }));
  const start = performance.now();
  const comparison = comparePaired(a, b, { resamples, seed });
  await writeFile(values.out, JSON.stringify(comparison, null, 2));

  const seconds = (performance.now() - start) / 1000;
  const format = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
  for (const metric of COMPARED_METRICS) {
    const m = comparison.summary[metric];
    log(`${metric.padEnd(14)} A ${format(m.a)}  B ${format(m.b)}  delta ${format(m.delta)}  ` +
      `95% CI [${m.ci ? m.ci.map(format).join(', ') : 'n/a'}]  p ${format(m.p)}`);
  }
  const cells = Object.values(comparison.cells).flatMap((row) => Object.values(row)).filter((c) => c.n > 0);
  const significant = cells.filter((c) => (c.p_holm as number) < SIGNIFICANCE_LEVEL).length;
  log(`${significant} of ${cells.length} cells differ at p_holm < ${SIGNIFICANCE_LEVEL}; ` +
    `${comparison.question_ids} question ids, ${resamples} resamples, seed ${seed}, ${seconds.toFixed(2)} s -> ${values.out}`);
  const floor = smallestPossiblePHolm(cells.length, resamples);
  if (floor >= SIGNIFICANCE_LEVEL) {
    log(`warning: with ${resamples} permutations the smallest possible p_holm over ${cells.length} cells is ${floor.toFixed(3)}, ` +
      `so no cell can be marked significant; use --resamples ${resamplesForCells(cells.length)} or more.`);
  }
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
