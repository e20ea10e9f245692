/**
 * The trainable projection head on top of a frozen encoder's cached embeddings, shared by queries and
 * passages (a Siamese dual encoder, as in the paper), followed by L2 normalisation:
 *
 * - `adapter` (default): a low-rank residual adapter, `z = x + (x·A)·B`, A (dim x rank), B (rank x dim).
 *   B starts at zero, so the untrained head is exactly the identity (the frozen encoder's scores).
 * - `linear`: a full linear map written as a residual, `z = x·(I + D)`, D (dim x dim), starting at 0.
 *   Weight decay pulls D (and the adapter's A, B) towards 0, i.e. towards the frozen encoder.
 *
 * Export format (`serializeHead` / `parseHead`): one JSON document
 *   { "format": "xling-head", "version": 1, "kind": "adapter" | "linear", "dim": d, "rank": r,
 *     "encoder": "<encoder id>", "normalize": true,
 *     "tensors": { "<name>": { "shape": [rows, cols], "dtype": "float32", "data": "<base64>" } } }
 * where data is the tensor's float32 values, little-endian, row-major. Names: adapter `A` [d, r] and
 * `B` [r, d]; linear `D` [d, d]. Apply: z = x + (x·A)·B, or z = x + x·D, then z / ||z||.
 */
import { transpose } from '../linalg/js-matmul';
import { seededRandom } from '../linalg/random';
import type { ScoreMatmulFactory } from '../linalg/types';
import { matmulNN } from './kernels';

export type HeadKind = 'adapter' | 'linear';

export interface ProjectionHead {
  kind: HeadKind;
  dim: number;
  /** Adapter rank; `dim` for the linear head. */
  rank: number;
  /** Encoder whose embeddings the head was trained on (informational; checked on import where known). */
  encoder?: string;
  /** Row-major parameters: adapter A (dim x rank), B (rank x dim); linear D (dim x dim). */
  params: Record<string, Float32Array>;
}

/** Parameter names and shapes of a head kind. */
export function headShapes(kind: HeadKind, dim: number, rank: number): Record<string, [number, number]> {
  return kind === 'adapter' ? { A: [dim, rank], B: [rank, dim] } : { D: [dim, dim] };
}

/**
 * A fresh head equal to the identity map. The adapter's A is Gaussian with variance 1 / rank (so x·A
 * has about unit norm for a unit x) from the seed; B and the linear D are zero.
 */
export function initHead(kind: HeadKind, dim: number, rank: number, seed: number, encoder?: string): ProjectionHead {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`Head dim must be a positive integer, got ${dim}`);
  if (kind === 'adapter' && (!Number.isInteger(rank) || rank < 1 || rank > dim)) {
    throw new RangeError(`Adapter rank must be an integer from 1 to ${dim}, got ${rank}`);
  }
  const r = kind === 'adapter' ? rank : dim;
  const params: Record<string, Float32Array> = {};
  for (const [name, [rows, cols]] of Object.entries(headShapes(kind, dim, r))) params[name] = new Float32Array(rows * cols);
  if (kind === 'adapter') {
    const random = seededRandom(seed ^ 0x5eed);
    const scale = 1 / Math.sqrt(r);
    const A = params.A;
    for (let i = 0; i < A.length; i++) A[i] = scale * gaussian(random);
  }
  return { kind, dim, rank: r, encoder, params };
}

export function cloneHead(head: ProjectionHead): ProjectionHead {
  return { ...head, params: Object.fromEntries(Object.entries(head.params).map(([k, v]) => [k, v.slice()])) };
}

/** Standard normal via Box-Muller (one value per call: simple and reproducible). */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Rows applied per block in applyHead (bounds the scratch memory). */
const APPLY_ROWS = 1024;

/**
 * The head applied to `rows` embeddings (row-major rows x dim), L2-normalised: what evaluation
 * scores. With `matmul` (an onnxruntime backend, say) the products run there: `x·A` is a
 * "score" of x against the rows of Aᵀ, `h·B` of h against the rows of Bᵀ. Without, the JS kernels.
 */
export async function applyHead(
  head: ProjectionHead,
  x: Float32Array,
  rows: number,
  options: { matmul?: ScoreMatmulFactory } = {},
): Promise<Float32Array> {
  const { dim } = head;
  if (x.length !== rows * dim) throw new RangeError(`applyHead: expected ${rows} x ${dim} values, got ${x.length}`);
  const out = new Float32Array(rows * dim);
  const products = await productPlan(head, options.matmul);
  try {
    for (let start = 0; start < rows; start += APPLY_ROWS) {
      const n = Math.min(APPLY_ROWS, rows - start);
      const block = x.subarray(start * dim, (start + n) * dim);
      const delta = await products.delta(block, n);
      for (let t = 0; t < n * dim; t++) out[start * dim + t] = block[t] + delta[t];
    }
  } finally {
    await products.dispose();
  }
  normaliseRows(out, rows, dim);
  return out;
}

/** How applyHead computes the residual `delta(x)` for a block of rows. */
async function productPlan(head: ProjectionHead, matmul: ScoreMatmulFactory | undefined) {
  const { dim, rank } = head;
  if (!matmul) {
    let h = new Float32Array(0);
    let d = new Float32Array(0);
    return {
      async delta(x: Float32Array, n: number): Promise<Float32Array> {
        if (d.length < n * dim) d = new Float32Array(n * dim);
        if (head.kind === 'linear') {
          matmulNN(x, n, dim, head.params.D, dim, d);
        } else {
          if (h.length < n * rank) h = new Float32Array(n * rank);
          matmulNN(x, n, dim, head.params.A, rank, h);
          matmulNN(h, n, rank, head.params.B, dim, d);
        }
        return d;
      },
      async dispose() {},
    };
  }
  if (head.kind === 'linear') {
    const byD = await matmul(transpose(head.params.D, dim, dim), dim, dim);
    return { delta: (x: Float32Array, n: number) => byD.scores(x, n), dispose: () => byD.dispose() };
  }
  const byA = await matmul(transpose(head.params.A, dim, rank), rank, dim);
  const byB = await matmul(transpose(head.params.B, rank, dim), dim, rank);
  return {
    async delta(x: Float32Array, n: number): Promise<Float32Array> {
      const h = (await byA.scores(x, n)).slice(0, n * rank);
      return byB.scores(h, n);
    },
    async dispose() {
      await byA.dispose();
      await byB.dispose();
    },
  };
}

/** Scales each row to unit length in place; zero rows stay zero. */
export function normaliseRows(x: Float32Array, rows: number, dim: number): void {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) s += x[j] * x[j];
    if (s > 0) {
      const scale = 1 / Math.sqrt(s);
      for (let j = i * dim; j < (i + 1) * dim; j++) x[j] *= scale;
    }
  }
}

export interface SerializedHead {
  format: 'xling-head';
  version: 1;
  kind: HeadKind;
  dim: number;
  rank: number;
  encoder?: string;
  normalize: true;
  tensors: Record<string, { shape: [number, number]; dtype: 'float32'; data: string }>;
}

/** The export format described at the top of this file, as a JSON string. */
export function serializeHead(head: ProjectionHead): string {
  const tensors: SerializedHead['tensors'] = {};
  for (const [name, shape] of Object.entries(headShapes(head.kind, head.dim, head.rank))) {
    tensors[name] = { shape, dtype: 'float32', data: float32ToBase64(head.params[name]) };
  }
  const doc: SerializedHead = { format: 'xling-head', version: 1, kind: head.kind, dim: head.dim, rank: head.rank, encoder: head.encoder, normalize: true, tensors };
  return JSON.stringify(doc);
}

/** Reads an exported head; throws an Error saying what is wrong with the document. */
export function parseHead(text: string, expect: { dim?: number; encoder?: string } = {}): ProjectionHead {
  let doc: SerializedHead;
  try {
    doc = JSON.parse(text) as SerializedHead;
  } catch {
    throw new Error('Not a head file: it is not JSON');
  }
  if (doc?.format !== 'xling-head') throw new Error('Not a head file: "format" must be "xling-head"');
  if (doc.version !== 1) throw new Error(`Head file version ${doc.version} is not supported (expected 1)`);
  if (doc.kind !== 'adapter' && doc.kind !== 'linear') throw new Error(`Head kind must be "adapter" or "linear", got ${JSON.stringify(doc.kind)}`);
  if (!Number.isInteger(doc.dim) || doc.dim < 1 || !Number.isInteger(doc.rank) || doc.rank < 1) throw new Error('Head "dim" and "rank" must be positive integers');
  if (expect.dim !== undefined && doc.dim !== expect.dim) throw new Error(`The head is for ${doc.dim}-dimensional embeddings, the encoder gives ${expect.dim}`);
  if (expect.encoder !== undefined && doc.encoder !== undefined && doc.encoder !== expect.encoder) {
    throw new Error(`The head was trained on encoder "${doc.encoder}", not "${expect.encoder}"`);
  }
  const params: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(headShapes(doc.kind, doc.dim, doc.rank))) {
    const tensor = doc.tensors?.[name];
    if (!tensor) throw new Error(`Head tensor "${name}" is missing`);
    if (tensor.dtype !== 'float32' || tensor.shape?.[0] !== shape[0] || tensor.shape?.[1] !== shape[1]) {
      throw new Error(`Head tensor "${name}" must be float32 of shape [${shape.join(', ')}]`);
    }
    const values = base64ToFloat32(tensor.data);
    if (values.length !== shape[0] * shape[1]) throw new Error(`Head tensor "${name}" has ${values.length} values, expected ${shape[0] * shape[1]}`);
    params[name] = values;
  }
  return { kind: doc.kind, dim: doc.dim, rank: doc.rank, encoder: doc.encoder, params };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Little-endian float32 bytes as base64 (no Buffer/btoa: the core runs everywhere). */
export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    parts.push(B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (left > 1 ? B64[(n >> 6) & 63] : '=') + (left > 2 ? B64[n & 63] : '='));
  }
  return parts.join('');
}

export function base64ToFloat32(text: string): Float32Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('Head tensor data is not base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n = (B64.indexOf(text[i]) << 18) | (B64.indexOf(text[i + 1]) << 12) | (Math.max(0, B64.indexOf(text[i + 2])) << 6) | Math.max(0, B64.indexOf(text[i + 3]));
    if (o < bytes.length) bytes[o++] = (n >> 16) & 255;
    if (o < bytes.length) bytes[o++] = (n >> 8) & 255;
    if (o < bytes.length) bytes[o++] = n & 255;
  }
  if (bytes.length % 4 !== 0) throw new Error('Head tensor data is not a whole number of float32 values');
  const view = new DataView(bytes.buffer);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
