/**
 * The training step on WebGPU: the same mathematics as step.ts and the same AdamW as optimizer.ts,
 * as WGSL compute shaders (one tiled matrix product with transpose flags, three row kernels, one
 * AdamW kernel), all of a step's dispatches in one command buffer and one 4-byte-per-pair read-back
 * (the per-pair losses). Parameters, gradients and moments stay on the GPU; `getHead` reads them back.
 *
 * The core stays runtime-neutral: the caller passes a GPUDevice (from `navigator.gpu` in a browser or
 * worker); only the small structural subset of the WebGPU API declared below is used, so no DOM
 * typings are needed. Checked against the CPU trainer and the reference in Chromium (SwiftShader) by
 * test/unit/training-webgpu.test.ts.
 */
import { initHead, type ProjectionHead } from './head';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, learningRateAt } from './optimizer';
import type { HeadTrainer, HeadTrainerFactory } from './trainer';

// --- The subset of WebGPU used here (structural, so any real GPUDevice fits) -----------------------
export interface WgBuffer {
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}
interface WgBindGroupLayout {
  readonly __brand?: 'layout';
}
interface WgPipeline {
  getBindGroupLayout(index: number): WgBindGroupLayout;
}
interface WgPass {
  setPipeline(p: WgPipeline): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
interface WgEncoder {
  beginComputePass(): WgPass;
  copyBufferToBuffer(src: WgBuffer, srcOffset: number, dst: WgBuffer, dstOffset: number, size: number): void;
  finish(): unknown;
}
export interface WgDevice {
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): WgBuffer;
  createShaderModule(d: { code: string }): unknown;
  createComputePipeline(d: { layout: 'auto'; compute: { module: unknown; entryPoint: string } }): WgPipeline;
  createBindGroup(d: { layout: WgBindGroupLayout; entries: Array<{ binding: number; resource: { buffer: WgBuffer } }> }): unknown;
  createCommandEncoder(): WgEncoder;
  readonly queue: { writeBuffer(b: WgBuffer, offset: number, data: ArrayBufferView): void; submit(buffers: unknown[]): void };
  destroy(): void;
}
export interface WgAdapter {
  requestDevice(d?: { requiredLimits?: Record<string, number> }): Promise<WgDevice>;
  readonly limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
}
export interface WgGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<WgAdapter | null>;
}

const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_READ = 0x1;

/** A device with the largest storage buffers the adapter allows (the linear head at 2048 needs 16 MiB). */
export async function requestWebGpuDevice(gpu: WgGpu): Promise<WgDevice> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('WebGPU: no adapter available');
  return deviceOfAdapter(adapter);
}

/** The same, for an adapter already chosen (core/devices.ts decides which may be used). */
export function deviceOfAdapter(adapter: WgAdapter): Promise<WgDevice> {
  return adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
}

// --- Shaders ---------------------------------------------------------------------------------------
const TILE = 16;

/** C[offC + i*N + j] (+)= alpha * Σ_k op(A)[i,k] op(B)[k,j]; op(A) is M x K (stored K x M when transA). */
const MATMUL = /* wgsl */ `
struct Dims { M: u32, N: u32, K: u32, transA: u32, transB: u32, offA: u32, offB: u32, offC: u32, accumulate: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> d: Dims;
var<workgroup> tA: array<f32, ${TILE * TILE}>;
var<workgroup> tB: array<f32, ${TILE * TILE}>;
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let row = g.y;
  let col = g.x;
  var acc = 0.0;
  let tiles = (d.K + ${TILE - 1}u) / ${TILE}u;
  for (var t = 0u; t < tiles; t++) {
    let ka = t * ${TILE}u + l.x;
    var a = 0.0;
    if (row < d.M && ka < d.K) {
      a = A[d.offA + select(row * d.K + ka, ka * d.M + row, d.transA == 1u)];
    }
    tA[l.y * ${TILE}u + l.x] = a;
    let kb = t * ${TILE}u + l.y;
    var b = 0.0;
    if (col < d.N && kb < d.K) {
      b = B[d.offB + select(kb * d.N + col, col * d.K + kb, d.transB == 1u)];
    }
    tB[l.y * ${TILE}u + l.x] = b;
    workgroupBarrier();
    for (var k = 0u; k < ${TILE}u; k++) {
      acc += tA[l.y * ${TILE}u + k] * tB[k * ${TILE}u + l.x];
    }
    workgroupBarrier();
  }
  if (row < d.M && col < d.N) {
    let i = d.offC + row * d.N + col;
    if (d.accumulate == 1u) { C[i] = C[i] + d.alpha * acc; } else { C[i] = d.alpha * acc; }
  }
}`;

const ROW_HEADER = /* wgsl */ `
struct Rows { cols: u32, n: u32, invT: f32, pad: u32 }
var<workgroup> red: array<f32, 256>;
fn reduceSum(l: u32) -> f32 {
  workgroupBarrier();
  for (var w = 128u; w > 0u; w = w >> 1u) {
    if (l < w) { red[l] = red[l] + red[l + w]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}
fn reduceMax(l: u32) -> f32 {
  workgroupBarrier();
  for (var w = 128u; w > 0u; w = w >> 1u) {
    if (l < w) { red[l] = max(red[l], red[l + w]); }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}`;

/** u = z / |z| per row (0 for a zero row); norms[row] = |z|. */
const NORMALISE = /* wgsl */ `${ROW_HEADER}
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read_write> u: array<f32>;
@group(0) @binding(2) var<storage, read_write> norms: array<f32>;
@group(0) @binding(3) var<uniform> p: Rows;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) li: vec3u) {
  let l = li.x;
  let base = wg.x * p.cols;
  var s = 0.0;
  for (var j = l; j < p.cols; j += 256u) { let v = z[base + j]; s += v * v; }
  red[l] = s;
  let norm = sqrt(reduceSum(l));
  let inv = select(0.0, 1.0 / norm, norm > 0.0);
  for (var j = l; j < p.cols; j += 256u) { u[base + j] = z[base + j] * inv; }
  if (l == 0u) { norms[wg.x] = norm; }
}`;

/** Row i of S (n x n, cosine scores): loss_i = lse_i - S_ii/τ; S becomes G = (softmax - I) / (n τ). */
const SOFTMAX_CE = /* wgsl */ `${ROW_HEADER}
@group(0) @binding(0) var<storage, read_write> s: array<f32>;
@group(0) @binding(1) var<storage, read_write> rowLoss: array<f32>;
@group(0) @binding(2) var<uniform> p: Rows;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) li: vec3u) {
  let l = li.x;
  let i = wg.x;
  let base = i * p.n;
  let diag = s[base + i] * p.invT;
  var m = -3.0e38;
  for (var j = l; j < p.n; j += 256u) { m = max(m, s[base + j] * p.invT); }
  red[l] = m;
  let mx = reduceMax(l);
  var t = 0.0;
  for (var j = l; j < p.n; j += 256u) { t += exp(s[base + j] * p.invT - mx); }
  red[l] = t;
  let lse = mx + log(reduceSum(l));
  for (var j = l; j < p.n; j += 256u) {
    let prob = exp(s[base + j] * p.invT - lse);
    s[base + j] = (prob - select(0.0, 1.0, j == i)) * p.invT / f32(p.n);
  }
  if (l == 0u) { rowLoss[i] = lse - diag; }
}`;

/** dz = (du - u (u·du)) / |z| per row, in place in du. */
const NORMALISE_BACKWARD = /* wgsl */ `${ROW_HEADER}
@group(0) @binding(0) var<storage, read> u: array<f32>;
@group(0) @binding(1) var<storage, read> norms: array<f32>;
@group(0) @binding(2) var<storage, read_write> du: array<f32>;
@group(0) @binding(3) var<uniform> p: Rows;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) li: vec3u) {
  let l = li.x;
  let base = wg.x * p.cols;
  var s = 0.0;
  for (var j = l; j < p.cols; j += 256u) { s += u[base + j] * du[base + j]; }
  red[l] = s;
  let dot = reduceSum(l);
  let norm = norms[wg.x];
  let inv = select(0.0, 1.0 / norm, norm > 0.0);
  for (var j = l; j < p.cols; j += 256u) { du[base + j] = (du[base + j] - u[base + j] * dot) * inv; }
}`;

const ADAMW = /* wgsl */ `
struct Adam { len: u32, lr: f32, wd: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32 }
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> a: Adam;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_id) li: vec3u) {
  let i = (wg.y * nw.x + wg.x) * 256u + li.x;
  if (i >= a.len) { return; }
  let g = grad[i];
  let mi = a.b1 * m[i] + (1.0 - a.b1) * g;
  let vi = a.b2 * v[i] + (1.0 - a.b2) * g * g;
  m[i] = mi;
  v[i] = vi;
  let p = param[i];
  param[i] = p - a.lr * ((mi * a.c1) / (sqrt(vi * a.c2) + a.eps)) - a.lr * a.wd * p;
}`;

// --- The trainer -----------------------------------------------------------------------------------
interface Dispatch {
  pipeline: WgPipeline;
  group: unknown;
  x: number;
  y: number;
}

/** A trainer factory running every step on `device`. */
export function webgpuTrainer(device: WgDevice): HeadTrainerFactory {
  return async (settings, dim, encoder): Promise<HeadTrainer> => {
    const initial = initHead(settings.head.kind, dim, settings.head.rank, settings.seed, encoder);
    const { kind, rank } = initial;
    const names = Object.keys(initial.params);
    const pipeline = (code: string) => device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    const pipelines = { matmul: pipeline(MATMUL), normalise: pipeline(NORMALISE), softmax: pipeline(SOFTMAX_CE), backward: pipeline(NORMALISE_BACKWARD), adamw: pipeline(ADAMW) };
    const owned: WgBuffer[] = [];
    const storage = (floats: number, extra = 0) => {
      const b = device.createBuffer({ size: Math.max(16, floats * 4), usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC | extra });
      owned.push(b);
      return b;
    };
    const uniform = (data: ArrayBuffer) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(data.byteLength / 16) * 16), usage: USAGE.UNIFORM | USAGE.COPY_DST });
      owned.push(b);
      device.queue.writeBuffer(b, 0, new Uint8Array(data));
      return b;
    };
    const group = (p: WgPipeline, buffers: WgBuffer[]) =>
      device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });

    const params: Record<string, WgBuffer> = {};
    const grads: Record<string, WgBuffer> = {};
    const moments: Record<string, [WgBuffer, WgBuffer]> = {};
    for (const name of names) {
      const len = initial.params[name].length;
      params[name] = storage(len);
      grads[name] = storage(len);
      moments[name] = [storage(len), storage(len)];
      device.queue.writeBuffer(params[name], 0, initial.params[name]);
    }
    const adamUniforms = Object.fromEntries(names.map((name) => [name, uniform(new ArrayBuffer(32))]));

    /** Buffers and dispatches for batches of n pairs, built once per n. */
    const plans = new Map<number, { x: WgBuffer; z: WgBuffer; rowLoss: WgBuffer; readback: WgBuffer; dispatches: Dispatch[] }>();
    const planFor = (n: number) => {
      let plan = plans.get(n);
      if (plan) return plan;
      const rows = 2 * n;
      const x = storage(rows * dim);
      const z = storage(rows * dim);
      const u = storage(rows * dim);
      const du = storage(rows * dim);
      const norms = storage(rows);
      const s = storage(n * n);
      const rowLoss = storage(n);
      const h = storage(rows * rank);
      const dh = storage(rows * rank);
      const readback = device.createBuffer({ size: Math.max(16, n * 4), usage: USAGE.MAP_READ | USAGE.COPY_DST });
      owned.push(readback);
      const dispatches: Dispatch[] = [];
      const mm = (A: WgBuffer, B: WgBuffer, C: WgBuffer, M: number, N: number, K: number, o: { transA?: boolean; transB?: boolean; offA?: number; offB?: number; offC?: number; accumulate?: boolean } = {}) => {
        const data = new ArrayBuffer(48);
        const ints = new Uint32Array(data);
        ints.set([M, N, K, o.transA ? 1 : 0, o.transB ? 1 : 0, o.offA ?? 0, o.offB ?? 0, o.offC ?? 0, o.accumulate ? 1 : 0]);
        new Float32Array(data)[9] = 1;
        dispatches.push({ pipeline: pipelines.matmul, group: group(pipelines.matmul, [A, B, C, uniform(data)]), x: Math.ceil(N / TILE), y: Math.ceil(M / TILE) });
      };
      const rowsUniform = (cols: number) => {
        const data = new ArrayBuffer(16);
        new Uint32Array(data).set([cols, n]);
        new Float32Array(data)[2] = 1 / settings.temperature;
        return uniform(data);
      };
      // Forward (z already holds a copy of x: see step()).
      if (kind === 'adapter') {
        mm(x, params.A, h, rows, rank, dim);
        mm(h, params.B, z, rows, dim, rank, { accumulate: true });
      } else {
        mm(x, params.D, z, rows, dim, dim, { accumulate: true });
      }
      dispatches.push({ pipeline: pipelines.normalise, group: group(pipelines.normalise, [z, u, norms, rowsUniform(dim)]), x: rows, y: 1 });
      mm(u, u, s, n, n, dim, { transB: true, offB: n * dim });
      dispatches.push({ pipeline: pipelines.softmax, group: group(pipelines.softmax, [s, rowLoss, rowsUniform(n)]), x: n, y: 1 });
      // Backward.
      mm(s, u, du, n, dim, n, { offB: n * dim });
      mm(s, u, du, n, dim, n, { transA: true, offC: n * dim });
      dispatches.push({ pipeline: pipelines.backward, group: group(pipelines.backward, [u, norms, du, rowsUniform(dim)]), x: rows, y: 1 });
      if (kind === 'adapter') {
        mm(h, du, grads.B, rank, dim, rows, { transA: true });
        mm(du, params.B, dh, rows, rank, dim, { transB: true });
        mm(x, dh, grads.A, dim, rank, rows, { transA: true });
      } else {
        mm(x, du, grads.D, dim, dim, rows, { transA: true });
      }
      for (const name of names) {
        const groups = Math.ceil(initial.params[name].length / 256);
        const gx = Math.min(groups, 65535);
        dispatches.push({
          pipeline: pipelines.adamw,
          group: group(pipelines.adamw, [params[name], grads[name], moments[name][0], moments[name][1], adamUniforms[name]]),
          x: gx,
          y: Math.ceil(groups / gx),
        });
      }
      plan = { x, z, rowLoss, readback, dispatches };
      plans.set(n, plan);
      return plan;
    };

    const readFloats = async (source: WgBuffer, floats: number): Promise<Float32Array> => {
      const staging = device.createBuffer({ size: Math.max(16, floats * 4), usage: USAGE.MAP_READ | USAGE.COPY_DST });
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(source, 0, staging, 0, floats * 4);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(MAP_READ);
      const out = new Float32Array(staging.getMappedRange().slice(0, floats * 4));
      staging.unmap();
      staging.destroy();
      return out;
    };

    let t = 0;
    const b1 = settings.optimizer.beta1 ?? ADAM_BETA1;
    const b2 = settings.optimizer.beta2 ?? ADAM_BETA2;
    return {
      backend: 'webgpu',
      async step(inputs, n) {
        const plan = planFor(n);
        const lr = learningRateAt(t, settings.optimizer);
        t++;
        const adam = new ArrayBuffer(32);
        for (const name of names) {
          new Uint32Array(adam)[0] = initial.params[name].length;
          new Float32Array(adam).set([lr, settings.optimizer.weightDecay, b1, b2, settings.optimizer.epsilon ?? ADAM_EPSILON, 1 / (1 - b1 ** t), 1 / (1 - b2 ** t)], 1);
          device.queue.writeBuffer(adamUniforms[name], 0, new Uint8Array(adam));
        }
        device.queue.writeBuffer(plan.x, 0, inputs.subarray(0, 2 * n * dim));
        const encoder = device.createCommandEncoder();
        encoder.copyBufferToBuffer(plan.x, 0, plan.z, 0, 2 * n * dim * 4);
        const pass = encoder.beginComputePass();
        for (const d of plan.dispatches) {
          pass.setPipeline(d.pipeline);
          pass.setBindGroup(0, d.group);
          pass.dispatchWorkgroups(d.x, d.y);
        }
        pass.end();
        encoder.copyBufferToBuffer(plan.rowLoss, 0, plan.readback, 0, n * 4);
        device.queue.submit([encoder.finish()]);
        await plan.readback.mapAsync(MAP_READ);
        const losses = new Float32Array(plan.readback.getMappedRange().slice(0, n * 4));
        plan.readback.unmap();
        let sum = 0;
        for (const l of losses) sum += l;
        return sum / n;
      },
      async getHead(): Promise<ProjectionHead> {
        const out: Record<string, Float32Array> = {};
        for (const name of names) out[name] = await readFloats(params[name], initial.params[name].length);
        return { ...initial, params: out };
      },
      async setHead(head) {
        for (const name of names) device.queue.writeBuffer(params[name], 0, head.params[name]);
      },
      async dispose() {
        for (const b of owned) b.destroy();
        owned.length = 0;
        plans.clear();
      },
    };
  };
}
