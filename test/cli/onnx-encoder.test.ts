/**
 * The ONNX sentence encoder on the tiny test model that `npm run make-test-model` writes: folder
 * layout, embeddings (shape, unit norm, determinism, padding ignored, prefixes), the CLI end to end,
 * and clear errors for folders that are not encoders.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, test } from 'vitest';
import { candidateTexts } from '../../src/core/dataset/texts';
import { planLengthBatches } from '../../src/core/encoders/pooling';
import type { SentenceEncoder } from '../../src/core/encoders/types';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { referenceRankAndMeasure } from '../support/oracles/metrics';
import { resolveEncoder } from '../../src/node/encoders';
import { createOnnxEncoder } from '../../src/node/onnx-encoder';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { castModel } from '../support/onnx-fixtures';
import onnxProto from 'onnx-proto';
import { quantizeUint8 } from '../../scripts/quantize-q8';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const tsx = resolve(root, 'node_modules/tsx/dist/cli.mjs');

const TEXTS = {
  en: 'Which river flows through the city of Warsaw?',
  zh: '华沙市内流经哪条河？',
  th: 'แม่น้ำสายใดไหลผ่านเมืองวอร์ซอ',
  ar: 'ما هو النهر الذي يمر عبر مدينة وارسو؟',
};

describe('ONNX encoder on the tiny test model', () => {
  let dir: string;
  let modelDir: string;
  let encoder: SentenceEncoder;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-onnx-'));
    modelDir = join(dir, 'tiny');
    await run(process.execPath, [tsx, 'scripts/make-test-model.ts', modelDir, '--seed', '7'], { cwd: root });
    encoder = await createOnnxEncoder(modelDir, { batchSize: 4, queryPrefix: 'query: ', passagePrefix: 'passage: ' });
  }, 60_000);

  test('make-test-model writes a transformers.js XLM-R-shaped folder', async () => {
    expect((await readdir(modelDir)).sort()).toEqual(['config.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect((await readdir(join(modelDir, 'onnx'))).sort()).toEqual(['model.onnx', 'model_quantized.onnx']);
    const config = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'xlm-roberta', hidden_size: 32, num_hidden_layers: 2, pad_token_id: 1 });
    const tokenizer = JSON.parse(await readFile(join(modelDir, 'tokenizer.json'), 'utf8'));
    expect(tokenizer.model.type).toBe('Unigram');
    expect(tokenizer.model.vocab.slice(0, 4).map(([piece]: [string, number]) => piece)).toEqual(['<s>', '<pad>', '</s>', '<unk>']);
    expect(encoder.dim).toBe(32);

    // Every script tokenises without <unk>, inside <s> ... </s>.
    env.allowRemoteModels = false;
    env.localModelPath = dir;
    const tokens = await AutoTokenizer.from_pretrained('tiny');
    for (const text of Object.values(TEXTS)) {
      const ids = tokens.encode(text);
      expect([ids[0], ids[ids.length - 1]]).toEqual([0, 2]);
      expect(ids).not.toContain(3);
    }
  });

  test('same options, same bytes', async () => {
    const again = join(dir, 'again');
    await run(process.execPath, [tsx, 'scripts/make-test-model.ts', again, '--seed', '7'], { cwd: root });
    for (const file of ['tokenizer.json', join('onnx', 'model.onnx'), join('onnx', 'model_quantized.onnx')]) {
      expect((await readFile(join(again, file))).equals(await readFile(join(modelDir, file)))).toBe(true);
    }
  }, 60_000);

  test('q8 weights: the dynamic int8 graph of transformers.js exports, loaded by onnxruntime-node, embeddings within 0.005 cosine of fp32', async () => {
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(await readFile(join(modelDir, 'onnx', 'model_quantized.onnx')));
    const ops = model.graph!.node!.map((node) => node.opType);
    // 2 layers x 6 projections (Q, K, V, attention output, intermediate, output); Q, K and V share one activation quantiser.
    expect(ops.filter((op) => op === 'MatMulInteger')).toHaveLength(12);
    expect(ops.filter((op) => op === 'DynamicQuantizeLinear')).toHaveLength(8);
    expect(ops.filter((op) => op === 'DequantizeLinear')).toHaveLength(2); // word and position embeddings
    const byName = new Map(model.graph!.initializer!.map((t) => [t.name!, t]));
    const weights = model.graph!.node!.filter((node) => node.opType === 'MatMulInteger').map((node) => byName.get(node.input![1])!);
    expect(weights.every((t) => t.dataType === onnx.TensorProto.DataType.UINT8 && t.dims!.length === 2)).toBe(true);
    // Float MatMuls left: only the two attention products of each layer, whose operands are activations.
    expect(model.graph!.node!.filter((node) => node.opType === 'MatMul').every((node) => !byName.has(node.input![1]))).toBe(true);

    const dataset = await readDatasetFolder(xquad, { languages: ['en', 'zh', 'th', 'ar'], articles: 1 });
    const texts = dataset.queries.map((q) => q.text);
    const fp32 = await createOnnxEncoder(modelDir).then((e) => e.encode(texts, 'query'));
    const q8 = await createOnnxEncoder(modelDir, { dtype: 'q8' }).then((e) => e.encode(texts, 'query'));
    expect(q8).toHaveLength(fp32.length);
    let lowest = 1;
    for (let i = 0; i < texts.length; i++) lowest = Math.min(lowest, cosine(q8.subarray(i * 32, (i + 1) * 32), fp32.subarray(i * 32, (i + 1) * 32)));
    expect(lowest).toBeGreaterThan(0.995);
    expect(lowest).toBeLessThan(1); // quantised: close, not equal
  }, 60_000);

  test('uint8 quantisation of one tensor: onnxruntime\'s scale, zero point and half-to-even rounding', () => {
    // Range [-10, 245]: scale 255 / 255 = 1, zero point 10; -7.5 and 2.5 round half to even (to -8 and 2).
    expect(quantizeUint8(Float32Array.of(-10, -7.5, 0, 2.5, 245))).toEqual({ values: Uint8Array.of(0, 2, 10, 12, 255), scale: 1, zeroPoint: 10 });
    // All positive: the range still includes 0, so 0 maps to the zero point 0 exactly.
    expect(quantizeUint8(Float32Array.of(0.5, 2.55))).toEqual({ values: Uint8Array.of(50, 255), scale: Math.fround(0.01), zeroPoint: 0 });
  });

  test('texts in four scripts: shape, unit norm, determinism, distinct embeddings', async () => {
    const texts = Object.values(TEXTS);
    const first = await encoder.encode(texts, 'passage');
    const second = await encoder.encode(texts, 'passage');
    expect(first).toHaveLength(texts.length * 32);
    expect(Array.from(second)).toEqual(Array.from(first));
    for (let i = 0; i < texts.length; i++) {
      const row = first.subarray(i * 32, (i + 1) * 32);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
      for (let j = 0; j < i; j++) expect(cosine(row, first.subarray(j * 32, (j + 1) * 32))).toBeLessThan(0.999);
    }
  });

  test('mean pooling ignores padding: alone and next to a much longer text give the same embedding', async () => {
    const long = `${TEXTS.en} ${TEXTS.ar} ${TEXTS.zh} `.repeat(6);
    const alone = await encoder.encode([TEXTS.th], 'query');
    const padded = await encoder.encode([long, TEXTS.th, long], 'query');
    const row = padded.subarray(32, 64);
    for (let d = 0; d < 32; d++) expect(Math.abs(row[d] - alone[d])).toBeLessThan(1e-5);
  });

  test('query and passage prefixes change the embedding', async () => {
    const asQuery = await encoder.encode([TEXTS.en], 'query');
    const asPassage = await encoder.encode([TEXTS.en], 'passage');
    expect(cosine(asQuery, asPassage)).toBeLessThan(0.9999);
    const plain = await createOnnxEncoder(modelDir);
    expect(Array.from(await plain.encode([TEXTS.en], 'query'))).toEqual(Array.from(await plain.encode([TEXTS.en], 'passage')));
  });

  test('batches grouped by length pad less than batches in input order', () => {
    const plan = planLengthBatches([3, 40, 4, 41, 5, 42], 2);
    expect(plan.batches).toEqual([[0, 2], [4, 1], [3, 5]]);
    expect(plan.tokens).toBe(135);
    expect(plan.paddedTokens).toBe(2 * 4 + 2 * 40 + 2 * 42);
    expect(plan.paddedTokensInInputOrder).toBe(2 * 40 + 2 * 41 + 2 * 42);
  });

  test('npm run xling -- eval --encoder onnx:<folder> end to end', async () => {
    const out = join(dir, 'report.json');
    const { stderr } = await run(process.execPath,
      [tsx, 'src/cli/xling.ts', 'eval', '--dataset', xquad, '--languages', 'en,de', '--articles', '2', '--encoder', `onnx:${modelDir}`, '--out', out],
      { cwd: root, maxBuffer: 1 << 24 });
    expect(stderr).toMatch(/padding [\d.]+% of model input grouped by length/);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(Object.keys(report.cells)).toEqual(['en', 'de']);
    for (const x of ['de', 'en']) {
      for (const y of ['de', 'en']) expect(report.cells[x][y].n).toBeGreaterThan(0);
    }
    // The same numbers measured apart from the command: the subset read and encoded here, scored by
    // the plain reference evaluation.
    const dataset = await readDatasetFolder(xquad, { languages: ['en', 'de'], articles: 2 });
    const plain = await createOnnxEncoder(modelDir);
    const queries = await plain.encode(dataset.queries.map((q) => q.text), 'query');
    const candidates = await plain.encode(candidateTexts(dataset), 'passage');
    const expected = (await referenceRankAndMeasure(dataset, queries, candidates, 32, jsMatmul)).summary;
    for (const key of ['mono_map', 'cross_map', 'multi_map', 'multi_r10'] as const) expect(report.summary[key]).toBeCloseTo(expected[key], 5);
    expect(report.settings).toMatchObject({ encoder: `onnx:${modelDir}`, dim: 32 });
  }, 60_000);

  test('a folder that is not an encoder gets a clear error', async () => {
    const noModel = join(dir, 'no-model');
    await cp(modelDir, noModel, { recursive: true });
    await rm(join(noModel, 'onnx'), { recursive: true });
    await expect(createOnnxEncoder(noModel)).rejects.toThrow(/not an ONNX encoder folder: missing onnx\/model\.onnx/);

    const wrongOutput = join(dir, 'wrong-output');
    await cp(modelDir, wrongOutput, { recursive: true });
    await writeFile(join(wrongOutput, 'onnx', 'model.onnx'), castModel('logits'));
    await expect(createOnnxEncoder(wrongOutput)).rejects.toThrow(/not a sentence encoder: its ONNX model has no 'last_hidden_state' output \(outputs: logits;/);

    await expect(createOnnxEncoder(wrongOutput)).rejects.toThrow(/\) in onnx\/model\.onnx\. Choose a sentence encoder exported for feature extraction/);

    await expect(resolveEncoder('hf:not/../an-id')).rejects.toThrow(/'not\/\.\.\/an-id' is not a hub model id/);
    await expect(resolveEncoder('nope')).rejects.toThrow(/Unknown encoder 'nope'. Available here: lexical .*onnx:<folder>/);
  });

  test('a damaged file is named with what to do, and a good model loads after it', async () => {
    const broken = async (name: string, file: string, bytes: (original: Buffer) => Buffer | string) => {
      const folder = join(dir, name);
      await cp(modelDir, folder, { recursive: true });
      await writeFile(join(folder, file), bytes(await readFile(join(modelDir, file))));
      return folder;
    };
    const cases: [string, string, (original: Buffer) => Buffer | string, RegExp][] = [
      ['cut', 'onnx/model.onnx', (b) => b.subarray(0, b.length >> 1),
        /^onnx:.*\/cut: onnx\/model\.onnx is not a readable ONNX model \(.*Protobuf parsing failed\.\)\. It is damaged or cut short \(an interrupted download or copy\): copy it again/],
      ['bad-config', 'config.json', () => '{"model_type": "xlm-roberta",', /^onnx:.*\/bad-config: config\.json is not valid JSON \(.+\)\. The file is damaged or cut short: copy it again/],
      ['bad-tokenizer', 'tokenizer.json', (b) => b.subarray(0, 1000), /^onnx:.*\/bad-tokenizer: tokenizer\.json is not valid JSON/],
      ['bad-tokenizer-config', 'tokenizer_config.json', () => '{ nope', /^onnx:.*\/bad-tokenizer-config: tokenizer_config\.json is not valid JSON/],
      ['odd-tokenizer', 'tokenizer.json', () => '{"version": "1.0"}', /^onnx:.*\/odd-tokenizer: tokenizer\.json and tokenizer_config\.json do not make a tokenizer/],
      ['no-hidden-size', 'config.json', () => '{"model_type": "xlm-roberta"}', /^onnx:.*\/no-hidden-size is not a sentence encoder: its config\.json has no positive integer hidden_size/],
    ];
    for (const [name, file, bytes, message] of cases) {
      await expect(createOnnxEncoder(await broken(name, file, bytes))).rejects.toThrow(message);
      const good = await createOnnxEncoder(modelDir);
      expect((await good.encode([TEXTS.en], 'query')).length).toBe(32);
      await good.dispose();
    }

    // Files that are missing: tokenizer_config.json (transformers.js would fail on reading it), fp32 weights beside fp16 ones.
    const noTokenizerConfig = await broken('no-tokenizer-config', 'config.json', (b) => b);
    await rm(join(noTokenizerConfig, 'tokenizer_config.json'));
    await expect(createOnnxEncoder(noTokenizerConfig)).rejects.toThrow(/: tokenizer_config\.json is missing or names no tokenizer_class \(.*\)\. Copy the tokenizer_config\.json of the export/);
    const fp16Only = await broken('fp16-only', 'config.json', (b) => b);
    await rename(join(fp16Only, 'onnx', 'model.onnx'), join(fp16Only, 'onnx', 'model_fp16.onnx'));
    // make-test-model also writes q8 weights: the message names every weight file the folder has.
    await expect(createOnnxEncoder(fp16Only)).rejects.toThrow(/fp16-only has no onnx\/model\.onnx, the weights for --dtype fp32; try --dtype fp16 or --dtype q8\./);
    await rm(join(fp16Only, 'onnx', 'model_quantized.onnx'));
    await expect(createOnnxEncoder(fp16Only)).rejects.toThrow(/fp16-only has no onnx\/model\.onnx, the weights for --dtype fp32; try --dtype fp16\./);
  }, 120_000);
});

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}
