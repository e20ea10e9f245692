/**
 * The layer blocks of an encoder's ONNX graph (src/core/tuning/onnx-layers.ts) on models that
 * make-test-model writes with Optimum's naming: the tiny one, a MiniLM-shaped one, the same graph
 * with decomposed LayerNorms, and a graph whose names it does not know. Weights are checked against
 * the initializers read by name here; the bottom model against the full model's own intermediate
 * tensor on onnxruntime-node; the export byte for byte against the original file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';
import { LINEAR_NAMES, NORM_NAMES } from '../../src/core/tuning/layer';
import { bottomModel, exportTunedModel, findLayers, HIDDEN_STATES_IN, readLayerWeights, type LayerConfig } from '../../src/core/tuning/onnx-layers';
import { decomposeLayerNorms, withExtraOutput } from '../support/onnx-fixtures';
import { MINILM_MODEL, testModel, TINY_MODEL } from '../support/test-models';
import { perturbedLayer } from '../support/tuning';

const { onnx } = onnxProto;

interface Model { bytes: Uint8Array; config: LayerConfig }

async function readModel(folder: string): Promise<Model> {
  return {
    bytes: new Uint8Array(await readFile(join(folder, 'onnx', 'model.onnx'))),
    config: JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')),
  };
}

const decode = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes);

/** An initializer's float values, read by name (independently of onnx-layers.ts). */
function initializer(bytes: Uint8Array, name: string): Float32Array {
  const tensor = decode(bytes).graph!.initializer!.find((t) => t.name === name);
  if (!tensor) throw new Error(`no initializer ${name}`);
  return new Float32Array(Uint8Array.from(tensor.rawData!).buffer);
}

/** Token ids and mask for two texts, the second padded (ids from the tokenizer's range). */
function feeds(inputNames: readonly string[]) {
  const ids = new BigInt64Array([0n, 50n, 60n, 70n, 80n, 2n, 0n, 90n, 100n, 2n, 1n, 1n]);
  const mask = new BigInt64Array([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n]);
  const all: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [2, 6]), attention_mask: new ort.Tensor('int64', mask, [2, 6]) };
  return Object.fromEntries(inputNames.map((name) => [name, all[name]]));
}

async function run(bytes: Uint8Array, output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return (await session.run(feeds(session.inputNames)))[output].data as Float32Array;
  } finally {
    await session.release();
  }
}

let tiny: Model;
let minilm: Model;

beforeAll(async () => {
  [tiny, minilm] = await Promise.all([testModel(TINY_MODEL).then(readModel), testModel(MINILM_MODEL).then(readModel)]);
}, 180_000);

describe('findLayers', () => {
  test('the tiny model: 2 layers, the shape from config.json, the tensors by their Optimum names', () => {
    const found = findLayers(decode(tiny.bytes), tiny.config);
    expect(found.shape).toEqual({ hidden: 32, heads: 2, intermediate: 128, layerNormEps: 1e-5 });
    expect(found.prefix).toBe('');
    expect(found.layers).toHaveLength(2);
    const [first, second] = found.layers;
    expect(first.hiddenIn).toBe('/embeddings/LayerNorm/LayerNormalization_output_0');
    expect(first.hiddenOut).toBe('/encoder/layer.0/output/LayerNorm/LayerNormalization_output_0');
    expect(second.hiddenIn).toBe(first.hiddenOut);
    expect(second.hiddenOut).toBe('last_hidden_state');
    // make-test-model numbers MatMul weights in graph order: six a layer.
    expect(second.linears).toEqual({
      query: { weight: 'onnx::MatMul_6', bias: 'encoder.layer.1.attention.self.query.bias' },
      key: { weight: 'onnx::MatMul_7', bias: 'encoder.layer.1.attention.self.key.bias' },
      value: { weight: 'onnx::MatMul_8', bias: 'encoder.layer.1.attention.self.value.bias' },
      attentionOutput: { weight: 'onnx::MatMul_9', bias: 'encoder.layer.1.attention.output.dense.bias' },
      intermediate: { weight: 'onnx::MatMul_10', bias: 'encoder.layer.1.intermediate.dense.bias' },
      output: { weight: 'onnx::MatMul_11', bias: 'encoder.layer.1.output.dense.bias' },
    });
    expect(second.norms).toEqual({
      attentionNorm: { gamma: 'encoder.layer.1.attention.output.LayerNorm.weight', beta: 'encoder.layer.1.attention.output.LayerNorm.bias' },
      outputNorm: { gamma: 'encoder.layer.1.output.LayerNorm.weight', beta: 'encoder.layer.1.output.LayerNorm.bias' },
    });
  });

  test('the MiniLM-shaped model: 12 layers of 384, 12 heads, 1536, eps 1e-12', () => {
    const found = findLayers(decode(minilm.bytes), minilm.config);
    expect(found.shape).toEqual({ hidden: 384, heads: 12, intermediate: 1536, layerNormEps: 1e-12 });
    expect(found.layers).toHaveLength(12);
    expect(found.layers[11].hiddenIn).toBe('/encoder/layer.10/output/LayerNorm/LayerNormalization_output_0');
    expect(found.layers[11].linears.output.weight).toBe('onnx::MatMul_71');
  });

  test('decomposed LayerNorms (opset < 17 exports): the same parameters, eps read from the graph', () => {
    const fused = findLayers(decode(tiny.bytes), tiny.config);
    const decomposed = findLayers(decode(decomposeLayerNorms(tiny.bytes)), tiny.config);
    expect(decomposed.layers.map((l) => [l.linears, l.norms])).toEqual(fused.layers.map((l) => [l.linears, l.norms]));
    expect(decomposed.layers[0].hiddenIn).toBe('/embeddings/LayerNorm/LayerNormalization_output_0');
    expect(decomposed.layers[0].hiddenOut).toBe('/encoder/layer.0/output/LayerNorm/LayerNormalization_output_0');
    expect(() => findLayers(decode(decomposeLayerNorms(tiny.bytes)), { ...tiny.config, layer_norm_eps: 1e-12 }))
      .toThrow("/encoder/layer.0/attention/output/LayerNorm: LayerNorm epsilon 0.00001 in the graph, but config.json's layer_norm_eps is 1e-12");
  });

  test('a sentence-transformers export (/0/auto_model/ prefix) is found with its prefix', () => {
    const model = decode(tiny.bytes);
    for (const node of model.graph!.node!) node.name = `/0/auto_model${node.name}`;
    const found = findLayers(model, tiny.config);
    expect(found.prefix).toBe('/0/auto_model');
    expect(found.layers).toHaveLength(2);
  });

  test('a graph without the expected names: the error names the expected pattern and what it found', () => {
    const model = decode(tiny.bytes);
    for (const node of model.graph!.node!) node.name = node.name!.replace('/encoder/layer.', '/blocks/');
    expect(() => findLayers(model, tiny.config)).toThrow(
      /expected node names like '\/encoder\/layer\.0\/attention\/self\/query\/MatMul'.*found \d+ nodes named e\.g\. '\/embeddings\/word_embeddings\/Gather'/);
    const unnamed = decode(tiny.bytes);
    for (const node of unnamed.graph!.node!) node.name = '';
    expect(() => findLayers(unnamed, tiny.config)).toThrow(/nodes have no names/);
    // onnxruntime's optimiser fuses layers into com.microsoft ops and renames them: the message says so.
    const optimised = decode(tiny.bytes);
    for (const node of optimised.graph!.node!) node.name = `Attention_${node.name!.length}`;
    Object.assign(optimised.graph!.node![20], { opType: 'Attention', domain: 'com.microsoft' });
    expect(() => findLayers(optimised, tiny.config)).toThrow(/onnxruntime's fused ops \(Attention\), so it is an optimised export: use the unoptimised fp32 onnx\/model.onnx/);
  });

  test('a layer missing a part, a config that does not match, an activation it does not implement', () => {
    const model = decode(tiny.bytes);
    for (const node of model.graph!.node!) node.name = node.name!.replace('/encoder/layer.1/attention/self/value/', '/encoder/layer.1/attention/self/v/');
    expect(() => findLayers(model, tiny.config)).toThrow(/no MatMul found under '\/encoder\/layer\.1\/attention\/self\/value\/'.*expected a node like/);
    expect(() => findLayers(decode(tiny.bytes), { ...tiny.config, hidden_act: 'gelu_new' })).toThrow(/hidden_act is "gelu_new".*erf GELU/);
    expect(() => findLayers(decode(tiny.bytes), { ...tiny.config, intermediate_size: 64 })).toThrow(/'onnx::MatMul_4' has shape \[32, 128\], expected \[32, 64\]/);
    expect(() => findLayers(decode(tiny.bytes), { ...tiny.config, num_hidden_layers: 3 })).toThrow(/num_hidden_layers 3 but the ONNX graph has 2 layers/);
    expect(() => findLayers(decode(tiny.bytes), { ...tiny.config, layer_norm_eps: 1e-12 })).toThrow(/LayerNorm epsilon .* config.json's layer_norm_eps is 1e-12/);
  });
});

describe('readLayerWeights', () => {
  test("every parameter is the initializer of that name, as written by make-test-model", () => {
    const model = decode(tiny.bytes);
    const found = findLayers(model, tiny.config);
    const weights = readLayerWeights(model, found, 1);
    expect(weights.query.weight).toEqual(initializer(tiny.bytes, 'onnx::MatMul_6'));
    expect(weights.key.bias).toEqual(initializer(tiny.bytes, 'encoder.layer.1.attention.self.key.bias'));
    expect(weights.intermediate.weight).toEqual(initializer(tiny.bytes, 'onnx::MatMul_10'));
    expect(weights.intermediate.weight).toHaveLength(32 * 128);
    expect(weights.output.bias).toEqual(initializer(tiny.bytes, 'encoder.layer.1.output.dense.bias'));
    expect(weights.outputNorm.gamma).toEqual(new Float32Array(32).fill(1));
    expect(weights.attentionNorm.beta).toEqual(new Float32Array(32));
    expect(() => readLayerWeights(model, found, 2)).toThrow(/layer 2 does not exist: the model has 2 layers/);
  });

  test('float_data tensors read like raw_data; external data and fp16 are refused by name', () => {
    const model = decode(tiny.bytes);
    const found = findLayers(model, tiny.config);
    const query = model.graph!.initializer!.find((t) => t.name === 'onnx::MatMul_0')!;
    const expected = initializer(tiny.bytes, 'onnx::MatMul_0');
    query.floatData = Array.from(expected);
    query.rawData = new Uint8Array();
    expect(readLayerWeights(model, found, 0).query.weight).toEqual(expected);
    query.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    expect(() => readLayerWeights(model, found, 0)).toThrow(/'onnx::MatMul_0' is stored in an external data file/);
    query.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    query.dataType = onnx.TensorProto.DataType.FLOAT16;
    expect(() => readLayerWeights(model, found, 0)).toThrow(/'onnx::MatMul_0' is not float32/);
  });
});

describe('bottomModel', () => {
  test.each([0, 1])('tiny, first tuned layer %i: the hidden state the full model computes there, and only the layers below', async (first) => {
    const model = decode(tiny.bytes);
    const found = findLayers(model, tiny.config);
    const bottom = bottomModel(model, found, first);
    const expected = await run(withExtraOutput(tiny.bytes, found.layers[first].hiddenIn), found.layers[first].hiddenIn);
    expect(await run(bottom, HIDDEN_STATES_IN)).toEqual(expected);
    const names = decode(bottom).graph!.node!.map((n) => n.name);
    expect(names.filter((n) => n?.includes(`/encoder/layer.${first}/`))).toEqual([]);
    expect(names.some((n) => n?.includes(`/encoder/layer.${first - 1}/`))).toBe(first > 0);
    expect(decode(bottom).graph!.output!.map((o) => o.name)).toEqual([HIDDEN_STATES_IN]);
  });

  test('MiniLM-shaped, first tuned layer 11 (K = 1): equals the full model at that point', async () => {
    const model = decode(minilm.bytes);
    const found = findLayers(model, minilm.config);
    const tensor = found.layers[11].hiddenIn;
    expect(await run(bottomModel(model, found, 11), HIDDEN_STATES_IN)).toEqual(await run(withExtraOutput(minilm.bytes, tensor), tensor));
  });

  test('decomposed LayerNorms: the bottom model still equals the full one', async () => {
    const bytes = decomposeLayerNorms(tiny.bytes);
    const found = findLayers(decode(bytes), tiny.config);
    expect(await run(bottomModel(decode(bytes), found, 1), HIDDEN_STATES_IN)).toEqual(await run(withExtraOutput(bytes, found.layers[1].hiddenIn), found.layers[1].hiddenIn));
  });
});

describe('exportTunedModel', () => {
  test('unchanged weights: the exported file is the original, byte for byte', () => {
    const model = decode(tiny.bytes);
    const found = findLayers(model, tiny.config);
    const exported = exportTunedModel(tiny.bytes, found, new Map([[0, readLayerWeights(model, found, 0)], [1, readLayerWeights(model, found, 1)]]));
    expect(Buffer.from(exported).equals(Buffer.from(tiny.bytes))).toBe(true);
  });

  test('the top layer changed: only its tensors\' bytes differ, they hold the new weights, and the model runs with another output', async () => {
    const model = decode(tiny.bytes);
    const found = findLayers(model, tiny.config);
    const tuned = perturbedLayer(readLayerWeights(model, found, 1));
    const exported = exportTunedModel(tiny.bytes, found, new Map([[1, tuned]]));
    expect(exported.byteLength).toBe(tiny.bytes.byteLength);

    // Where each of layer 1's tensors lies in the original file, found by searching for its bytes.
    const original = Buffer.from(tiny.bytes);
    const replaced = [...LINEAR_NAMES.flatMap((n) => Object.values(found.layers[1].linears[n])), ...NORM_NAMES.flatMap((n) => Object.values(found.layers[1].norms[n]))]
      .filter((name) => !name.endsWith('LayerNorm.bias') && !name.endsWith('LayerNorm.weight'))
      .map((name) => {
        const data = Buffer.from(initializer(tiny.bytes, name).buffer);
        const start = original.indexOf(data);
        expect(original.indexOf(data, start + 1)).toBe(-1);
        return { start, end: start + data.length };
      });
    const differing = [...exported.keys()].filter((i) => exported[i] !== tiny.bytes[i]);
    expect(differing.length).toBeGreaterThan(0);
    expect(differing.filter((i) => !replaced.some((r) => i >= r.start && i < r.end) && !insideNorms(i))).toEqual([]);

    const back = decode(exported);
    const again = findLayers(back, tiny.config);
    expect(readLayerWeights(back, again, 1)).toEqual(tuned);
    // Layer 0 (below the tuned one) and the embeddings: byte for byte the original's.
    const layer0 = readLayerWeights(back, again, 0);
    expect(layer0).toEqual(readLayerWeights(model, found, 0));
    for (const name of ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight', 'onnx::MatMul_0', 'onnx::MatMul_5']) {
      expect(initializer(exported, name)).toEqual(initializer(tiny.bytes, name));
    }

    const before = await run(tiny.bytes, 'last_hidden_state');
    const after = await run(exported, 'last_hidden_state');
    expect(after).toHaveLength(before.length);
    expect(Math.max(...after.map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-3);

    /** LayerNorm parameters (ones and zeros) are not unique bytes: their ranges come from the decoded file. */
    function insideNorms(i: number): boolean {
      return NORM_NAMES.some((n) => Object.values(found.layers[1].norms[n]).some((name) => {
        const tensor = model.graph!.initializer!.find((t) => t.name === name)!;
        const raw = tensor.rawData!;
        const start = raw.byteOffset - (tiny.bytes as Uint8Array).byteOffset;
        return i >= start && i < start + raw.byteLength;
      }));
    }
  });

  test('weights of the wrong size are refused', () => {
    const model = decode(tiny.bytes);
    const found = findLayers(model, tiny.config);
    const weights = readLayerWeights(model, found, 1);
    weights.query.bias = new Float32Array(31);
    expect(() => exportTunedModel(tiny.bytes, found, new Map([[1, weights]]))).toThrow(/tuned 'encoder.layer.1.attention.self.query.bias' has 31 values, the model's tensor 32/);
  });
});
