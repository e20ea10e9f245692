/**
 * Where the first heatmap's time goes, in Chromium (docs/benchmarks.md, "The first heatmap: profile"):
 *
 *   npm run profile:heatmap [-- --no-build] [--out profile.json]
 *
 * The production build under `vite preview`, full XQuAD-R, lexical encoder, default settings, as
 * `bench:browser` measures it. Evaluate clicked → heatmap drawn, split into: the workers' encoding
 * and scoring (the run's own timings), the rest until the lab worker's result reaches the page, and
 * the page's part after it (the run stored, React, plotly); with a CPU profile of the page's main
 * thread over the whole path, its heaviest functions by self time.
 */
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { launchChromium } from '../src/dev-server/chromium';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LONG = 30 * 60_000;

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean' } } });
  const loadBefore = os.loadavg()[0];
  if (!values['no-build']) await build({ root: ROOT, logLevel: 'warn' });
  const server = await preview({ root: ROOT, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const { port } = server.httpServer.address() as AddressInfo;
  const browser = await launchChromium({ webgpu: true });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    page.setDefaultTimeout(LONG);
    // The moment the lab worker's evaluation result reaches the page, whatever listens to it.
    await page.addInitScript(() => {
      const Native = Worker;
      (self as unknown as { Worker: typeof Worker }).Worker = class extends Native {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          this.addEventListener('message', (event: MessageEvent) => {
            if ((event.data as { type?: string })?.type === 'result') (self as unknown as { resultAt: number }).resultAt = performance.now();
          });
        }
      };
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole('radio', { name: 'Local data folder' }).check();
    await page.getByRole('button', { name: 'Load dataset' }).click();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor();

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
    await browser.startTracing(page, { categories: ['devtools.timeline'] });
    const clickedAt = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await page.locator('[data-testid^="heatmap-"]:not([data-testid="heatmap-difference"]) .heatmap-label').first().waitFor();
    const drawnAt = await page.evaluate(() => performance.now());
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    const resultAt = await page.evaluate(() => (self as unknown as { resultAt: number }).resultAt);
    const timings = (await page.evaluate(() => document.querySelector('[data-testid="timings"]')?.textContent ?? '')).trim();

    const result = {
      date: new Date().toISOString(),
      load_before: loadBefore,
      first_heatmap_s: (drawnAt - clickedAt) / 1000,
      until_result_s: (resultAt - clickedAt) / 1000,
      result_to_heatmap_s: (drawnAt - resultAt) / 1000,
      run_timings: timings,
      page_main_thread_top: heaviest(profile, 15),
      page_main_thread_events: timelineTotals(trace.traceEvents, 12),
      load_after: os.loadavg()[0],
    };
    console.log(JSON.stringify(result, null, 2));
    if (values.out) await writeFile(values.out, JSON.stringify(result, null, 2));
  } finally {
    await browser.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
}

interface TraceEvent { name: string; ph: string; dur?: number; pid: number; tid: number; args?: { name?: string } }

/**
 * Time of the renderer main thread's timeline events by name, in ms (RunTask holds the others, so its
 * total is the thread's busy time): what the profile's "(program)" is made of (layout, paint, messages).
 */
function timelineTotals(events: TraceEvent[], count: number): { ms: number; event: string }[] {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const totals = new Map<string, number>();
  for (const e of events) {
    if (!main || e.pid !== main.pid || e.tid !== main.tid || e.ph !== 'X' || e.dur === undefined) continue;
    totals.set(e.name, (totals.get(e.name) ?? 0) + e.dur / 1000);
  }
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, count).map(([event, ms]) => ({ ms: Math.round(ms), event }));
}

/** Self time per function (name, file, line), heaviest first, in ms; idle and GC included as V8 names them. */
function heaviest(profile: CpuProfile, count: number): { ms: number; fn: string }[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byNode.get(id)!.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i] / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, count).map(([fn, ms]) => ({ ms: Math.round(ms), fn }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
