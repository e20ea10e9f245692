import onnxProto from 'onnx-proto';
import type * as OrtCommon from 'onnxruntime-common';
import type { ScoreMatmulFactory } from './types';

const { onnx } = onnxProto;

/** What the backend needs from an onnxruntime module: onnxruntime-node and onnxruntime-web both fit. */
export type OrtLike = Pick<typeof OrtCommon, 'InferenceSession' | 'Tensor'>;

export interface OrtMatmulOptions {
  /** e.g. ['cpu'] (node), ['wasm'] or ['webgpu', 'wasm'] (web); the runtime's default when absent. */
  executionProviders?: string[];
  /** Intra-op threads; the runtime's default when absent. */
  threads?: number;
}

/**
 * A backend that runs `S = Q · Cᵀ` as a one-node ONNX graph (`Gemm(q, c, transB = 1)`, dynamic
 * sizes) on whichever onnxruntime the caller passes, so the core never imports a runtime itself.
 * The candidate tensor is made once per factory call and fed to every run.
 */
export function ortMatmul(ort: OrtLike, options: OrtMatmulOptions = {}): ScoreMatmulFactory {
  return async (candidates, candidateCount, dim) => {
    const sessionOptions: OrtCommon.InferenceSession.SessionOptions = {};
    if (options.executionProviders) sessionOptions.executionProviders = options.executionProviders;
    if (options.threads !== undefined) sessionOptions.intraOpNumThreads = options.threads;
    const session = await ort.InferenceSession.create(scoreModelBytes(), sessionOptions);
    const c = new ort.Tensor('float32', candidates, [candidateCount, dim]);
    return {
      async scores(queries, rows) {
        const q = new ort.Tensor('float32', queries.subarray(0, rows * dim), [rows, dim]);
        const { s } = await session.run({ q, c });
        return s.data as Float32Array;
      },
      async dispose() {
        await session.release();
      },
    };
  };
}

let modelBytes: Uint8Array | undefined;

/** The serialised graph `s[m, n] = Gemm(q[m, d], c[n, d], transB = 1)`, opset 17. */
function scoreModelBytes(): Uint8Array {
  if (modelBytes) return modelBytes;
  const float = onnx.TensorProto.DataType.FLOAT;
  const valueInfo = (name: string, dims: string[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: float, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } },
    });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'xling-lab',
    graph: {
      name: 'scores',
      node: [
        {
          opType: 'Gemm',
          input: ['q', 'c'],
          output: ['s'],
          attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
        },
      ],
      input: [valueInfo('q', ['m', 'd']), valueInfo('c', ['n', 'd'])],
      output: [valueInfo('s', ['m', 'n'])],
    },
  });
  modelBytes = onnx.ModelProto.encode(model).finish();
  return modelBytes;
}
