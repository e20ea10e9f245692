/**
 * The parity rule of design.md ("Tuning the encoder (top layers)") from the graph side: the bottom
 * model (onnx-layers.ts) on onnxruntime-node + the CPU engine's top K layers + pooling give the frozen
 * model's embeddings (transformers.js on onnxruntime-node, fp32) to 1e-5, K = 1 and 2, on the tiny and
 * the MiniLM-shaped test models; and a model exported with a changed top layer, loaded as an encoder,
 * gives what the CPU engine computes with that layer.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import type { LayerWeights } from '../../src/core/tuning/layer';
import { poolNormalised } from '../../src/core/tuning/loss';
import { bottomModel, exportTunedModel, findLayers, HIDDEN_STATES_IN, readLayerWeights, type ModelLayers } from '../../src/core/tuning/onnx-layers';
import { createOnnxEncoder } from '../../src/node/onnx-encoder';
import { MINILM_MODEL, testModel, TINY_MODEL } from '../support/test-models';
import { perturbedLayer } from '../support/tuning';

/** Lengths from 3 to ~40 tokens in five scripts. */
const TEXTS = [
  'Which river flows through the city of Warsaw, and where does it reach the Baltic Sea after crossing the whole of Poland?',
  '华沙市内流经哪条河？',
  'ok',
  'แม่น้ำสายใดไหลผ่านเมืองวอร์ซอ',
  'ما هو النهر الذي يمر عبر مدينة وارسو؟',
  'Warschau liegt an der Weichsel.',
  'The Vistula.',
];
const PREFIX = 'passage: ';

interface Graph { bytes: Uint8Array; model: onnxProto.onnx.ModelProto; found: ModelLayers }

async function readGraph(folder: string): Promise<Graph> {
  const bytes = new Uint8Array(await readFile(join(folder, 'onnx', 'model.onnx')));
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  return { bytes, model, found: findLayers(model, JSON.parse(await readFile(join(folder, 'config.json'), 'utf8'))) };
}

/** The frozen model's embeddings of TEXTS through the project's encoder. */
async function frozenEmbeddings(folder: string): Promise<Float32Array> {
  const encoder = await createOnnxEncoder(folder, { batchSize: 4, passagePrefix: PREFIX });
  try {
    return await encoder.encode(TEXTS, 'passage');
  } finally {
    await encoder.dispose();
  }
}

/** TEXTS' embeddings through the bottom model (all texts in one padded batch) and the CPU engine with `top`. */
async function tunedPathEmbeddings(folder: string, graph: Graph, top: LayerWeights[]): Promise<Float32Array> {
  env.allowRemoteModels = false;
  env.localModelPath = dirname(folder);
  const tokenizer = await AutoTokenizer.from_pretrained(basename(folder));
  const ids = TEXTS.map((text) => tokenizer.encode(PREFIX + text));
  const batch = ids.length;
  const seq = Math.max(...ids.map((row) => row.length));
  const inputIds = new BigInt64Array(batch * seq).fill(BigInt(tokenizer.pad_token_id));
  const attentionMask = new BigInt64Array(batch * seq);
  const mask = new Uint8Array(batch * seq);
  ids.forEach((row, r) => row.forEach((id, t) => {
    inputIds[r * seq + t] = BigInt(id);
    attentionMask[r * seq + t] = 1n;
    mask[r * seq + t] = 1;
  }));
  const session = await ort.InferenceSession.create(bottomModel(graph.model, graph.found, graph.found.layers.length - top.length));
  const out = await session.run({ input_ids: new ort.Tensor('int64', inputIds, [batch, seq]), attention_mask: new ort.Tensor('int64', attentionMask, [batch, seq]) });
  await session.release();
  const { shape } = graph.found;
  const engine = createCpuLayerEngine(shape);
  const output = await engine.forward(top, { hidden: out[HIDDEN_STATES_IN].data as Float32Array, mask, batch, seq });
  await engine.dispose();
  // make-test-model's folders carry no pooling setting: the encoder's default, mean.
  return poolNormalised(output, mask, batch, seq, shape.hidden, 'mean');
}

const maxDifference = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

let tinyDir: string;
let minilmDir: string;

beforeAll(async () => {
  [tinyDir, minilmDir] = await Promise.all([testModel(TINY_MODEL), testModel(MINILM_MODEL)]);
}, 180_000);

describe('parity: bottom model + CPU engine + pooling = the frozen model, fp32, to 1e-5', () => {
  test.each(['tiny', 'MiniLM-shaped'] as const)('%s model, K = 1 and K = 2', async (which) => {
    const folder = which === 'tiny' ? tinyDir : minilmDir;
    const [graph, expected] = await Promise.all([readGraph(folder), frozenEmbeddings(folder)]);
    const count = graph.found.layers.length;
    for (const k of [1, 2]) {
      const top = Array.from({ length: k }, (_, i) => readLayerWeights(graph.model, graph.found, count - k + i));
      const embeddings = await tunedPathEmbeddings(folder, graph, top);
      expect(embeddings).toHaveLength(expected.length);
      expect(maxDifference(embeddings, expected)).toBeLessThan(1e-5);
    }
  }, 180_000);
});

test('export round trip: a changed top layer written into model.onnx gives, as an encoder, what the CPU engine computes with it', async () => {
  const copy = await mkdtemp(join(tmpdir(), 'xling-tuned-'));
  try {
    await cp(tinyDir, copy, { recursive: true });
    const graph = await readGraph(tinyDir);
    const tuned = perturbedLayer(readLayerWeights(graph.model, graph.found, 1));
    await writeFile(join(copy, 'onnx', 'model.onnx'), exportTunedModel(graph.bytes, graph.found, new Map([[1, tuned]])));
    const [fromExport, original, tunedPath] = [await frozenEmbeddings(copy), await frozenEmbeddings(tinyDir), await tunedPathEmbeddings(tinyDir, graph, [tuned])];
    expect(maxDifference(fromExport, tunedPath)).toBeLessThan(1e-5);
    expect(maxDifference(fromExport, original)).toBeGreaterThan(1e-2);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}, 60_000);
