/**
 * The encoder's layers as they sit in its ONNX graph (design.md, "Tuning the encoder (top layers)";
 * docs/training.md, "Tuning layers: the model graph"): which tensors carry the hidden state between
 * layers, which initializers hold each layer's weights, the "bottom" model that stops where the
 * tuned layers begin, and the exported model with the tuned layers' weights replaced.
 *
 * Layers are found by node name, as Hugging Face Optimum (torch.onnx.export) names them:
 * `<prefix>/encoder/layer.<i>/attention/self/query/MatMul`, ... with an optional prefix such as
 * `/0/auto_model` (sentence-transformers) or `/bert`. LayerNorm is either the fused
 * `LayerNormalization` op (opset 17) or the decomposed pattern older exports write (ReduceMean, Sub,
 * Pow, ReduceMean, Add eps, Sqrt, Div, Mul gamma, Add beta).
 */
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { LINEAR_NAMES, NORM_NAMES, type LayerShape, type LayerWeights, type Linear, type Norm } from './layer';

const { onnx } = onnxProto;
type ModelProto = OnnxTypes.IModelProto;
type NodeProto = OnnxTypes.INodeProto;
type TensorProto = OnnxTypes.ITensorProto;

type LinearName = (typeof LINEAR_NAMES)[number];
type NormName = (typeof NORM_NAMES)[number];

/** The bottom model's one output: the hidden state entering the first tuned layer. */
export const HIDDEN_STATES_IN = 'hidden_states_in';

/** Initializer names of one linear (weight [in, out], bias [out]) and one LayerNorm. */
export interface LinearTensors { weight: string; bias: string }
export interface NormTensors { gamma: string; beta: string }

/** One layer's tensors in the graph. */
export interface LayerTensors {
  /** The hidden state entering the layer: input 0 of its query, key and value MatMuls. */
  hiddenIn: string;
  /** The hidden state leaving it: its output LayerNorm's result. */
  hiddenOut: string;
  linears: Record<LinearName, LinearTensors>;
  norms: Record<NormName, NormTensors>;
}

export interface ModelLayers {
  shape: LayerShape;
  /** The node-name prefix before `/encoder/` ('' for Optimum's plain export, '/0/auto_model', ...). */
  prefix: string;
  /** Layer 0 (nearest the embeddings) first. */
  layers: LayerTensors[];
}

/** The fields of a Hugging Face config.json the layer tuner reads. */
export interface LayerConfig {
  hidden_size?: unknown;
  num_attention_heads?: unknown;
  intermediate_size?: unknown;
  layer_norm_eps?: unknown;
  hidden_act?: unknown;
  num_hidden_layers?: unknown;
}

/** The exact erf GELU under both of the names transformers gives it (ACT2FN). */
const ERF_GELU = ['gelu', 'gelu_python'];
/** Where each linear and LayerNorm lives under `<prefix>/encoder/layer.<i>/`, as Optimum names modules. */
const LINEAR_SCOPES: Record<LinearName, string> = {
  query: 'attention/self/query',
  key: 'attention/self/key',
  value: 'attention/self/value',
  attentionOutput: 'attention/output/dense',
  intermediate: 'intermediate/dense',
  output: 'output/dense',
};
const NORM_SCOPES: Record<NormName, string> = { attentionNorm: 'attention/output/LayerNorm', outputNorm: 'output/LayerNorm' };
const LAYER_NAME = /^(.*)\/encoder\/layer\.(\d+)\//;
const EXPECTED_EXAMPLE = "'/encoder/layer.0/attention/self/query/MatMul' (Hugging Face Optimum's BERT / XLM-R export; " +
  "a prefix such as '/0/auto_model' is allowed)";

/** The layer shape from config.json, refusing what the tuned layer does not implement. */
export function layerShapeOf(config: LayerConfig): LayerShape {
  const positive = (field: keyof LayerConfig) => {
    const value = config[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`config.json has no positive integer ${field} (got ${JSON.stringify(value)}): the layer tuner needs it to rebuild the layer.`);
    }
    return value;
  };
  const hidden = positive('hidden_size');
  const heads = positive('num_attention_heads');
  const intermediate = positive('intermediate_size');
  if (hidden % heads !== 0) throw new Error(`config.json: hidden_size ${hidden} is not a multiple of num_attention_heads ${heads}.`);
  const eps = config.layer_norm_eps;
  if (typeof eps !== 'number' || !(eps > 0)) throw new Error(`config.json has no positive layer_norm_eps (got ${JSON.stringify(eps)}).`);
  const act = config.hidden_act ?? 'gelu';
  if (typeof act !== 'string' || !ERF_GELU.includes(act)) {
    throw new Error(`config.json's hidden_act is ${JSON.stringify(act)}: the layer tuner implements only the exact erf GELU ('gelu'), ` +
      'as BERT, MiniLM, e5, LaBSE and XLM-R use; a model with another activation (gelu_new, relu, ...) cannot have its layers tuned (train a head instead).');
  }
  return { hidden, heads, intermediate, layerNormEps: eps };
}

/** Finds the layer blocks of an encoder graph and checks them against its config.json. */
export function findLayers(model: ModelProto, config: LayerConfig): ModelLayers {
  const graph = model.graph;
  if (!graph) throw new Error('the ONNX model has no graph.');
  const shape = layerShapeOf(config);
  const nodes = graph.node ?? [];
  const index = graphIndex(model);

  const prefixes = new Map<string, Set<number>>();
  for (const node of nodes) {
    const match = LAYER_NAME.exec(node.name ?? '');
    if (!match) continue;
    const layers = prefixes.get(match[1]) ?? new Set<number>();
    layers.add(Number(match[2]));
    prefixes.set(match[1], layers);
  }
  if (prefixes.size === 0) throw new Error(noLayersMessage(nodes));
  if (prefixes.size > 1) {
    throw new Error(`the ONNX graph has layer blocks under more than one path (${[...prefixes.keys()].map((p) => `'${p}/encoder/'`).join(', ')}): ` +
      'the layer tuner needs a single encoder.');
  }
  const [[prefix, found]] = [...prefixes];
  const count = found.size;
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !found.has(i));
  if (missing.length) throw new Error(`the ONNX graph's layers are not numbered 0..${count - 1}: no layer.${missing.join(', layer.')} under '${prefix}/encoder/'.`);
  if (config.num_hidden_layers !== undefined && config.num_hidden_layers !== count) {
    throw new Error(`config.json says num_hidden_layers ${JSON.stringify(config.num_hidden_layers)} but the ONNX graph has ${count} layers under '${prefix}/encoder/': ` +
      'the config does not belong to this model.onnx.');
  }

  const layers = Array.from({ length: count }, (_, i) => layerTensors(index, `${prefix}/encoder/layer.${i}`, shape));
  layers.forEach((layer, i) => {
    if (i > 0 && layer.hiddenIn !== layers[i - 1].hiddenOut) {
      throw new Error(`layer ${i} reads '${layer.hiddenIn}', not layer ${i - 1}'s output '${layers[i - 1].hiddenOut}': ` +
        'the graph is not a plain stack of post-LayerNorm layers, which the layer tuner needs.');
    }
  });
  return { shape, prefix, layers };
}

interface GraphIndex {
  nodes: NodeProto[];
  initializers: Map<string, TensorProto>;
  /** Tensor name -> the node that writes it. */
  producers: Map<string, NodeProto>;
  /** Tensor name -> the nodes that read it. */
  consumers: Map<string, NodeProto[]>;
}

function graphIndex(model: ModelProto): GraphIndex {
  const nodes = model.graph?.node ?? [];
  const producers = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of nodes) {
    for (const output of node.output ?? []) producers.set(output, node);
    for (const input of node.input ?? []) {
      const readers = consumers.get(input);
      if (readers) readers.push(node);
      else consumers.set(input, [node]);
    }
  }
  const initializers = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  return { nodes, initializers, producers, consumers };
}

function layerTensors(index: GraphIndex, scope: string, shape: LayerShape): LayerTensors {
  const { hidden, intermediate } = shape;
  const sizes: Record<LinearName, [number, number]> = {
    query: [hidden, hidden], key: [hidden, hidden], value: [hidden, hidden], attentionOutput: [hidden, hidden],
    intermediate: [hidden, intermediate], output: [intermediate, hidden],
  };
  const linears = {} as Record<LinearName, LinearTensors>;
  const linearInputs = {} as Record<LinearName, string>;
  for (const name of LINEAR_NAMES) {
    const found = linearTensors(index, `${scope}/${LINEAR_SCOPES[name]}`, sizes[name]);
    linears[name] = found.tensors;
    linearInputs[name] = found.input;
  }
  const hiddenIn = linearInputs.query;
  for (const other of ['key', 'value'] as const) {
    if (linearInputs[other] !== hiddenIn) {
      throw new Error(`${scope}: the ${other} projection reads '${linearInputs[other]}' but the query reads '${hiddenIn}'; ` +
        'a self-attention layer reads one hidden state.');
    }
  }
  const norms = {} as Record<NormName, NormTensors>;
  let hiddenOut = '';
  for (const name of NORM_NAMES) {
    const norm = normTensors(index, `${scope}/${NORM_SCOPES[name]}`, shape);
    norms[name] = norm.tensors;
    if (name === 'outputNorm') hiddenOut = norm.output;
  }
  const activation = `${scope}/intermediate/`;
  if (!index.nodes.some((n) => n.opType === 'Erf' && n.name?.startsWith(activation))) {
    throw new Error(`${scope}: no Erf node under '${activation}': the feed-forward activation is not the exact erf GELU the layer tuner implements.`);
  }
  return { hiddenIn, hiddenOut, linears, norms };
}

/** y = x W + b as MatMul(x, W) then Add with the bias (either input order). */
function linearTensors(index: GraphIndex, scope: string, [inSize, outSize]: [number, number]): { tensors: LinearTensors; input: string } {
  const matmul = index.nodes.find((n) => n.opType === 'MatMul' && n.name?.startsWith(`${scope}/`));
  if (!matmul) throw new Error(missingNodeMessage(index, scope, 'MatMul', `${scope}/MatMul`));
  const [input, weight] = matmul.input ?? [];
  const product = matmul.output?.[0] ?? '';
  if (!index.initializers.has(weight)) {
    throw new Error(`${matmul.name}: its weight '${weight}' is not an initializer (a quantized or otherwise rewritten graph?); ` +
      'the layer tuner needs the fp32 onnx/model.onnx.');
  }
  const add = (index.consumers.get(product) ?? []).find((n) => n.opType === 'Add');
  const bias = add?.input?.find((name) => name !== product);
  if (!add || !bias || !index.initializers.has(bias)) {
    throw new Error(`${matmul.name}: no bias Add with an initializer reads its output '${product}' (expected '${scope}/Add').`);
  }
  checkDims(index, weight, [inSize, outSize], matmul.name ?? scope);
  checkDims(index, bias, [outSize], add.name ?? scope);
  return { tensors: { weight, bias }, input };
}

/** A LayerNorm over the last axis: the fused op, or the decomposed pattern. */
function normTensors(index: GraphIndex, scope: string, shape: LayerShape): { tensors: NormTensors; output: string } {
  const inScope = index.nodes.filter((n) => n.name?.startsWith(`${scope}/`));
  const fused = inScope.find((n) => n.opType === 'LayerNormalization');
  let found: { gamma: string; beta: string; eps: number; output: string; node: string };
  if (fused) {
    const axis = intAttribute(fused, 'axis') ?? -1;
    if (axis !== -1 && axis !== 2) throw new Error(`${fused.name}: normalises over axis ${axis}, not the hidden axis (-1).`);
    const [, gamma, beta] = fused.input ?? [];
    if (!beta) throw new Error(`${fused.name}: has no bias (beta) input.`);
    found = { gamma, beta, eps: floatAttribute(fused, 'epsilon') ?? 1e-5, output: fused.output?.[0] ?? '', node: fused.name ?? scope };
  } else {
    found = decomposedNorm(index, scope, inScope);
  }
  for (const tensor of [found.gamma, found.beta]) {
    if (!index.initializers.has(tensor)) throw new Error(`${found.node}: its parameter '${tensor}' is not an initializer.`);
    checkDims(index, tensor, [shape.hidden], found.node);
  }
  // eps is stored as float32 in the graph: compare to float32 precision.
  if (Math.abs(found.eps - shape.layerNormEps) > 1e-6 * shape.layerNormEps) {
    throw new Error(`${found.node}: LayerNorm epsilon ${Number(found.eps.toPrecision(7))} in the graph, but config.json's layer_norm_eps is ${shape.layerNormEps}: ` +
      'the config does not match the model; fix layer_norm_eps in config.json.');
  }
  return { tensors: { gamma: found.gamma, beta: found.beta }, output: found.output };
}

/** (x - mean) / sqrt(var + eps) * gamma + beta, written out as opset < 17 exports do. */
function decomposedNorm(index: GraphIndex, scope: string, inScope: NodeProto[]) {
  const sqrt = inScope.find((n) => n.opType === 'Sqrt');
  const epsAdd = sqrt && index.producers.get(sqrt.input?.[0] ?? '');
  const div = sqrt && (index.consumers.get(sqrt.output?.[0] ?? '') ?? []).find((n) => n.opType === 'Div');
  const mul = div && (index.consumers.get(div.output?.[0] ?? '') ?? []).find((n) => n.opType === 'Mul');
  const add = mul && (index.consumers.get(mul.output?.[0] ?? '') ?? []).find((n) => n.opType === 'Add');
  if (!sqrt || epsAdd?.opType !== 'Add' || !div || !mul || !add) {
    throw new Error(missingNodeMessage(index, scope, 'LayerNorm',
      `${scope}/LayerNormalization (opset 17) or the decomposed ${scope}/ReduceMean, Sub, Pow, ReduceMean_1, Add, Sqrt, Div, Mul, Add_1`));
  }
  const other = (node: NodeProto, known: string | undefined) => (node.input ?? []).find((name) => name !== known) ?? '';
  const eps = (epsAdd.input ?? []).map((name) => scalarConstant(index, name)).find((value) => value !== null) ?? null;
  if (eps === null) throw new Error(`${epsAdd.name}: the LayerNorm epsilon is not a constant.`);
  return {
    gamma: other(mul, div.output?.[0]), beta: other(add, mul.output?.[0]), eps,
    output: add.output?.[0] ?? '', node: scope,
  };
}

/** The value of a one-element float tensor given as an initializer or a Constant node; null otherwise. */
function scalarConstant(index: GraphIndex, name: string): number | null {
  const producer = index.producers.get(name);
  const tensor = index.initializers.get(name) ?? (producer?.opType === 'Constant' ? producer.attribute?.find((a) => a.name === 'value')?.t : undefined);
  if (!tensor || tensor.dataType !== onnx.TensorProto.DataType.FLOAT) return null;
  const values = floatValues(tensor, name);
  return values.length === 1 ? values[0] : null;
}

function intAttribute(node: NodeProto, name: string): number | null {
  const attribute = node.attribute?.find((a) => a.name === name);
  return attribute?.i === undefined || attribute.i === null ? null : Number(attribute.i);
}

function floatAttribute(node: NodeProto, name: string): number | null {
  const attribute = node.attribute?.find((a) => a.name === name);
  return attribute?.f === undefined || attribute.f === null ? null : attribute.f;
}

function checkDims(index: GraphIndex, name: string, expected: number[], where: string): void {
  const dims = (index.initializers.get(name)?.dims ?? []).map(Number);
  if (dims.join(',') !== expected.join(',')) {
    throw new Error(`${where}: '${name}' has shape [${dims.join(', ')}], expected [${expected.join(', ')}] from config.json: ` +
      'the config does not match the model.');
  }
}

function noLayersMessage(nodes: NodeProto[]): string {
  const named = nodes.map((n) => n.name ?? '').filter(Boolean);
  const fused = [...new Set(nodes.filter((n) => n.domain === 'com.microsoft').map((n) => n.opType))];
  return `the ONNX graph has no recognisable transformer layers: expected node names like ${EXPECTED_EXAMPLE}; ` +
    (named.length ? `found ${nodes.length} nodes named e.g. ${named.slice(0, 5).map((n) => `'${n}'`).join(', ')}` : `its ${nodes.length} nodes have no names`) +
    (fused.length ? `; it uses onnxruntime's fused ops (${fused.join(', ')}), so it is an optimised export: use the unoptimised fp32 onnx/model.onnx` : '') +
    '. Export the model with Hugging Face Optimum (optimum-cli export onnx --task feature-extraction) to tune its layers.';
}

function missingNodeMessage(index: GraphIndex, scope: string, what: string, expected: string): string {
  const present = index.nodes.filter((n) => n.name?.startsWith(`${scope}/`)).map((n) => `'${n.name}' (${n.opType})`);
  return `no ${what} found under '${scope}/': expected a node like '${expected}'; ` +
    (present.length ? `found ${present.slice(0, 6).join(', ')}${present.length > 6 ? ', ...' : ''}.` : 'no node has that prefix.');
}

/** One layer's weights as fp32 copies of its initializers. */
export function readLayerWeights(model: ModelProto, found: ModelLayers, layer: number): LayerWeights {
  const tensors = found.layers[layer];
  if (!tensors) throw new RangeError(`layer ${layer} does not exist: the model has ${found.layers.length} layers (0..${found.layers.length - 1}).`);
  const initializers = graphIndex(model).initializers;
  const read = (name: string) => {
    const tensor = initializers.get(name);
    if (!tensor) throw new Error(`the model has no initializer '${name}'.`);
    return floatValues(tensor, name);
  };
  const linear = ({ weight, bias }: LinearTensors): Linear => ({ weight: read(weight), bias: read(bias) });
  const norm = ({ gamma, beta }: NormTensors): Norm => ({ gamma: read(gamma), beta: read(beta) });
  return {
    query: linear(tensors.linears.query),
    key: linear(tensors.linears.key),
    value: linear(tensors.linears.value),
    attentionOutput: linear(tensors.linears.attentionOutput),
    attentionNorm: norm(tensors.norms.attentionNorm),
    intermediate: linear(tensors.linears.intermediate),
    output: linear(tensors.linears.output),
    outputNorm: norm(tensors.norms.outputNorm),
  };
}

/** A float32 tensor's values (raw_data, little-endian, or float_data), copied. */
function floatValues(tensor: TensorProto, name: string): Float32Array {
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`'${name}' is stored in an external data file, which the layer tuner does not read: ` +
      'export the model as one model.onnx (under 2 GiB, which every catalog encoder is).');
  }
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT) {
    throw new Error(`'${name}' is not float32 (ONNX data type ${tensor.dataType}): the layer tuner reads the fp32 onnx/model.onnx, not a quantized or fp16 one.`);
  }
  const count = (tensor.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
  const raw = tensor.rawData;
  const values = raw && raw.byteLength
    // A copy: raw_data sits at any byte offset of the file, and callers own what they get.
    ? new Float32Array(copyBytes(raw).buffer, 0, raw.byteLength / 4)
    : Float32Array.from(tensor.floatData ?? []);
  if (values.length !== count) throw new Error(`'${name}' holds ${values.length} values, but its shape needs ${count}.`);
  return values;
}

/**
 * The graph cut where layer `firstTuned` (0-based) begins: its only output is HIDDEN_STATES_IN, the
 * hidden state entering that layer, and only the nodes it needs remain (the embeddings and layers
 * 0..firstTuned-1). The graph's inputs stay as they are, so it is fed like the full model.
 */
export function bottomModel(model: ModelProto, found: ModelLayers, firstTuned: number): Uint8Array {
  const layer = found.layers[firstTuned];
  if (!layer) throw new RangeError(`cannot tune from layer ${firstTuned}: the model has layers 0..${found.layers.length - 1}.`);
  const graph = model.graph!;
  const index = graphIndex(model);
  const identity: NodeProto = { name: `${HIDDEN_STATES_IN}/Identity`, opType: 'Identity', input: [layer.hiddenIn], output: [HIDDEN_STATES_IN] };
  // Walk back from the output: every node that the output depends on, kept in graph (topological) order.
  const needed = new Set<NodeProto>();
  const pending = [layer.hiddenIn];
  while (pending.length) {
    const producer = index.producers.get(pending.pop()!);
    if (!producer || needed.has(producer)) continue;
    needed.add(producer);
    pending.push(...(producer.input ?? []).filter(Boolean));
  }
  const nodes = [...index.nodes.filter((n) => needed.has(n)), identity];
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  const output = onnx.ValueInfoProto.create({
    name: HIDDEN_STATES_IN,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }, { dimValue: found.shape.hidden }] } } },
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    ...model,
    graph: {
      ...graph,
      node: nodes,
      initializer: (graph.initializer ?? []).filter((t) => used.has(t.name ?? '')),
      valueInfo: (graph.valueInfo ?? []).filter((v) => used.has(v.name ?? '')),
      output: [output],
    },
  })).finish();
}

/**
 * What tuning the top `layers` layers starts from, shared by the lab worker and the command line:
 * the model file's weights of those layers (bottom first) and the graph of the layers below them
 * (bottomModel). The caller checks 1 <= layers <= L first, in its own words (a flag, a field).
 */
export function splitForTuning(model: ModelProto, found: ModelLayers, layers: number): { firstTuned: number; initial: LayerWeights[]; bottom: Uint8Array } {
  const firstTuned = found.layers.length - layers;
  const initial = Array.from({ length: layers }, (_, k) => readLayerWeights(model, found, firstTuned + k));
  return { firstTuned, initial, bottom: bottomModel(model, found, firstTuned) };
}

/**
 * The original model file with the tuned layers' weights written over their initializers' bytes:
 * the tensors keep their place and size in the file, so every other byte is the original's.
 */
export function exportTunedModel(originalBytes: Uint8Array, found: ModelLayers, tuned: ReadonlyMap<number, LayerWeights>): Uint8Array {
  const replacements = new Map<string, Float32Array>();
  for (const [layer, weights] of tuned) {
    const tensors = found.layers[layer];
    if (!tensors) throw new RangeError(`cannot export layer ${layer}: the model has layers 0..${found.layers.length - 1}.`);
    for (const name of LINEAR_NAMES) {
      replacements.set(tensors.linears[name].weight, weights[name].weight);
      replacements.set(tensors.linears[name].bias, weights[name].bias);
    }
    for (const name of NORM_NAMES) {
      replacements.set(tensors.norms[name].gamma, weights[name].gamma);
      replacements.set(tensors.norms[name].beta, weights[name].beta);
    }
  }
  const out = copyBytes(originalBytes);
  for (const { name, data } of initializerData(originalBytes)) {
    const values = replacements.get(name);
    if (!values) continue;
    if (values.byteLength !== data.end - data.start) {
      throw new Error(`tuned '${name}' has ${values.length} values, the model's tensor ${(data.end - data.start) / 4}.`);
    }
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), data.start);
    replacements.delete(name);
  }
  if (replacements.size) throw new Error(`the model file has no float data in place for ${[...replacements.keys()].join(', ')}.`);
  return out;
}

/** A fresh copy (a Node Buffer's `slice` would return a view of the same memory). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

// Protobuf field numbers (onnx.proto): ModelProto.graph, GraphProto.initializer, TensorProto.name,
// raw_data and float_data (packed: 4 little-endian bytes a value, like raw_data).
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const TENSOR_FLOAT_DATA = 4;

interface ByteRange { start: number; end: number }

/** Each initializer's name and where its float bytes lie in the serialised model. */
function initializerData(bytes: Uint8Array): Array<{ name: string; data: ByteRange }> {
  const found: Array<{ name: string; data: ByteRange }> = [];
  const decoder = new TextDecoder();
  for (const graph of fields(bytes, { start: 0, end: bytes.length })) {
    if (graph.field !== MODEL_GRAPH || !graph.bytes) continue;
    for (const initializer of fields(bytes, graph.bytes)) {
      if (initializer.field !== GRAPH_INITIALIZER || !initializer.bytes) continue;
      let name = '';
      let data: ByteRange | null = null;
      for (const part of fields(bytes, initializer.bytes)) {
        if (part.field === TENSOR_NAME && part.bytes) name = decoder.decode(bytes.subarray(part.bytes.start, part.bytes.end));
        if ((part.field === TENSOR_RAW_DATA || part.field === TENSOR_FLOAT_DATA) && part.bytes && part.bytes.end > part.bytes.start) data = part.bytes;
      }
      if (data) found.push({ name, data });
    }
  }
  return found;
}

/** The fields of one protobuf message in `range`: number, and for length-delimited ones the payload's range. */
function* fields(bytes: Uint8Array, range: ByteRange): Generator<{ field: number; bytes: ByteRange | null }> {
  let at = range.start;
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= range.end) throw new Error('the ONNX file is cut short (a protobuf varint runs past its message).');
      const byte = bytes[at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < range.end) {
    const key = varint();
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0: varint(); yield { field, bytes: null }; break;
      case 1: at += 8; yield { field, bytes: null }; break;
      case 5: at += 4; yield { field, bytes: null }; break;
      case 2: {
        const length = varint();
        const payload = { start: at, end: at + length };
        if (payload.end > range.end) throw new Error('the ONNX file is cut short (a protobuf field runs past its message).');
        at = payload.end;
        yield { field, bytes: payload };
        break;
      }
      default: throw new Error(`the ONNX file is not a valid protobuf message (wire type ${key & 7} at byte ${at}).`);
    }
  }
}
