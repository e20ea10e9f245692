/**
 * The layer tuner's frozen bottom on onnxruntime-node (src/node/hidden-states.ts) on make-test-model
 * models: per-text hidden states against the full model's own intermediate tensor run text by text,
 * and the parity rule of design.md: bottom model + the CPU engine's top K layers + pooling gives the
 * frozen model's embeddings (transformers.js on onnxruntime-node, fp32) to 1e-5.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import { layerInputOf } from '../../src/core/tuning/hidden-states';
import { poolNormalised } from '../../src/core/tuning/loss';
import { findLayers, readLayerWeights } from '../../src/core/tuning/onnx-layers';
import { createHiddenStateRunner } from '../../src/node/hidden-states';
import { createOnnxEncoder, useLocalFolder } from '../../src/node/onnx-encoder';
import { withExtraOutput } from '../support/onnx-fixtures';
import { MINILM_MODEL, testModel, TINY_MODEL } from '../support/test-models';

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
