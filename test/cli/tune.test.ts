/**
 * `xling train --tune layers:K` end to end with the tiny test encoder: the report says what was tuned,
 * the exported model folder evaluates (`xling eval --encoder onnx:<exported>`) to the report's
 * `after`, the original model to its `before` (design.md: to 1e-3 per summary metric), only
 * onnx/model.onnx changes, and the flag's mistakes get messages that say what to do.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { testModel, TINY_MODEL } from '../support/test-models';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const LANGS = ['de', 'en', 'es'];
const SUMMARY_KEYS = ['mono_map', 'cross_map', 'multi_map', 'multi_r10', 'rank_distance'] as const;

async function xling(...args: string[]) {
  return run(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/xling.ts', ...args], { cwd: root, maxBuffer: 1 << 24 });
}

/** The command's stderr when it fails (it must fail). */
async function failure(...args: string[]): Promise<string> {
  try {
    await xling(...args);
  } catch (error) {
    return (error as { stderr: string }).stderr;
  }
  throw new Error(`xling ${args.join(' ')} succeeded`);
}

/**
 * An evaluation dataset that shares nothing with the first ten articles of XQuAD-R: its articles 30-39
 * of the same languages, question ids prefixed, so `--split dataset:<dir>` accepts it and `xling eval`
 * on it measures exactly the train report's evaluation side.
 */
async function heldOutDataset(dir: string): Promise<string> {
  const folder = join(dir, 'xquad-r-30-39');
  await mkdir(folder);
  for (const lang of LANGS) {
    const file = JSON.parse(await readFile(join(xquad, `${lang}.json`), 'utf8')) as { data: Array<{ paragraphs: Array<{ qas: Array<{ id: string }> }> }> };
    const data = file.data.slice(30, 40);
    for (const article of data) for (const paragraph of article.paragraphs) for (const qa of paragraph.qas) qa.id = `held-${qa.id}`;
    await writeFile(join(folder, `${lang}.json`), JSON.stringify({ ...file, data }));
  }
  return folder;
}

describe('xling train --tune layers:K', () => {
  let dir: string;
  let model: string;
  let evaluation: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-tune-'));
    model = await testModel(TINY_MODEL);
    evaluation = await heldOutDataset(dir);
  });

  test('tunes the top layer; the exported folder evaluates to the report\'s after, the original to its before', async () => {
    const out = join(dir, 'tuned.json');
    const exported = join(dir, 'tuned-model');
    await xling('train', '--dataset', xquad, '--languages', LANGS.join(','), '--articles', '10', '--split', `dataset:${evaluation}`,
      '--encoder', `onnx:${model}`, '--tune', 'layers:1', '--steps', '12', '--batch', '16', '--lr', '1e-3', '--warmup', '2', '--eval-every', '0',
      '--out', out, '--export-model', exported);
    const report = JSON.parse(await readFile(out, 'utf8'));
    // Hidden 32, intermediate 128: 4 x (32·32 + 32) + (32·128 + 128) + (128·32 + 32) + 2 x 2 x 32.
    expect(report.settings.tune).toMatchObject({ what: 'layers', layers: 1, of_layers: 2, trainable_parameters: 12704 });
    expect(report.loss).toHaveLength(12);

    const evaluate = async (encoder: string, name: string) => {
      const path = join(dir, `${name}.json`);
      await xling('eval', '--dataset', evaluation, '--languages', LANGS.join(','), '--articles', '10', '--encoder', encoder, '--out', path);
      return JSON.parse(await readFile(path, 'utf8'));
    };
    const [tuned, frozen] = await Promise.all([evaluate(`onnx:${exported}`, 'eval-tuned'), evaluate(`onnx:${model}`, 'eval-frozen')]);
    for (const key of SUMMARY_KEYS) {
      const scale = key === 'rank_distance' ? Math.max(1, Math.abs(report.after.summary[key])) : 1;
      expect(Math.abs(tuned.summary[key] - report.after.summary[key]) / scale, `after ${key}`).toBeLessThan(1e-3);
      expect(Math.abs(frozen.summary[key] - report.before.summary[key]) / scale, `before ${key}`).toBeLessThan(1e-3);
    }
    // Twelve steps at 1e-3 move the layer: the tuned model is not the frozen one.
    expect(SUMMARY_KEYS.some((key) => tuned.summary[key] !== frozen.summary[key])).toBe(true);

    // The folder: the original's files as they were, and a tuned model.onnx.
    expect((await readdir(exported)).sort()).toEqual((await readdir(model)).sort());
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      expect(await readFile(join(exported, file)), file).toEqual(await readFile(join(model, file)));
    }
    const [original, changed] = await Promise.all([readFile(join(model, 'onnx/model.onnx')), readFile(join(exported, 'onnx/model.onnx'))]);
    expect(changed.length).toBe(original.length);
    expect(changed.equals(original)).toBe(false);
  }, 600_000);

  test('says what to do when --tune cannot apply', async () => {
    const common = ['train', '--dataset', xquad, '--languages', 'en,de', '--articles', '2', '--steps', '1', '--out', join(dir, 'never.json')];
    expect(await failure(...common, '--encoder', 'lexical', '--tune', 'layers:1')).toMatch(/tunes the top layers of a transformer encoder.*the lexical encoder has no layers.*--encoder onnx:<folder>/s);
    expect(await failure(...common, '--encoder', 'npy:/nowhere', '--tune', 'layers:1')).toMatch(/vectors from files carry no model/);
    expect(await failure(...common, '--encoder', `onnx:${model}`, '--tune', 'layers:3')).toMatch(/has 2 layers; K must be between 1 and 2/);
    expect(await failure(...common, '--encoder', `onnx:${model}`, '--tune', 'layers:0')).toMatch(/K of at least 1/);
    expect(await failure(...common, '--encoder', `onnx:${model}`, '--tune', 'top')).toMatch(/--tune must be 'head' or 'layers:K'/);
    expect(await failure(...common, '--encoder', `onnx:${model}`, '--export-model', join(dir, 'm'))).toMatch(/--export-model writes a tuned encoder: it needs --tune layers:K/);
    expect(await failure(...common, '--encoder', `onnx:${model}`, '--tune', 'layers:1', '--dtype', 'q8')).toMatch(/fp32 weights.*leave --dtype q8 out/s);
  }, 300_000);
});
