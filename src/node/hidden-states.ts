/**
 * The layer tuner's frozen bottom in Node (design.md, "Tuning the encoder (top layers)"): for a
 * transformers.js model folder (config.json, tokenizer, the fp32 onnx/model.onnx), the hidden states
 * entering the first of the top K layers, per text, run on onnxruntime-node through the bottom model
 * (core/tuning/onnx-layers.ts) with the encoder's own tokenisation and batching
 * (core/tuning/hidden-states.ts). Also holds what the tuner and the export need from the model file.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { TransformerEncodeOptions, TransformerSettings } from '../core/encoders/transformer';
import type { TextRole } from '../core/encoders/types';
import { hiddenStatesOf, type TextHiddenStates } from '../core/tuning/hidden-states';
import { bottomModel, findLayers, HIDDEN_STATES_IN, type LayerConfig, type ModelLayers } from '../core/tuning/onnx-layers';
import { tokenizerLike, transformerSettings, type ModelConfig } from '../transformers/transformers-encoder';
import { checkEncoderFolder, useLocalFolder } from './onnx-encoder';

const { onnx } = onnxProto;

export interface HiddenStateOptions extends Partial<TransformerSettings> {
  /** onnxruntime-node's intra-op threads; the runtime's default when unset. */
  threads?: number;
}

export interface HiddenStateRunner {
  /** The layers found in the graph, with the shape from config.json. */
  readonly layers: ModelLayers;
  /** 0-based index of the first tuned layer: L - K. */
  readonly firstTuned: number;
  readonly settings: TransformerSettings;
  /** onnx/model.onnx as read (exportTunedModel patches these bytes) and decoded (readLayerWeights). */
  readonly modelBytes: Uint8Array;
  readonly model: OnnxTypes.IModelProto;
  /** Per text, in input order: its token count and hidden states [tokens, hidden] entering layer firstTuned. */
  hiddenStates(texts: readonly string[], role: TextRole, options?: TransformerEncodeOptions): Promise<TextHiddenStates[]>;
  dispose(): Promise<void>;
}

/** Loads a model folder for tuning its top `tunedLayers` (K) layers. */
export async function createHiddenStateRunner(folder: string, tunedLayers: number, options: HiddenStateOptions = {}): Promise<HiddenStateRunner> {
  const path = resolve(folder);
  await checkEncoderFolder(path, 'fp32');
  const config: LayerConfig & ModelConfig = JSON.parse(await readFile(join(path, 'config.json'), 'utf8'));
  const modelBytes = new Uint8Array(await readFile(join(path, 'onnx', 'model.onnx')));
  const model = onnx.ModelProto.decode(modelBytes);
  const layers = findLayers(model, config);
  const count = layers.layers.length;
  if (!Number.isInteger(tunedLayers) || tunedLayers < 1 || tunedLayers > count) {
    throw new RangeError(`cannot tune ${tunedLayers} layers of ${folder}: it has ${count}, so K must be an integer from 1 to ${count}.`);
  }
  const firstTuned = count - tunedLayers;
  const tokenizer = await AutoTokenizer.from_pretrained(useLocalFolder(path));
  const settings = transformerSettings(options, tokenizer, config);
  const session = await ort.InferenceSession.create(bottomModel(model, layers, firstTuned), {
    executionProviders: ['cpu'],
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
  });
  const unknown = session.inputNames.filter((name) => !['input_ids', 'attention_mask', 'token_type_ids'].includes(name));
  if (unknown.length) throw new Error(`${folder}'s model has inputs this runner does not know how to fill: ${unknown.join(', ')}.`);

  const run = async (inputIds: BigInt64Array, attentionMask: BigInt64Array, rows: number, seq: number) => {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', inputIds, [rows, seq]),
      attention_mask: new ort.Tensor('int64', attentionMask, [rows, seq]),
      // BERT-family models that take segment ids: one segment, as transformers.js fills it.
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(rows * seq), [rows, seq]),
    };
    const outputs = await session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]])));
    return outputs[HIDDEN_STATES_IN].data as Float32Array;
  };
  const tokens = tokenizerLike(tokenizer);

  return {
    layers,
    firstTuned,
    settings,
    modelBytes,
    model,
    hiddenStates: (texts, role, encodeOptions) => hiddenStatesOf(texts, role, tokens, run, layers.shape.hidden, settings, encodeOptions),
    dispose: () => session.release(),
  };
}
