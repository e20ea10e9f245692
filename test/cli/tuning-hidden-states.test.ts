/**
 * The layer tuner's frozen bottom on onnxruntime-node (src/node/hidden-states.ts) on make-test-model
 * models: per-text hidden states against the full model's own intermediate tensor run text by text,
 * and the parity rule of design.md: bottom model + the CPU engine's top K layers + pooling gives the
 * frozen model's embeddings (transformers.js on onnxruntime-node, fp32) to 1e-5; and the exported
 * folder of a tuned model, loaded as an encoder, gives the tuned path's embeddings.
 */
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import { layerInputOf } from '../../src/core/tuning/hidden-states';
import { poolNormalised } from '../../src/core/tuning/loss';
import { exportTunedModel, findLayers, readLayerWeights } from '../../src/core/tuning/onnx-layers';
import { createHiddenStateRunner } from '../../src/node/hidden-states';
import { createOnnxEncoder, useLocalFolder } from '../../src/node/onnx-encoder';
import { writeTunedModelFolder } from '../../src/node/tuned-model-folder';
import { withExtraOutput } from '../support/onnx-fixtures';
import { MINILM_MODEL, testModel, TINY_MODEL } from '../support/test-models';
import { perturbedLayer } from '../support/tuning';

/** Lengths from 3 to ~40 tokens in five scripts, so that batches of 3 are regrouped by length. */
const TEXTS = [
  'Which river flows through the city of Warsaw, and where does it reach the Baltic Sea after crossing the whole of Poland?',
  '华沙市内流经哪条河？',
  'ok',
  'แม่น้ำสายใดไหลผ่านเมืองวอร์ซอ',
  'ما هو النهر الذي يمر عبر مدينة وارسو؟',
  'Warschau liegt an der Weichsel.',
  'The Vistula.',
];

let tinyDir: string;
let minilmDir: string;

beforeAll(async () => {
  [tinyDir, minilmDir] = await Promise.all([testModel(TINY_MODEL), testModel(MINILM_MODEL)]);
}, 180_000);

describe('hidden states entering the first tuned layer', () => {
  test('tiny, K = 1: per text, in input order, unpadded, equal to the full model run on that text alone', async () => {
    const runner = await createHiddenStateRunner(tinyDir, 1, { batchSize: 3, queryPrefix: 'query: ' });
    try {
      expect(runner.firstTuned).toBe(1);
      const states = await runner.hiddenStates(TEXTS, 'query');

      const tokenizer = await AutoTokenizer.from_pretrained(useLocalFolder(tinyDir));
      const found = findLayers(onnxProto.onnx.ModelProto.decode(runner.modelBytes), JSON.parse(await readFile(join(tinyDir, 'config.json'), 'utf8')));
      const tensor = found.layers[1].hiddenIn;
      const full = await ort.InferenceSession.create(withExtraOutput(runner.modelBytes, tensor));
      for (const [i, text] of TEXTS.entries()) {
        const ids = tokenizer.encode(`query: ${text}`);
        expect(states[i].tokens).toBe(ids.length);
        const out = await full.run({
          input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
        });
        const expected = out[tensor].data as Float32Array;
        expect(states[i].states).toHaveLength(ids.length * 32);
        // Padding in a batch changes nothing but float rounding in the attention sums.
        expect(Math.max(...states[i].states.map((v, j) => Math.abs(v - expected[j])))).toBeLessThan(1e-5);
      }
      await full.release();
    } finally {
      await runner.dispose();
    }
  }, 60_000);

  test('K outside 1..L is refused with the range', async () => {
    await expect(createHiddenStateRunner(tinyDir, 0)).rejects.toThrow(/cannot tune 0 layers of .*: it has 2, so K must be an integer from 1 to 2/);
    await expect(createHiddenStateRunner(tinyDir, 3)).rejects.toThrow(/cannot tune 3 layers/);
  });
});

describe('parity: bottom model + CPU engine + pooling = the frozen model, fp32, to 1e-5', () => {
  const settings = { batchSize: 4, passagePrefix: 'passage: ' };
  /** The frozen model's embeddings of TEXTS, one encoder load per model. */
  const frozen = new Map<string, Promise<Float32Array>>();
  const frozenEmbeddings = (folder: string) => {
    if (!frozen.has(folder)) {
      frozen.set(folder, createOnnxEncoder(folder, settings).then(async (encoder) => {
        try {
          return await encoder.encode(TEXTS, 'passage');
        } finally {
          await encoder.dispose();
        }
      }));
    }
    return frozen.get(folder)!;
  };

  test.each([
    ['tiny', 1], ['tiny', 2], ['MiniLM-shaped', 1], ['MiniLM-shaped', 2],
  ] as const)('%s model, K = %i', async (which, k) => {
    const folder = which === 'tiny' ? tinyDir : minilmDir;
    const expected = await frozenEmbeddings(folder);
    const runner = await createHiddenStateRunner(folder, k, settings);
    try {
      const { shape } = runner.layers;
      const weights = Array.from({ length: k }, (_, i) => readLayerWeights(runner.model, runner.layers, runner.firstTuned + i));
      const input = layerInputOf(await runner.hiddenStates(TEXTS, 'passage'), shape.hidden);
      const engine = createCpuLayerEngine(shape);
      const output = await engine.forward(weights, input);
      const embeddings = poolNormalised(output, input.mask, input.batch, input.seq, shape.hidden, runner.settings.pooling);
      await engine.dispose();
      expect(embeddings).toHaveLength(expected.length);
      const error = Math.max(...embeddings.map((v, i) => Math.abs(v - expected[i])));
      expect(error).toBeLessThan(1e-5);
    } finally {
      await runner.dispose();
    }
  }, 120_000);
});

describe('export round trip', () => {
  test('a tuned top layer: the exported folder loads as an encoder and gives the tuned path\'s embeddings; stale weight files are left out', async () => {
    const source = await mkdtemp(join(tmpdir(), 'xling-tuned-source-'));
    const target = await mkdtemp(join(tmpdir(), 'xling-tuned-export-'));
    try {
      await cp(tinyDir, source, { recursive: true });
      // What real model folders also hold: other weights (stale after tuning) and other configs (kept).
      await copyFile(join(source, 'onnx', 'model.onnx'), join(source, 'onnx', 'model_quantized.onnx'));
      await writeFile(join(source, 'model.safetensors'), 'untuned weights');
      await mkdir(join(source, '1_Pooling'));
      await writeFile(join(source, '1_Pooling', 'config.json'), '{"pooling_mode_mean_tokens": true}');

      const runner = await createHiddenStateRunner(source, 1);
      const tuned = perturbedLayer(readLayerWeights(runner.model, runner.layers, 1));
      const { shape } = runner.layers;
      const input = layerInputOf(await runner.hiddenStates(TEXTS, 'passage'), shape.hidden);
      const engine = createCpuLayerEngine(shape);
      const output = await engine.forward([tuned], input);
      const tunedEmbeddings = poolNormalised(output, input.mask, input.batch, input.seq, shape.hidden, runner.settings.pooling);
      await engine.dispose();
      const files = await writeTunedModelFolder(source, target, exportTunedModel(runner.modelBytes, runner.layers, new Map([[1, tuned]])));
      await runner.dispose();

      expect(files).toEqual(['1_Pooling/config.json', 'config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
      expect((await readdir(join(target, 'onnx'))).sort()).toEqual(['model.onnx']);
      for (const file of ['config.json', 'tokenizer.json', '1_Pooling/config.json']) {
        expect((await readFile(join(target, file))).equals(await readFile(join(source, file)))).toBe(true);
      }
      const exported = await createOnnxEncoder(target);
      const original = await createOnnxEncoder(source);
      const [fromExport, fromOriginal] = [await exported.encode(TEXTS, 'passage'), await original.encode(TEXTS, 'passage')];
      await Promise.all([exported.dispose(), original.dispose()]);
      expect(Math.max(...fromExport.map((v, i) => Math.abs(v - tunedEmbeddings[i])))).toBeLessThan(1e-5);
      expect(Math.max(...fromExport.map((v, i) => Math.abs(v - fromOriginal[i])))).toBeGreaterThan(1e-2);
    } finally {
      await Promise.all([rm(source, { recursive: true, force: true }), rm(target, { recursive: true, force: true })]);
    }
  }, 60_000);
});
