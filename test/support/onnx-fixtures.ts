/** ONNX models for tests of what is not an encoder. */
import onnxProto from 'onnx-proto';

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
