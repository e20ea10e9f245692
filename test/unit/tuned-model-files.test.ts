/**
 * What `--export-model` writes (src/node/layer-tuning.ts, tunedModelFiles): the original folder's
 * config and tokenizer files as they are, onnx/model.onnx with the tuned layer replaced, and none
 * of the folder's other weight files, which hold the untuned layers.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { expect, test } from 'vitest';
import { findLayers, readLayerWeights, type LayerConfig } from '../../src/core/tuning/onnx-layers';
import { tunedModelFiles } from '../../src/node/layer-tuning';
import { testModel, TINY_MODEL } from '../support/test-models';
import { perturbedLayer } from '../support/tuning';

test('the exported folder keeps config and tokenizer files, replaces the tuned layer, and drops other weight files', async () => {
  const folder = join(await mkdtemp(join(tmpdir(), 'xling-export-')), 'model');
  await cp(await testModel(TINY_MODEL), folder, { recursive: true });
  for (const stale of ['model.safetensors', 'pytorch_model.bin', 'model.safetensors.index.json', 'tf_model.h5']) await writeFile(join(folder, stale), 'untuned');
  await writeFile(join(folder, 'special_tokens_map.json'), '{}');
  const bytes = await readFile(join(folder, 'onnx/model.onnx'));
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const graph = findLayers(model, JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as LayerConfig);
  const tuned = perturbedLayer(readLayerWeights(model, graph, 1));

  const files = await tunedModelFiles({ folder, graph, initial: [], states: [], tokens: 0 }, [tuned]);
  expect(files.map((f) => f.path).sort()).toEqual(['config.json', 'onnx/model.onnx', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json']);
  for (const file of files.filter((f) => f.path !== 'onnx/model.onnx')) expect(Buffer.from(file.data).equals(await readFile(join(folder, file.path))), file.path).toBe(true);
  const written = onnxProto.onnx.ModelProto.decode(files.find((f) => f.path === 'onnx/model.onnx')!.data);
  expect(readLayerWeights(written, graph, 1)).toEqual(tuned);
  expect(readLayerWeights(written, graph, 0)).toEqual(readLayerWeights(model, graph, 0));
}, 120_000);
