/**
 * Broken models and a dying encoder worker, in Chromium. Copies of the tiny test model are broken
 * by hand (a model.onnx cut in half, a config.json / tokenizer.json / tokenizer_config.json that is
 * not JSON, a tokenizer.json of the wrong shape, no tokenizer.json, fp32 weights only) and served or
 * picked: every error must name the file and say what to do, a good model must still load after a
 * bad one (no poisoned runtime), and a fixed folder must load (no broken copy left in the cache).
 * In the notebook: the served list says why a folder cannot be used, the weights follow what a
 * folder has, and an encoder worker or model runtime that dies mid-evaluation ends the evaluation
 * with a message and the next evaluation works.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformerSpec } from '../../src/core/encoders/model-spec';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, writeTestModel, XQUAD_R_DIR, type Harness } from '../support/harness';


function spec(name: string, dtype: TransformerSpec['dtype'] = 'fp32'): TransformerSpec {
  return { kind: 'transformer', source: { kind: 'served', name }, dtype, device: 'wasm', pooling: 'mean', queryPrefix: '', passagePrefix: '' };
}

interface Probe {
  load(spec: TransformerSpec): Promise<{ dim: number }>;
  listCache(): Promise<{ models: { model: string }[] }>;
  stagePicked(name: string, files: { path: string; base64: string }[]): Promise<{ source: TransformerSpec['source']; dtypes: string[] }>;
}

/** "loaded <dim>" or the error's message, from the encoder worker through the probe page. */
function load(page: Page, model: TransformerSpec): Promise<string> {
  return page.evaluate(async (s) => {
    try {
      return `loaded ${(await (window as unknown as { encoderProbe: Probe }).encoderProbe.load(s)).dim}`;
    } catch (error) {
      return (error as Error).message;
    }
  }, model);
}

async function folderFiles(folder: string, prefix = ''): Promise<{ path: string; base64: string }[]> {
  const files: { path: string; base64: string }[] = [];
  for (const entry of await readdir(path.join(folder, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await folderFiles(folder, relative)));
    else files.push({ path: relative, base64: (await readFile(path.join(folder, relative))).toString('base64') });
  }
  return files;
}

async function workerNamed(page: Page, part: string): Promise<Worker> {
  const find = () => page.workers().filter((worker) => worker.url().includes(part));
  await expect.poll(() => find().length, { timeout: 60_000 }).toBeGreaterThan(0);
  return find().at(-1)!;
}

describe('model faults in Chromium', () => {
  let harness: Harness;
  let modelsDir: string;
  let tinyDir: string;

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'xling-models-'));
    tinyDir = path.join(modelsDir, 'tiny');
    await writeTestModel(tinyDir);
    // tiny serves fp32 weights only here: the missing-weights cases below need a folder without q8.
    await rm(path.join(tinyDir, 'onnx', 'model_quantized.onnx'));
    const broken = async (name: string, spoil: (folder: string) => Promise<void>) => {
      await cp(tinyDir, path.join(modelsDir, name), { recursive: true });
      await spoil(path.join(modelsDir, name));
    };
    const model = await readFile(path.join(tinyDir, 'onnx', 'model.onnx'));
    await broken('cut', (folder) => writeFile(path.join(folder, 'onnx', 'model.onnx'), model.subarray(0, model.length >> 1)));
    await broken('bad-config', (folder) => writeFile(path.join(folder, 'config.json'), '{"model_type": "xlm-roberta",'));
    await broken('bad-tokenizer', async (folder) => writeFile(path.join(folder, 'tokenizer.json'), (await readFile(path.join(folder, 'tokenizer.json'))).subarray(0, 1000)));
    await broken('bad-tokenizer-config', (folder) => writeFile(path.join(folder, 'tokenizer_config.json'), '{ nope'));
    await broken('odd-tokenizer', (folder) => writeFile(path.join(folder, 'tokenizer.json'), '{"version": "1.0"}'));
    await broken('no-tokenizer', (folder) => rm(path.join(folder, 'tokenizer.json')));
    harness = await startHarness({ modelsDir });
  }, 120_000);
  afterAll(() => harness?.close());

  it('names the broken file with what to do; a good model loads after a bad one; a fixed folder loads', async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${harness.url}test/browser/pages/encoder-probe.html`);
    await page.waitForFunction(() => 'encoderProbe' in window);

    expect(await load(page, spec('tiny'))).toBe('loaded 32');
    expect(await load(page, spec('cut'))).toMatch(/^served:cut: onnx\/model\.onnx is not a readable ONNX model \(.*protobuf.*\)\. It is damaged or cut short .*: copy it again/);
    // The runtime the cut model failed in is gone: the good model loads (it failed with the cut one's error before).
    expect(await load(page, spec('tiny'))).toBe('loaded 32');
    expect(await load(page, spec('bad-config'))).toMatch(/^served:bad-config: config\.json is not valid JSON \(.+\)\. The file is damaged or cut short: copy it again/);
    expect(await load(page, spec('bad-tokenizer'))).toMatch(/^served:bad-tokenizer: tokenizer\.json is not valid JSON/);
    expect(await load(page, spec('bad-tokenizer-config'))).toMatch(/^served:bad-tokenizer-config: tokenizer_config\.json is not valid JSON/);
    expect(await load(page, spec('odd-tokenizer'))).toMatch(/^served:odd-tokenizer: tokenizer\.json and tokenizer_config\.json do not make a tokenizer .+ The folder needs the tokenizer\.json of a fast tokenizer/);
    expect(await load(page, spec('no-tokenizer'))).toBe('the served folder models/no-tokenizer has no tokenizer.json: a transformers.js model folder needs ' +
      'config.json, tokenizer.json and onnx/model.onnx (an export with Optimum writes them); add the file, or pick the whole exported folder.');
    expect(await load(page, spec('tiny', 'q8'))).toBe('the served folder models/tiny has no q8 weights (onnx/model_quantized.onnx is missing). ' +
      'Choose weights it has: fp32 (onnx/model.onnx) is the one every export has.');
    expect(await load(page, spec('tiny'))).toBe('loaded 32');

    // The cut copy is not kept: once the folder is fixed, it loads.
    await cp(path.join(tinyDir, 'onnx', 'model.onnx'), path.join(modelsDir, 'cut', 'onnx', 'model.onnx'));
    expect(await load(page, spec('cut'))).toBe('loaded 32');

    // A picked folder with a cut model: its staged copy leaves the cache with the failure; a good one stays.
    const probe = (files: { path: string; base64: string }[]) =>
      page.evaluate((f) => (window as unknown as { encoderProbe: Probe }).encoderProbe.stagePicked('picked-cut', f), files);
    const cutFiles = (await folderFiles(tinyDir)).map((file) =>
      file.path === 'onnx/model.onnx' ? { ...file, base64: Buffer.from(file.base64, 'base64').subarray(0, 1000).toString('base64') } : file);
    const picked = await probe(cutFiles);
    expect(picked.dtypes).toEqual(['fp32']);
    const cached = async () => (await page.evaluate(() => (window as unknown as { encoderProbe: Probe }).encoderProbe.listCache())).models.map((m) => m.model);
    expect(await cached()).toContain(`picked/${(picked.source as { key: string }).key}`);
    expect(await load(page, { ...spec('x'), source: picked.source })).toMatch(/^local:picked-cut: onnx\/model\.onnx is not a readable ONNX model/);
    expect(await cached()).not.toContain(`picked/${(picked.source as { key: string }).key}`);
    expect(await cached()).toContain('served/tiny');
    await context.close();
  });

  it('lists a folder that cannot be used with the reason, and offers the weights a folder has', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await page.getByRole('radio', { name: /Transformer model/ }).check();
    await page.getByLabel('Weights').selectOption('q8');
    await page.getByRole('tab', { name: 'Served folder' }).click();
    const unusable = page.getByTestId('unusable-model');
    await unusable.first().waitFor({ timeout: 60_000 });
    expect(await unusable.allTextContents()).toEqual([
      'no-tokenizer cannot be used: missing tokenizer.json: a transformers.js model folder needs config.json, tokenizer.json and onnx/model.onnx (an export with Optimum writes them)',
    ]);
    expect(await unusable.getByRole('radio').isDisabled()).toBe(true);

    // tiny has fp32 only: choosing it moves q8 to fp32, and the other weights cannot be chosen.
    await page.getByRole('radio', { name: /^tiny/ }).check();
    const weights = page.getByLabel('Weights');
    expect(await weights.inputValue()).toBe('fp32');
    const options = await weights.locator('option').evaluateAll((all) => all.map((o) => `${(o as HTMLOptionElement).value} ${(o as HTMLOptionElement).disabled}`));
    expect(options).toEqual(['fp32 false', 'fp16 true', 'q8 true', 'q4 true']);
    expect(await weights.locator('option[value="q8"]').textContent()).toBe('q8: not in this folder (onnx/model_quantized.onnx)');
    await page.screenshot({ path: path.join(SHOTS_DIR, 'model-weights.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an encoder worker or model runtime that dies mid-evaluation ends it with a message; the next evaluation works', async () => {
    const languages = (await readdir(XQUAD_R_DIR)).filter((f) => f.endsWith('.json')).map((f) => f.replace('.json', ''));
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, languages, null);
    await page.getByRole('radio', { name: /Transformer model/ }).check();
    await page.locator('#encoder').getByLabel('Device').selectOption('wasm');
    await page.getByRole('tab', { name: 'Served folder' }).click();
    await page.getByRole('radio', { name: /^tiny/ }).check();

    const startEvaluation = async () => {
      await page.getByRole('button', { name: 'Evaluate' }).click();
      await page.getByRole('progressbar', { name: /^Encoding/ }).waitFor({ timeout: 120_000 });
    };
    const expectRecovered = async (message: RegExp, runs: number) => {
      const panel = page.getByRole('region', { name: 'Evaluate' }).getByTestId('error-panel');
      await panel.waitFor({ timeout: 60_000 });
      expect(await panel.textContent()).toMatch(message);
      expect(await page.getByTestId('evaluate-status').textContent()).toBe('failed');
      await page.getByRole('button', { name: 'Evaluate' }).click();
      await page.getByTestId('runs-table').locator(`tr[data-run="${runs}"]`).waitFor({ timeout: 300_000 });
    };

    await startEvaluation();
    const closed = Date.now();
    await (await workerNamed(page, 'encoder.worker')).evaluate(() => (self as unknown as { close(): void }).close());
    await page.getByRole('region', { name: 'Evaluate' }).getByTestId('error-panel').waitFor({ timeout: 60_000 });
    const noticedAfter = (Date.now() - closed) / 1000;
    console.log(`encoder worker closed: noticed after ${noticedAfter.toFixed(1)} s`);
    expect(noticedAfter).toBeLessThan(30);
    await expectRecovered(/The encoder worker stopped \(it stopped answering for \d+ s\): the task it was running ended\. A fresh worker was started; try again\./, 1);

    // Other embeddings (CLS pooling) so that the runtime encodes again instead of reading the cache.
    await page.locator('#encoder').getByLabel('Pooling').selectOption('cls');
    await startEvaluation();
    await (await workerNamed(page, 'runtime.worker')).evaluate(() => {
      setTimeout(() => {
        throw new Error('injected fault');
      });
    });
    await expectRecovered(/The model runtime stopped \(it failed: (Uncaught )?Error: injected fault\): the task it was running ended\. A fresh worker was started; try again\./, 2);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
});
