/** ONNX models for tests: one that is not an encoder, and rewrites of make-test-model's graph. */
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

/** A model with the encoder's inputs whose only output, named `output`, is the ids cast to float. */
export function castModel(output: string): Uint8Array {
  const int64 = onnx.TensorProto.DataType.INT64;
  const float = onnx.TensorProto.DataType.FLOAT;
  const valueInfo = (name: string, elemType: number) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'b' }, { dimParam: 's' }] } } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'not_an_encoder',
      node: [{ opType: 'Cast', input: ['input_ids'], output: [output], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: float }] }],
      input: [valueInfo('input_ids', int64), valueInfo('attention_mask', int64)],
      output: [valueInfo(output, float)],
    },
  })).finish();
}

/**
 * The model with every LayerNormalization node written out as opset < 17 exports write it, under
 * the same module scope (`<scope>/ReduceMean`, `Sub`, `Pow`, `ReduceMean_1`, `Add`, `Sqrt`, `Div`,
 * `Mul`, `Add_1`; the exponent and eps as Constant nodes): the same function, other nodes.
 */
export function decomposeLayerNorms(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const nodes: OnnxTypes.INodeProto[] = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'LayerNormalization') {
      nodes.push(node);
      continue;
    }
    const scope = node.name!.slice(0, node.name!.lastIndexOf('/'));
    const eps = node.attribute!.find((a) => a.name === 'epsilon')!.f!;
    const [x, gamma, beta] = node.input!;
    const out = (name: string) => `${scope}/${name}_output_0`;
    const axes = { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [-1] };
    const constant = (name: string, value: number) => ({
      name: `${scope}/${name}`, opType: 'Constant', input: [], output: [out(name)],
      attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: FLOAT, dims: [], rawData: new Uint8Array(new Float32Array([value]).buffer) } }],
    });
    nodes.push(
      { name: `${scope}/ReduceMean`, opType: 'ReduceMean', input: [x], output: [out('ReduceMean')], attribute: [axes] },
      { name: `${scope}/Sub`, opType: 'Sub', input: [x, out('ReduceMean')], output: [out('Sub')] },
      constant('Constant', 2),
      { name: `${scope}/Pow`, opType: 'Pow', input: [out('Sub'), out('Constant')], output: [out('Pow')] },
      { name: `${scope}/ReduceMean_1`, opType: 'ReduceMean', input: [out('Pow')], output: [out('ReduceMean_1')], attribute: [axes] },
      constant('Constant_1', eps),
      { name: `${scope}/Add`, opType: 'Add', input: [out('ReduceMean_1'), out('Constant_1')], output: [out('Add')] },
      { name: `${scope}/Sqrt`, opType: 'Sqrt', input: [out('Add')], output: [out('Sqrt')] },
      { name: `${scope}/Div`, opType: 'Div', input: [out('Sub'), out('Sqrt')], output: [out('Div')] },
      { name: `${scope}/Mul`, opType: 'Mul', input: [out('Div'), gamma], output: [out('Mul')] },
      { name: `${scope}/Add_1`, opType: 'Add', input: [out('Mul'), beta], output: node.output!.slice() },
    );
  }
  graph.node = nodes;
  return onnx.ModelProto.encode(model).finish();
}

/** The model with one more graph output, `tensor` (an intermediate value), as float [batch, seq, hidden]. */
export function withExtraOutput(bytes: Uint8Array, tensor: string): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  model.graph!.output!.push(onnx.ValueInfoProto.create({ name: tensor, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  return onnx.ModelProto.encode(model).finish();
}
