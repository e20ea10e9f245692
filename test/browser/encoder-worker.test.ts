/**
 * Transformer encoders in Chromium, through the app's encoder worker: the tiny test model gives the
 * embeddings onnxruntime-node gives, on WASM and on WebGPU (SwiftShader); the embedding cache
 * serves a second request; in the notebook a hub model (huggingface.co's URLs answered from local
 * files) downloads with progress, is cached, loads again offline, can be removed; wrong ids, no
 * network and models that are not encoders get clear messages; a served folder and a picked folder
 * evaluate to the numbers of the core in Node.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformerSpec } from '../../src/core/encoders/model-spec';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { createOnnxEncoder } from '../../src/node/onnx-encoder';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { closeServer, endpointOf, serveHub } from '../support/hub-server';
import { castModel } from '../support/onnx-fixtures';
import { dropPaths, loadLocalSubset, openNotebook, readSummaryTitles, SHOTS_DIR, startHarness, writeTestModel, XQUAD_R_DIR, type Harness } from '../support/harness';

const TEXTS = [
  'Which river flows through the city of Warsaw?',
  '华沙市内流经哪条河？',
  'แม่น้ำสายใดไหลผ่านเมืองวอร์ซอ',
  'ما هو النهر الذي يمر عبر مدينة وارسو؟ '.repeat(6),
  'Wie heißt der Fluss?',
];
const HUB_ID = 'xling-test/tiny';

function servedSpec(device: 'wasm' | 'webgpu'): TransformerSpec {
  return { kind: 'transformer', source: { kind: 'served', name: 'tiny' }, dtype: 'fp32', device, pooling: 'mean', queryPrefix: 'query: ', passagePrefix: 'passage: ' };
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function chooseHubModel(page: Page, id: string, host: string): Promise<void> {
  await page.getByRole('radio', { name: /Transformer model/ }).check();
  await page.getByRole('tab', { name: 'Hub id' }).click();
  await page.getByLabel('Hub id').fill(id);
  await page.getByLabel('Hub address').fill(host);
  await page.getByRole('button', { name: 'Use this model' }).click();
  await page.locator('#encoder').getByLabel('Device').selectOption('wasm');
  await page.getByLabel('Weights').selectOption('fp32');
}

async function modelError(page: Page): Promise<string> {
  const panel = page.locator('.model-load [data-testid="error-panel"]');
  await panel.waitFor({ timeout: 60_000 });
  return (await panel.textContent()) ?? '';
}

describe('transformer encoders in the browser', () => {
  let harness: Harness;
  let modelsDir: string;
  let tinyDir: string;

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'xling-models-'));
    tinyDir = path.join(modelsDir, 'tiny');
    await writeTestModel(tinyDir);
    harness = await startHarness({ webgpu: true, modelsDir });
  }, 120_000);
  afterAll(() => harness?.close());

  it('gives the embeddings of onnxruntime-node on WASM and on WebGPU, and serves repeats from the embedding cache', async () => {
    const node = await createOnnxEncoder(tinyDir, { queryPrefix: 'query: ', passagePrefix: 'passage: ', batchSize: 2 });
    const expected = { query: await node.encode(TEXTS, 'query'), passage: await node.encode(TEXTS, 'passage') };
    await node.dispose();
    // Prefixes matter: the two roles differ.
    expect(maxAbsDifference(expected.query, expected.passage)).toBeGreaterThan(1e-3);

    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${harness.url}test/browser/pages/encoder-probe.html`);
    await page.waitForFunction(() => 'encoderProbe' in window);
    type Probe = { encode(spec: TransformerSpec, texts: string[], role: string): Promise<{ embeddings: number[]; info: { device: string; dim: number; deviceNote: string | null }; progress: { phase: string; cached?: number; done?: number }[] }>; clearCache(model: string | null): Promise<void>; listCache(): Promise<{ models: { model: string; files: number }[]; embeddings: number }> };
    const encode = (spec: TransformerSpec, role: string) =>
      page.evaluate(([s, texts, r]) => (window as unknown as { encoderProbe: Probe }).encoderProbe.encode(s, texts, r), [spec, TEXTS, role] as const);

    // Each device's runtime loads its own onnxruntime-web build: the plain WASM one, or the WebGPU one.
    const ortBinaries: string[] = [];
    context.on('request', (request) => {
      // The binary itself, not the dev server's `?url` module that names it.
      const binary = /ort-wasm-simd-threaded[\w.]*\.wasm$/.exec(new URL(request.url()).pathname);
      if (binary && !new URL(request.url()).search) ortBinaries.push(binary[0]);
    });
    const builds = { wasm: 'ort-wasm-simd-threaded.wasm', webgpu: 'ort-wasm-simd-threaded.asyncify.wasm' };
    for (const device of ['wasm', 'webgpu'] as const) {
      await page.evaluate(() => (window as unknown as { encoderProbe: Probe }).encoderProbe.clearCache(null));
      ortBinaries.length = 0;
      for (const role of ['query', 'passage'] as const) {
        const result = await encode(servedSpec(device), role);
        expect(result.info).toMatchObject({ device, dim: 32 });
        expect(maxAbsDifference(result.embeddings, expected[role])).toBeLessThan(1e-5);
        expect(result.progress.filter((p) => p.phase === 'encode').at(-1)).toMatchObject({ done: TEXTS.length, cached: 0 });
      }
      expect(ortBinaries).toEqual([builds[device]]);
    }
    // On auto, the software adapter (SwiftShader, what this Chromium has) is passed over for WASM, with the reason.
    const auto = await encode({ ...servedSpec('wasm'), device: 'auto' }, 'query');
    expect(auto.info.device).toBe('wasm');
    expect(auto.info.deviceNote).toMatch(/only WebGPU adapter is a software one \(SwiftShader\): running on WASM/);
    expect(maxAbsDifference(auto.embeddings, expected.query)).toBeLessThan(1e-5);

    // Two requests at once to one model are queued, not run into one session together: both come out right.
    await page.evaluate(() => (window as unknown as { encoderProbe: Probe }).encoderProbe.clearCache(null));
    const [queries, passages] = await Promise.all([encode(servedSpec('wasm'), 'query'), encode(servedSpec('wasm'), 'passage')]);
    expect(maxAbsDifference(queries.embeddings, expected.query)).toBeLessThan(1e-5);
    expect(maxAbsDifference(passages.embeddings, expected.passage)).toBeLessThan(1e-5);

    // Asked again: every vector comes from IndexedDB, none is encoded.
    const again = await encode(servedSpec('wasm'), 'query');
    expect(again.progress.filter((p) => p.phase === 'encode').every((p) => p.cached === TEXTS.length)).toBe(true);
    expect(maxAbsDifference(again.embeddings, expected.query)).toBeLessThan(1e-5);
    const listed = await page.evaluate(() => (window as unknown as { encoderProbe: Probe }).encoderProbe.listCache());
    expect(listed.embeddings).toBe(2 * TEXTS.length);
    expect(listed.models).toEqual([expect.objectContaining({ model: 'served/tiny', files: 4 })]);
    await context.close();
  });

  it('loads the q8 weights (onnx/model_quantized.onnx) on WASM: the q8 embeddings of onnxruntime-node, within 0.005 cosine of fp32', async () => {
    const node = { fp32: await createOnnxEncoder(tinyDir), q8: await createOnnxEncoder(tinyDir, { dtype: 'q8' }) };
    const expected = { fp32: await node.fp32.encode(TEXTS, 'query'), q8: await node.q8.encode(TEXTS, 'query') };
    await Promise.all([node.fp32.dispose(), node.q8.dispose()]);
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${harness.url}test/browser/pages/encoder-probe.html`);
    await page.waitForFunction(() => 'encoderProbe' in window);
    type Probe = { encode(spec: TransformerSpec, texts: string[], role: string): Promise<{ embeddings: number[]; info: { device: string; dtype: string } }> };
    const spec: TransformerSpec = { ...servedSpec('wasm'), dtype: 'q8', queryPrefix: '', passagePrefix: '' };
    const result = await page.evaluate(([s, texts]) => (window as unknown as { encoderProbe: Probe }).encoderProbe.encode(s, texts, 'query'), [spec, TEXTS] as const);
    expect(result.info).toMatchObject({ device: 'wasm', dtype: 'q8' });
    // Integer products are exact on both runtimes, but a float rounding apart can move an activation to the
    // next integer step when it is quantised: close, with the limit scripts/bench-encode.ts uses for q8.
    expect(maxAbsDifference(result.embeddings, expected.q8)).toBeLessThan(1e-2);
    for (let i = 0; i < TEXTS.length; i++) {
      const [a, b] = [result.embeddings.slice(i * 32, (i + 1) * 32), Array.from(expected.fp32.subarray(i * 32, (i + 1) * 32))];
      expect(a.reduce((sum, value, d) => sum + value * b[d], 0)).toBeGreaterThan(0.995);
    }
    expect(maxAbsDifference(result.embeddings, expected.fp32)).toBeGreaterThan(1e-5); // really the quantised model
    await context.close();
  });

  it('carries on with WASM when the WebGPU device is lost mid-run', async () => {
    const node = await createOnnxEncoder(tinyDir, { queryPrefix: 'query: ', passagePrefix: 'passage: ' });
    const expected = await node.encode(TEXTS, 'query');
    await node.dispose();
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    // Keeps the devices onnxruntime-web asks for in the model runtime (a sub-worker), to lose one on purpose.
    page.on('worker', (worker) => {
      if (!worker.url().includes('runtime.worker')) return;
      void worker.evaluate(() => {
        const adapter = (self as unknown as { GPUAdapter: { prototype: { requestDevice(...args: unknown[]): Promise<{ destroy(): void }> } } }).GPUAdapter;
        const requestDevice = adapter.prototype.requestDevice;
        adapter.prototype.requestDevice = async function (this: unknown, ...args: unknown[]) {
          const device = await requestDevice.apply(this, args);
          const kept = self as unknown as { devices?: { destroy(): void }[] };
          kept.devices = [...(kept.devices ?? []), device];
          return device;
        };
      });
    });
    await page.goto(`${harness.url}test/browser/pages/encoder-probe.html`);
    await page.waitForFunction(() => 'encoderProbe' in window);
    type Probe = { encode(spec: TransformerSpec, texts: string[], role: string): Promise<{ embeddings: number[]; info: { device: string; deviceNote: string | null }; progress: { phase: string; fallback?: string }[] }> };
    const encode = (texts: string[]) =>
      page.evaluate(([s, t]) => (window as unknown as { encoderProbe: Probe }).encoderProbe.encode(s, t, 'query'), [servedSpec('webgpu'), texts] as const);

    const first = await encode(TEXTS.slice(0, 1));
    expect(first.info.device).toBe('webgpu');
    const runtime = page.workers().find((worker) => worker.url().includes('runtime.worker'))!;
    expect(await runtime.evaluate(() => {
      const { devices = [] } = self as unknown as { devices?: { destroy(): void }[] };
      for (const device of devices) device.destroy();
      return devices.length;
    })).toBe(1);

    const rest = await encode(TEXTS);
    expect(rest.info.device).toBe('wasm');
    expect(rest.info.deviceNote).toMatch(/^WebGPU failed mid-run \(.+\); carried on with WASM\.$/s);
    expect(rest.progress.some((p) => p.fallback === rest.info.deviceNote)).toBe(true);
    expect(maxAbsDifference(rest.embeddings, expected)).toBeLessThan(1e-5);
    await context.close();
  });

  it('downloads a hub model with progress, keeps it for offline use, removes it, and explains failures', async () => {
    const { context, page, errors } = await openNotebook(harness);
    const served: string[] = [];
    let hub: Server = await serveHub(tinyDir, served, HUB_ID);
    // A mirror in hub layout on another port: cross-origin, like huggingface.co, through the same code.
    const host = `${endpointOf(hub)}/`;

    await chooseHubModel(page, HUB_ID, host);
    await expect.poll(() => page.getByTestId('chosen-model').textContent()).toContain(`hf:${HUB_ID} from ${host}`);
    await page.getByRole('button', { name: 'Load model' }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('model-ready').textContent()).toMatch(/hf:xling-test\/tiny · fp32 · WASM, 32-d · up to 512 tokens/);
    expect(served).toContain(`/${HUB_ID}/resolve/main/onnx/model.onnx`);

    await page.getByTestId('model-cache').locator('summary').click();
    const cacheRow = page.getByTestId('model-cache').locator('tr', { hasText: HUB_ID });
    await cacheRow.waitFor();
    expect(await cacheRow.textContent()).toMatch(/4.*(kB|MB)/);

    // Offline: with the hub gone, a reload still loads the model, from the browser cache.
    await closeServer(hub);
    const before = served.length;
    await page.reload();
    await page.getByRole('button', { name: 'Load model' }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    expect(served.length).toBe(before);

    // Removed from the cache, it cannot load offline, and says why.
    await page.getByTestId('model-cache').locator('summary').click();
    await page.getByRole('button', { name: `Remove ${HUB_ID} from this browser` }).click();
    await expect.poll(() => page.getByTestId('model-cache').locator('tr', { hasText: HUB_ID }).count()).toBe(0);
    await page.getByRole('button', { name: 'Load model' }).click();
    expect(await modelError(page)).toContain(`Could not reach ${host} to download xling-test/tiny`);

    // A wrong id, and a repository whose model is not an encoder.
    const notEncoder = path.join(path.dirname(tinyDir), 'not-an-encoder');
    await cp(tinyDir, notEncoder, { recursive: true });
    await writeFile(path.join(notEncoder, 'onnx', 'model.onnx'), castModel('logits'));
    hub = await serveHub(notEncoder, served, HUB_ID);
    const second = `${endpointOf(hub)}/`;
    await chooseHubModel(page, 'xling-test/missing', second);
    await page.getByRole('button', { name: 'Load model' }).click();
    expect(await modelError(page)).toContain(`No model 'xling-test/missing' at ${second}`);
    await chooseHubModel(page, HUB_ID, second);
    await page.getByRole('button', { name: 'Load model' }).click();
    expect(await modelError(page)).toMatch(/xling-test\/tiny is not a sentence encoder: its ONNX model has no 'last_hidden_state' output \(outputs: logits/);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'encoder-errors.png'), fullPage: true });
    await closeServer(hub);

    // The page stays usable: the lexical encoder is one click away.
    await page.getByRole('radio', { name: /Lexical/ }).check();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('evaluates with a served, a picked and a dropped model folder to the numbers of the core in Node', async () => {
    const languages = ['de', 'en'];
    const dataset = await readDatasetFolder(XQUAD_R_DIR, { languages, articles: 2 });
    const node = await createOnnxEncoder(tinyDir);
    const { report: expected } = await evaluateDataset(dataset, node, { matmul: jsMatmul });
    await node.dispose();

    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, languages, 2);
    await page.getByRole('radio', { name: /JavaScript/ }).check();
    await page.getByRole('radio', { name: /Transformer model/ }).check();
    await page.locator('#encoder').getByLabel('Device').selectOption('wasm');
    await page.getByLabel('Weights').selectOption('fp32');
    await page.getByLabel('Query prefix').fill('');
    await page.getByLabel('Passage prefix').fill('');

    const summaries: Record<string, string | null>[] = [];
    const dropped = path.join(path.dirname(tinyDir), 'dropped-tiny');
    await cp(tinyDir, dropped, { recursive: true });
    for (const source of ['served', 'picked', 'dropped'] as const) {
      if (source === 'served') {
        await page.getByRole('tab', { name: 'Served folder' }).click();
        await page.getByRole('radio', { name: /tiny/ }).check();
      } else if (source === 'picked') {
        await page.getByRole('tab', { name: 'Your folder' }).click();
        await page.getByTestId('pick-model-folder').setInputFiles(tinyDir);
        await expect.poll(() => page.getByTestId('chosen-model').textContent()).toContain('local:tiny');
      } else {
        // Dropped with its onnx/ subfolder, as the operating system would drag it.
        await dropPaths(page, 'model-dropzone', [dropped]);
        await expect.poll(() => page.getByTestId('chosen-model').textContent()).toContain('local:dropped-tiny');
      }
      await page.getByRole('button', { name: 'Evaluate' }).click();
      const timings = page.getByTestId('timings').filter({ hasText: `Run ${summaries.length + 1}:` });
      await timings.getByTestId('encoder-runtime').filter({ hasText: 'WASM, 32-d' }).waitFor({ timeout: 120_000 });
      summaries.push(await readSummaryTitles(page));
    }
    const expectedTitles = { mono_map: expected.summary.mono_map, cross_map: expected.summary.cross_map, multi_map: expected.summary.multi_map };
    for (const summary of summaries) {
      for (const [metric, value] of Object.entries(expectedTitles)) expect(Number(summary[metric])).toBeCloseTo(value, 6);
    }
    await page.screenshot({ path: path.join(SHOTS_DIR, 'encoder-evaluated.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
