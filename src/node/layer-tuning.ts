/**
 * `xling train --tune layers:K` in Node: the model folder's fp32 onnx/model.onnx read once, its top K
 * layers' weights as the starting point, its bottom layers as their own graph on onnxruntime-node
 * (core/tuning/onnx-layers.ts), the hidden states of every text computed once (core/tuning/
 * hidden-states.ts), and the tuned encoder written back as a model folder (--export-model).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { candidateTexts, type CandidateTextMode } from '../core/dataset/texts';
import type { Dataset } from '../core/dataset/types';
import { computeHiddenStates, ortBottomRunner, packTokens } from '../core/tuning/hidden-states';
import type { LayerWeights } from '../core/tuning/layer';
import type { HiddenStates } from '../core/tuning/layer-model';
import { exportTunedModel, findLayers, splitForTuning, type LayerConfig, type ModelLayers } from '../core/tuning/onnx-layers';
import type { TransformerEncoder } from '../transformers/transformers-encoder';
import { modelCacheDir } from './hub-encoder';

const MODEL_FILE = join('onnx', 'model.onnx');
/** Weight files of other frameworks (and their shard indexes) beside the ONNX model. */
const OTHER_WEIGHTS = /\.(safetensors|bin|h5|msgpack|ot|pt|pth|ckpt)$|\.(safetensors|bin)\.index\.json$/;

export interface NodeLayerTuning {
  folder: string;
  graph: ModelLayers;
  /** The model file's weights of the top K layers, bottom first. */
  initial: LayerWeights[];
  /** Hidden states per dataset, in the order given. */
  states: HiddenStates[];
  /** Tokens cached over all datasets. */
  tokens: number;
}

/** The model folder of an `onnx:` or `hf:` encoder name (hf: models live in the model cache). */
export function modelFolderOf(encoderName: string): string {
  if (encoderName.startsWith('onnx:')) return resolve(encoderName.slice('onnx:'.length));
  if (encoderName.startsWith('hf:')) return join(modelCacheDir(), encoderName.slice('hf:'.length));
  throw new RangeError(`--tune layers:K needs an onnx:<folder> or hf:<hub id> encoder, got '${encoderName}'.`);
}

/** Reads the model, checks K, and runs its bottom layers over every text of `datasets`. */
export async function prepareNodeLayerTuning(
  encoderName: string,
  encoder: TransformerEncoder,
  layers: number,
  datasets: Dataset[],
  candidateText: CandidateTextMode,
  log: (message: string) => void,
  onProgress?: (done: number, total: number) => void,
): Promise<NodeLayerTuning> {
  const folder = modelFolderOf(encoderName);
  const [modelBytes, config] = await Promise.all([readFile(join(folder, MODEL_FILE)), readFile(join(folder, 'config.json'), 'utf8')]);
  const model = onnxProto.onnx.ModelProto.decode(modelBytes);
  const graph = findLayers(model, JSON.parse(config) as LayerConfig);
  const count = graph.layers.length;
  if (layers > count) throw new RangeError(`--tune layers:${layers}: ${encoder.id} has ${count} layers; K must be between 1 and ${count}.`);
  const { firstTuned, initial, bottom: bottomGraph } = splitForTuning(model, graph, layers);
  const bottom = await ortBottomRunner(ort, bottomGraph);
  try {
    const total = datasets.reduce((sum, d) => sum + d.queries.length + d.candidates.length, 0);
    let before = 0;
    const states: HiddenStates[] = [];
    for (const dataset of datasets) {
      const run = async (texts: string[], role: 'query' | 'passage') => {
        const start = before;
        const table = await computeHiddenStates(packTokens(encoder.tokenize(texts, role)), graph.shape.hidden, bottom, {
          onProgress: (done) => onProgress?.(start + done, total),
        });
        before += texts.length;
        return table;
      };
      const queries = await run(dataset.queries.map((q) => q.text), 'query');
      const candidates = await run(candidateTexts(dataset, candidateText), 'passage');
      states.push({ queries, candidates });
    }
    const tokens = states.reduce((sum, s) => sum + s.queries.offsets.at(-1)! + s.candidates.offsets.at(-1)!, 0);
    log(`tune: layers ${firstTuned + 1}-${count} of ${count} tuned; bottom ${firstTuned} run once: ${tokens.toLocaleString('en')} tokens of hidden states ` +
      `(${((tokens * graph.shape.hidden * 4) / 2 ** 20).toFixed(0)} MiB)`);
    return { folder, graph, initial, states, tokens };
  } finally {
    await bottom.release();
  }
}

/**
 * The files of the tuned encoder's model folder (design.md, "Export"), relative paths: every file of
 * the original folder but its onnx/ weights, as they are, and onnx/model.onnx with the tuned layers'
 * weights replaced. Other weight files (model_quantized.onnx, ...) are left out: they hold the
 * untuned layers.
 */
export async function tunedModelFiles(tuning: NodeLayerTuning, kept: readonly LayerWeights[]): Promise<Array<{ path: string; data: Uint8Array }>> {
  const files: Array<{ path: string; data: Uint8Array }> = [];
  for (const entry of (await readdir(tuning.folder)).sort()) {
    const from = join(tuning.folder, entry);
    if (entry !== 'onnx' && !OTHER_WEIGHTS.test(entry) && (await stat(from)).isFile()) files.push({ path: entry, data: await readFile(from) });
  }
  const firstTuned = tuning.graph.layers.length - kept.length;
  const original = await readFile(join(tuning.folder, MODEL_FILE));
  files.push({ path: MODEL_FILE, data: exportTunedModel(original, tuning.graph, new Map(kept.map((w, k) => [firstTuned + k, w]))) });
  return files;
}
