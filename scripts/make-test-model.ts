/**
 * Writes a tiny, offline, XLM-R-shaped ONNX sentence encoder in transformers.js model-folder layout
 * (design.md, "Command line"): tests and benchmarks need a neural encoder and no model hub is reachable.
 *
 *   npm run make-test-model -- <folder> [--layers 2] [--hidden 32] [--heads H] [--intermediate 4H]
 *                                       [--layer-norm-eps 1e-5] [--vocab-size V] [--seed 1]
 *                                       [--corpus ../shared/data/xquad-r]
 *
 * A MiniLM-L12-shaped model (paraphrase-multilingual-MiniLM-L12-v2's layer sizes, with this
 * script's small vocabulary):
 *
 *   npm run make-test-model -- <folder> --layers 12 --hidden 384 --heads 12 --intermediate 1536 --layer-norm-eps 1e-12
 *
 * <folder>/config.json            model_type "xlm-roberta" and its sizes
 * <folder>/tokenizer.json         a Hugging Face Unigram tokenizer: XLM-R's special tokens (<s> 0,
 *                                 <pad> 1, </s> 2, <unk> 3), Metaspace pre-tokenizer, <s> ... </s>
 * <folder>/tokenizer_config.json
 * <folder>/onnx/model.onnx        input_ids, attention_mask (int64 [batch, seq]) ->
 *                                 last_hidden_state (float32 [batch, seq, hidden])
 * <folder>/onnx/model_quantized.onnx  the same model, dynamic int8 as transformers.js's q8 exports
 *                                 (scripts/quantize-q8.ts)
 *
 * The vocabulary is every character of the corpus (so every language tokenises without <unk>) plus
 * its most frequent words. The network is a post-LayerNorm transformer like XLM-R's (word + position
 * embeddings, then layers of masked multi-head attention and a GELU feed-forward block) with seeded
 * random weights: same options, same bytes. `--vocab-size` pads the embedding table with random
 * rows so that a benchmark can have XLM-R's real table size (250002) without its vocabulary.
 *
 * Node and initializer names follow what Hugging Face Optimum (torch.onnx.export of a transformers
 * BertModel / XLMRobertaModel) writes, so that code finding layers by name (src/core/tuning/
 * onnx-layers.ts) is tested against the real naming: nodes are named by module path and op type
 * (`/encoder/layer.3/attention/self/query/MatMul`, a `_1`, `_2` ... suffix for repeats in one
 * module), each node's output is `<node name>_output_0`, biases and LayerNorm parameters keep their
 * PyTorch parameter names (`encoder.layer.3.attention.self.query.bias`,
 * `encoder.layer.3.output.LayerNorm.weight`), MatMul weights (PyTorch's transposed nn.Linear weight)
 * are `onnx::MatMul_<n>`, and a linear's bias Add reads the bias first, as torch's `linear` symbolic
 * writes it. Source: the node and tensor names of real Optimum BERT-family exports as listed in
 * public ONNX tooling (e.g. `/tulrv6/encoder/layer.0/attention/self/query/MatMul`,
 * `onnx::MatMul_2195`, `tulrv6.encoder.layer.0.attention.self.query.bias`,
 * `/tulrv6/embeddings/LayerNorm/Add_1_output_0` in amd/RyzenAI-SW's pattern files).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { seededRandom } from '../src/core/linalg/random';
import { readDatasetFolder } from '../src/node/read-dataset';
import { quantizeDynamicUint8 } from './quantize-q8';

const { onnx } = onnxProto;
type NodeProto = OnnxTypes.INodeProto;
type TensorProto = OnnxTypes.ITensorProto;

const SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>'] as const;
const [BOS_ID, PAD_ID, EOS_ID, UNK_ID] = [0, 1, 2, 3];
const METASPACE = '\u2581';
/** XLM-R's positions start after padding_idx (1), so its 514 positions hold 512 tokens. */
const POSITION_OFFSET = PAD_ID + 1;
const MAX_TOKENS = 512;
const DEFAULT_LAYER_NORM_EPS = 1e-5;
const FREQUENT_WORDS = 3000;

interface ModelShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabSize: number;
  layerNormEps: number;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      layers: { type: 'string', default: '2' },
      hidden: { type: 'string', default: '32' },
      heads: { type: 'string' },
      intermediate: { type: 'string' },
      'layer-norm-eps': { type: 'string', default: String(DEFAULT_LAYER_NORM_EPS) },
      'vocab-size': { type: 'string' },
      seed: { type: 'string', default: '1' },
      corpus: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/xquad-r') },
    },
  });
  const folder = positionals[0];
  if (!folder || positionals.length > 1) throw new Error('usage: npm run make-test-model -- <folder> [--layers N] [--hidden H] [--heads A] [--intermediate I] [--layer-norm-eps E] [--vocab-size V] [--seed S] [--corpus DIR]');
  const layers = positiveInteger('--layers', values.layers);
  const hidden = positiveInteger('--hidden', values.hidden);
  // XLM-R-like head size 32 for wide models; at least two heads so the split-heads path is exercised.
  const heads = values.heads === undefined ? Math.max(2, Math.floor(hidden / 32)) : positiveInteger('--heads', values.heads);
  if (hidden % heads !== 0) throw new Error(`--hidden (${hidden}) must be a multiple of the number of heads (${heads}).`);
  const intermediate = values.intermediate === undefined ? 4 * hidden : positiveInteger('--intermediate', values.intermediate);
  const layerNormEps = Number(values['layer-norm-eps']);
  if (!(layerNormEps > 0 && layerNormEps < 1)) throw new Error(`--layer-norm-eps must be a number in (0, 1), e.g. 1e-12, got '${values['layer-norm-eps']}'.`);
  const seed = positiveInteger('--seed', values.seed);

  const vocabulary = await buildVocabulary(values.corpus);
  const vocabSize = values['vocab-size'] === undefined ? vocabulary.length : positiveInteger('--vocab-size', values['vocab-size']);
  if (vocabSize < vocabulary.length) throw new Error(`--vocab-size must be at least the tokenizer's ${vocabulary.length} pieces, got ${vocabSize}.`);
  const shape: ModelShape = { layers, hidden, heads, intermediate, vocabSize, layerNormEps };

  await mkdir(join(folder, 'onnx'), { recursive: true });
  const model = buildModel(shape, seed);
  await Promise.all([
    writeFile(join(folder, 'config.json'), JSON.stringify(configJson(shape), null, 2)),
    writeFile(join(folder, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocabulary))),
    writeFile(join(folder, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson(), null, 2)),
    writeFile(join(folder, 'onnx', 'model.onnx'), model),
    writeFile(join(folder, 'onnx', 'model_quantized.onnx'), quantizeDynamicUint8(model)),
  ]);
  process.stderr.write(`wrote ${folder}: ${layers} layers, hidden ${hidden}, ${heads} heads, intermediate ${intermediate}, ` +
    `${vocabulary.length} tokenizer pieces, embedding rows ${vocabSize}, model ${(model.byteLength / 2 ** 20).toFixed(1)} MiB\n`);
}

/** Unigram pieces with log-probability scores: special tokens, then words and characters by frequency. */
async function buildVocabulary(corpus: string): Promise<Array<[string, number]>> {
  const dataset = await readDatasetFolder(corpus);
  const texts = [...dataset.queries.map((q) => q.text), ...dataset.candidates.map((c) => c.text)];
  const words = new Map<string, number>();
  const chars = new Map<string, number>();
  for (const text of texts) {
    for (const word of text.normalize('NFKC').split(/\s+/u).filter(Boolean)) {
      const piece = METASPACE + word;
      words.set(piece, (words.get(piece) ?? 0) + 1);
      for (const char of word) chars.set(char, (chars.get(char) ?? 0) + 1);
    }
  }
  chars.set(METASPACE, words.size ? [...words.values()].reduce((a, b) => a + b, 0) : 1);
  // Ties broken by the piece itself so that the vocabulary (and every id) is reproducible.
  const byFrequency = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const frequentWords = [...words].filter(([piece]) => [...piece].length > 2).sort(byFrequency).slice(0, FREQUENT_WORDS);
  const pieces = [...frequentWords, ...[...chars].sort(byFrequency)];
  const total = pieces.reduce((sum, [, count]) => sum + count, 0);
  return [
    ...SPECIAL_TOKENS.map((token): [string, number] => [token, 0]),
    ...pieces.map(([piece, count]): [string, number] => [piece, Math.log(count / total)]),
  ];
}

function tokenizerJson(vocabulary: Array<[string, number]>) {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'NFKC' },
    pre_tokenizer: { type: 'Metaspace', replacement: METASPACE, prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: {
        '<s>': { id: '<s>', ids: [BOS_ID], tokens: ['<s>'] },
        '</s>': { id: '</s>', ids: [EOS_ID], tokens: ['</s>'] },
      },
    },
    decoder: { type: 'Metaspace', replacement: METASPACE, prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: UNK_ID, vocab: vocabulary, byte_fallback: false },
  };
}

function tokenizerConfigJson() {
  return {
    tokenizer_class: 'XLMRobertaTokenizer',
    model_max_length: MAX_TOKENS,
    bos_token: '<s>', eos_token: '</s>', cls_token: '<s>', sep_token: '</s>', pad_token: '<pad>', unk_token: '<unk>',
    clean_up_tokenization_spaces: true,
  };
}

function configJson(shape: ModelShape) {
  return {
    architectures: ['XLMRobertaModel'],
    model_type: 'xlm-roberta',
    vocab_size: shape.vocabSize,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    hidden_act: 'gelu',
    max_position_embeddings: MAX_TOKENS + POSITION_OFFSET,
    type_vocab_size: 1,
    layer_norm_eps: shape.layerNormEps,
    bos_token_id: BOS_ID,
    pad_token_id: PAD_ID,
    eos_token_id: EOS_ID,
    position_embedding_type: 'absolute',
  };
}

/** The serialised ONNX model (opset 17, which has LayerNormalization). */
function buildModel(shape: ModelShape, seed: number): Uint8Array {
  const graph = new GraphBuilder(seededRandom(seed), shape.layerNormEps);
  const { hidden, heads } = shape;
  const headSize = hidden / heads;

  // Embeddings: word rows by id, plus positions POSITION_OFFSET .. seq + POSITION_OFFSET - 1.
  const words = graph.node('/embeddings/word_embeddings', 'Gather', [graph.weights('embeddings.word_embeddings.weight', [shape.vocabSize, hidden], 1), 'input_ids']);
  const seqLength = graph.node('/embeddings', 'Gather', [graph.node('/embeddings', 'Shape', ['input_ids']), graph.int64('one_index', [], [1])]);
  const offset = graph.int64('position_offset', [], [POSITION_OFFSET]);
  const positionIds = graph.node('/embeddings', 'Range', [offset, graph.node('/embeddings', 'Add', [seqLength, offset]), graph.int64('one', [], [1])]);
  const positions = graph.node('/embeddings/position_embeddings', 'Gather',
    [graph.weights('embeddings.position_embeddings.weight', [MAX_TOKENS + POSITION_OFFSET, hidden], 1), positionIds]);
  let state = graph.layerNorm('/embeddings', 'embeddings', graph.node('/embeddings', 'Add', [words, positions]), hidden);

  // Additive attention bias [batch, 1, 1, seq]: 0 for tokens, a large negative number for padding,
  // so padded keys get exactly zero weight and a text's embedding does not depend on its batch.
  const mask = graph.node('', 'Cast', ['attention_mask'], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }]);
  const maskBias = graph.node('', 'Unsqueeze', [
    graph.node('', 'Mul', [graph.node('', 'Sub', [graph.float('one_f', [1]), mask]), graph.float('mask_min', [-1e9])]),
    graph.int64('mask_axes', [2], [1, 2]),
  ]);
  const splitHeads = graph.int64('split_heads', [4], [0, 0, heads, headSize]);
  const mergeHeads = graph.int64('merge_heads', [3], [0, 0, hidden]);
  const scale = graph.float('attention_scale', [1 / Math.sqrt(headSize)]);

  for (let layer = 0; layer < shape.layers; layer++) {
    const module = `encoder.layer.${layer}`;
    const scope = `/encoder/layer.${layer}`;
    const self = `${scope}/attention/self`;
    // y = x W + b as torch exports nn.Linear: MatMul with the transposed weight, then Add(bias, product).
    const project = (path: string, input: string, inSize: number, outSize: number) => {
      const product = graph.node(`${scope}/${path}`, 'MatMul', [input, graph.matMulWeights([inSize, outSize], 1 / Math.sqrt(inSize))]);
      return graph.node(`${scope}/${path}`, 'Add', [graph.weights(`${module}.${path.replaceAll('/', '.')}.bias`, [outSize], 0.02), product]);
    };
    const toHeads = (name: string, perm: number[]) =>
      graph.node(self, 'Transpose', [graph.node(self, 'Reshape', [project(`attention/self/${name}`, state, hidden, hidden), splitHeads])], [ints('perm', perm)]);
    const query = toHeads('query', [0, 2, 1, 3]);
    const keyT = toHeads('key', [0, 2, 3, 1]);
    const value = toHeads('value', [0, 2, 1, 3]);
    const scores = graph.node(self, 'Add', [graph.node(self, 'Mul', [graph.node(self, 'MatMul', [query, keyT]), scale]), maskBias]);
    const weights = graph.node(self, 'Softmax', [scores], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }]);
    const context = graph.node(self, 'Reshape', [graph.node(self, 'Transpose', [graph.node(self, 'MatMul', [weights, value])], [ints('perm', [0, 2, 1, 3])]), mergeHeads]);
    state = graph.layerNorm(`${scope}/attention/output`, `${module}.attention.output`,
      graph.node(`${scope}/attention/output`, 'Add', [project('attention/output/dense', context, hidden, hidden), state]), hidden);

    const inner = project('intermediate/dense', state, hidden, shape.intermediate);
    // GELU, erf form: 0.5 x (1 + erf(x / sqrt 2)).
    const act = `${scope}/intermediate/intermediate_act_fn`;
    const gelu = graph.node(act, 'Mul', [graph.node(act, 'Mul', [inner, graph.float('half', [0.5])]),
      graph.node(act, 'Add', [graph.node(act, 'Erf', [graph.node(act, 'Mul', [inner, graph.float('inv_sqrt2', [Math.SQRT1_2])])]), graph.float('one_f', [1])])]);
    state = graph.layerNorm(`${scope}/output`, `${module}.output`,
      graph.node(`${scope}/output`, 'Add', [project('output/dense', gelu, shape.intermediate, hidden), state]), hidden);
  }
  graph.rename(state, 'last_hidden_state');

  const int64 = onnx.TensorProto.DataType.INT64;
  const float = onnx.TensorProto.DataType.FLOAT;
  const valueInfo = (name: string, elemType: number, dims: string[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'xling-lab make-test-model',
    graph: {
      name: 'xlm_roberta_test_encoder',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo('input_ids', int64, ['batch', 'sequence']), valueInfo('attention_mask', int64, ['batch', 'sequence'])],
      output: [valueInfo('last_hidden_state', float, ['batch', 'sequence', String(hidden)])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function ints(name: string, values: number[]) {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

/** Collects nodes and initializers, named as torch.onnx.export names them (see the header). */
class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly constants = new Set<string>();
  /** Node names used so far: a repeated `<scope>/<op>` gets `_1`, `_2`, ... as in torch exports. */
  private readonly nodeNames = new Map<string, number>();
  private matMulWeightCount = 0;

  constructor(private readonly random: () => number, private readonly layerNormEps: number) {}

  /** Adds a node named after its module scope and op type; returns its one output, `<name>_output_0`. */
  node(scope: string, opType: string, input: string[], attribute: OnnxTypes.IAttributeProto[] = []): string {
    const base = `${scope}/${opType}`;
    const seen = this.nodeNames.get(base) ?? 0;
    this.nodeNames.set(base, seen + 1);
    const name = seen ? `${base}_${seen}` : base;
    const output = `${name}_output_0`;
    this.nodes.push({ name, opType, input, output: [output], attribute });
    return output;
  }

  /** Renames the output of the node that produced `from`, e.g. to give the graph output its name. */
  rename(from: string, to: string): void {
    const producer = this.nodes.find((n) => n.output?.[0] === from);
    if (!producer) throw new Error(`no node produces ${from}`);
    producer.output = [to];
  }

  /** A MatMul's weight initializer: torch names these by a value number, `onnx::MatMul_<n>`. */
  matMulWeights(dims: number[], std: number): string {
    return this.weights(`onnx::MatMul_${this.matMulWeightCount++}`, dims, std);
  }

  /** Seeded Gaussian weights with standard deviation `std`. */
  weights(name: string, dims: number[], std: number): string {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i += 2) {
      // Box-Muller gives two independent normals per pair of uniforms.
      const radius = std * Math.sqrt(-2 * Math.log(1 - this.random()));
      const angle = 2 * Math.PI * this.random();
      values[i] = radius * Math.cos(angle);
      if (i + 1 < values.length) values[i + 1] = radius * Math.sin(angle);
    }
    return this.tensor(name, onnx.TensorProto.DataType.FLOAT, dims, new Uint8Array(values.buffer));
  }

  float(name: string, values: number[]): string {
    if (this.constants.has(name)) return name;
    this.constants.add(name);
    return this.tensor(name, onnx.TensorProto.DataType.FLOAT, [], new Uint8Array(new Float32Array(values).buffer));
  }

  int64(name: string, dims: number[], values: number[]): string {
    return this.tensor(name, onnx.TensorProto.DataType.INT64, dims, new Uint8Array(BigInt64Array.from(values, BigInt).buffer));
  }

  /** The LayerNorm of a module (`scope` /encoder/layer.0/output, PyTorch path `module` encoder.layer.0.output). */
  layerNorm(scope: string, module: string, input: string, hidden: number): string {
    const gamma = this.tensor(`${module}.LayerNorm.weight`, onnx.TensorProto.DataType.FLOAT, [hidden], new Uint8Array(new Float32Array(hidden).fill(1).buffer));
    const beta = this.tensor(`${module}.LayerNorm.bias`, onnx.TensorProto.DataType.FLOAT, [hidden], new Uint8Array(new Float32Array(hidden).buffer));
    return this.node(`${scope}/LayerNorm`, 'LayerNormalization', [input, gamma, beta], [
      { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 },
      { name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: this.layerNormEps },
    ]);
  }

  /** Raw little-endian bytes, as ONNX specifies (Node's typed arrays are little-endian on every supported CPU). */
  private tensor(name: string, dataType: number, dims: number[], rawData: Uint8Array): string {
    this.initializers.push({ name, dataType, dims, rawData });
    return name;
  }
}

function positiveInteger(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got '${value}'.`);
  return n;
}

main().catch((error: unknown) => {
  console.error(`make-test-model: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
