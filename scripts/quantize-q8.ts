/**
 * Dynamic int8 quantisation of an fp32 ONNX model, as transformers.js's q8 exports are made
 * (onnxruntime.quantization's ONNXQuantizer in IntegerOps mode, the `quantize_q8` of transformers.js's
 * scripts/quantize.py): weights stored as uint8 per tensor with a float32 scale and a uint8 zero point,
 * activations quantised at run time.
 *
 * - `MatMul(A, W)` with W an initializer (MatMulConstBOnly) becomes
 *   `DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q, A_zp, W_zp) -> Cast(float) -> Mul(A_scale * W_scale)`;
 *   one DynamicQuantizeLinear per activation, shared by the MatMuls that read it (Q, K and V).
 * - `Gather(D, I)` with D an initializer (the embedding tables) gathers from the uint8 table and
 *   dequantises the rows (`DequantizeLinear`).
 *
 * Quantisation parameters are onnxruntime's for asymmetric uint8 (`compute_scale_zp`, reduce_range
 * off): rmin = min(0, min W), rmax = max(0, max W), scale = (rmax - rmin) / 255, zero point =
 * round(-rmin / scale), q = clamp(round(W / scale) + zero point, 0, 255), rounding half to even as
 * NumPy does. transformers.js's current script picks int8 weights for models without Conv; the
 * notebook's catalog models were exported with uint8 weights, which this writes (docs/benchmarks.md).
 */
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;
type TensorProto = OnnxTypes.ITensorProto;
type NodeProto = OnnxTypes.INodeProto;
const { FLOAT, UINT8 } = onnx.TensorProto.DataType;

/** The model's bytes with every constant-weight MatMul and Gather quantised; other nodes unchanged. */
export function quantizeDynamicUint8(modelBytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name!, tensor]));
  const consumers = new Map<string, number>();
  for (const node of graph.node ?? []) for (const input of node.input ?? []) consumers.set(input, (consumers.get(input) ?? 0) + 1);

  const quantized = new Map<string, { values: string; scale: string; zeroPoint: string }>();
  const added: TensorProto[] = [];
  /** W's uint8 tensor, scale and zero point (made once per initializer). */
  const quantizeWeight = (name: string) => {
    const known = quantized.get(name);
    if (known) return known;
    const { values, scale, zeroPoint } = quantizeUint8(floatValues(initializers.get(name)!));
    const names = { values: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point` };
    added.push(
      { name: names.values, dataType: UINT8, dims: initializers.get(name)!.dims, rawData: values },
      { name: names.scale, dataType: FLOAT, dims: [], rawData: new Uint8Array(Float32Array.of(scale).buffer) },
      { name: names.zeroPoint, dataType: UINT8, dims: [], rawData: Uint8Array.of(zeroPoint) },
    );
    quantized.set(name, names);
    return names;
  };
  const dynamicInputs = new Map<string, { values: string; scale: string; zeroPoint: string }>();
  const isFloatWeight = (name: string | undefined) => name !== undefined && initializers.get(name)?.dataType === FLOAT;

  const nodes: NodeProto[] = [];
  for (const node of graph.node ?? []) {
    const [first, second] = node.input ?? [];
    const output = node.output![0];
    if (node.opType === 'MatMul' && isFloatWeight(second) && initializers.get(second)!.dims!.length === 2) {
      let input = dynamicInputs.get(first);
      if (!input) {
        input = { values: `${first}_quantized`, scale: `${first}_scale`, zeroPoint: `${first}_zero_point` };
        nodes.push({ opType: 'DynamicQuantizeLinear', name: `${first}_QuantizeLinear`, input: [first], output: [input.values, input.scale, input.zeroPoint] });
        dynamicInputs.set(first, input);
      }
      const weight = quantizeWeight(second);
      const integer = `${output}_output_quantized`;
      const cast = `${integer}_cast_output`;
      const scales = `${output}_scales_mul`;
      nodes.push(
        { opType: 'MatMulInteger', name: `${output}_quant`, input: [input.values, weight.values, input.zeroPoint, weight.zeroPoint], output: [integer] },
        { opType: 'Cast', name: `${integer}_cast`, input: [integer], output: [cast], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }] },
        { opType: 'Mul', name: `${scales}_node`, input: [input.scale, weight.scale], output: [scales] },
        { opType: 'Mul', name: `${output}_scales_mul_output`, input: [cast, scales], output: [output] },
      );
    } else if (node.opType === 'Gather' && isFloatWeight(first)) {
      const table = quantizeWeight(first);
      const rows = `${output}_quantized`;
      nodes.push(
        { ...node, input: [table.values, second], output: [rows] },
        { opType: 'DequantizeLinear', name: `${output}_DequantizeLinear`, input: [rows, table.scale, table.zeroPoint], output: [output] },
      );
    } else {
      nodes.push(node);
    }
  }
  // Float weights that nothing reads any more are dropped (all of them, in a model whose weights are each read once).
  const stillRead = new Set(nodes.flatMap((node) => node.input ?? []));
  graph.initializer = [...(graph.initializer ?? []).filter((tensor) => !quantized.has(tensor.name!) || stillRead.has(tensor.name!)), ...added];
  graph.node = nodes;
  return onnx.ModelProto.encode(model).finish();
}

function floatValues(tensor: TensorProto): Float32Array {
  const raw = tensor.rawData!;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** onnxruntime's asymmetric uint8 quantisation of one tensor (see the file's comment). */
export function quantizeUint8(data: Float32Array): { values: Uint8Array; scale: number; zeroPoint: number } {
  let rmin = 0;
  let rmax = 0;
  for (const value of data) {
    if (value < rmin) rmin = value;
    if (value > rmax) rmax = value;
  }
  const scale = Math.fround(rmax === rmin ? 1 : (rmax - rmin) / 255);
  const zeroPoint = Math.min(255, Math.max(0, roundHalfEven(-rmin / scale)));
  const values = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = Math.min(255, Math.max(0, roundHalfEven(data[i] / scale) + zeroPoint));
  return { values, scale, zeroPoint };
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}
