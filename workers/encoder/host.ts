/**
 * The encoder worker's state and handlers. The model itself runs in a runtime sub-worker
 * (runtime.worker.ts); this side chooses the device, keeps one model configuration loaded (a new one
 * replaces it), runs all model work through one queue so that no two requests ever run into one
 * session at once, keeps embeddings in IndexedDB and models in the Cache API, and replaces the
 * runtime with a WASM one when the WebGPU device is lost mid-run. The runtime is supervised
 * (workers/supervised.ts): one that fails or falls silent ends the request it was running with an
 * error that says so, and a fresh one takes its place.
 */
import { chooseGpu } from '../webgpu';
import { encodeWithCache } from '../../src/core/encoders/cached';
import { Throttle, WORKER_PROGRESS_INTERVAL_MS } from '../../src/core/progress';
import type { SentenceEncoder, TextRole } from '../../src/core/encoders/types';
import { SupervisedClient } from '../supervised';
import { clearEmbeddings, countEmbeddings, embeddingStore } from './embedding-store';
import { clearCachedModel, listCachedModels, stagePickedFolder } from './model-cache';
import { isModelFileError } from '../../src/transformers/model-errors';
import { cachedModelName, type DownloadProgress, type EncodeProgress, type EncoderCommand, type EncoderEvent } from './protocol';
import { modelKey, type DeviceChoice, type ModelInfo, type TransformerSpec, type WebDevice } from '../../src/core/encoders/model-spec';
import { RUNTIME_REPLIES, type RuntimeProtocol } from './runtime-protocol';

type Post = (event: EncoderEvent) => void;
type RuntimeClient = SupervisedClient<RuntimeProtocol>;

interface LoadedModel {
  key: string;
  runtime: RuntimeClient;
  info: ModelInfo;
  /** Why the runtime holding it stopped; a request between two of its calls then ends with this. */
  lost: string | null;
}

/**
 * The runtime runs a batch of a large model on WASM, or creates its session, on its own thread:
 * tens of seconds with no answer to a ping while it works; idle, it answers at once. Uncaught
 * errors there are noticed at once (onerror).
 */
const RUNTIME_SILENCE_LIMITS_MS = { silenceLimitMs: 15_000, busySilenceLimitMs: 120_000 };

/**
 * A runtime for one device: its name tells it which onnxruntime-web build to load (runtimeBuildOf).
 * Two literal constructors, because Vite bundles a worker only from `new Worker(new URL(...))` with
 * static options.
 */
const startRuntimeWorker = (device: WebDevice) =>
  device === 'webgpu'
    ? new Worker(new URL('./runtime.worker.ts', import.meta.url), { type: 'module', name: 'encoder-runtime (webgpu)' })
    : new Worker(new URL('./runtime.worker.ts', import.meta.url), { type: 'module', name: 'encoder-runtime (wasm)' });

/** The handler of every encoder command; `post` answers on the channel the command came from. */
export type EncoderHost = (command: Exclude<EncoderCommand, { type: 'cancel' }>, signal: AbortSignal, post: Post) => Promise<void>;

export function createEncoderHost(): EncoderHost {
  let runtime: RuntimeClient | null = null;
  let runtimeDevice: WebDevice | null = null;
  let loaded: LoadedModel | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs model work one request at a time, in arrival order. */
  function enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  }

  /** The runtime for `device`; one for the other device ends first (each loads its own build). */
  function startRuntime(device: WebDevice): RuntimeClient {
    if (runtime && runtimeDevice === device) return runtime;
    stopRuntime();
    const client: RuntimeClient = new SupervisedClient<RuntimeProtocol>({ start: () => startRuntimeWorker(device), ...RUNTIME_SILENCE_LIMITS_MS }, RUNTIME_REPLIES, 'model runtime');
    // A fresh runtime holds no model: a request that was using it ends, the next one loads it again.
    client.onRestarted = (failure) => {
      if (runtime !== client || !loaded) return;
      loaded.lost = failure;
      loaded = null;
    };
    runtime = client;
    runtimeDevice = device;
    return client;
  }

  /** Ends the runtime and the model in it (and the WebGPU device it held). */
  function stopRuntime(): void {
    runtime?.stop('The model runtime was ended.');
    runtime = null;
    runtimeDevice = null;
    loaded = null;
  }

  async function ensureLoaded(
    spec: TransformerSpec,
    onDownload: (progress: DownloadProgress) => void,
    signal: AbortSignal,
    forced?: { device: WebDevice; note: string },
  ): Promise<LoadedModel> {
    const key = `${modelKey(spec)}|${spec.device}`;
    if (!forced && loaded?.key === key) return loaded;
    loaded = null;
    const { device, note } = forced ?? (await chooseDevice(spec.device, spec.dtype));
    const client = startRuntime(device);
    const call = client.call('load', { spec, device, deviceNote: note }, onDownload);
    try {
      const { info } = await client.cancellable(call, signal);
      loaded = { key, runtime: client, info, lost: null };
      return loaded;
    } catch (error) {
      // A failed load can leave onnxruntime-web unusable in its realm (the next model fails with
      // this one's error): the next load gets a fresh runtime. A damaged file read into the model
      // cache goes too, so that fixing the folder helps; a served folder is read again anyway.
      if (runtime === client) stopRuntime();
      if (spec.source.kind === 'served' || isModelFileError(error)) await clearCachedModel(cachedModelName(spec.source)).catch(() => undefined);
      throw error;
    }
  }

  function runtimeEncoder(model: LoadedModel): SentenceEncoder {
    return {
      id: model.info.name,
      dim: model.info.dim,
      async encode(texts, role, { onProgress, signal } = {}) {
        if (model.lost) throw new Error(model.lost);
        const call = model.runtime.call('encode', { texts, role }, (progress) => onProgress?.(progress.done, progress.total));
        return (await model.runtime.cancellable(call, signal)).embeddings;
      },
    };
  }

  async function encodeCached(model: LoadedModel, spec: TransformerSpec, texts: string[], role: TextRole, signal: AbortSignal, onProgress: (p: Omit<EncodeProgress, 'phase'>) => void) {
    const throttle = new Throttle(WORKER_PROGRESS_INTERVAL_MS);
    return encodeWithCache(runtimeEncoder(model), embeddingStore, modelKey(spec), spec, texts, role, {
      signal,
      onProgress: (progress) => {
        if (throttle.due(progress.done === progress.total)) onProgress(progress);
      },
    });
  }

  async function encode(command: Extract<EncoderCommand, { type: 'encode' }>, signal: AbortSignal, post: Post) {
    const { id, spec, texts, role } = command;
    const onDownload = (progress: DownloadProgress) => post({ type: 'progress', id, progress });
    const onEncode = (progress: Omit<EncodeProgress, 'phase'>) => post({ type: 'progress', id, progress: { phase: 'encode', ...progress } });
    return enqueue(async () => {
      let model = await ensureLoaded(spec, onDownload, signal);
      try {
        return { model, embeddings: await encodeCached(model, spec, texts, role, signal, onEncode) };
      } catch (error) {
        if (model.info.device !== 'webgpu' || signal.aborted) throw error;
        // A lost WebGPU device (driver reset, GPU out of memory, a long background tab) fails the
        // batch that was running and leaves onnxruntime-web unusable in its worker: start a fresh
        // runtime on WASM and go on; the chunks already encoded are in the embedding cache.
        const reason = error instanceof Error ? error.message : String(error);
        const note = `WebGPU failed mid-run (${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}); carried on with WASM.`;
        onEncode({ done: 0, total: texts.length, cached: 0, fallback: note });
        stopRuntime();
        model = await ensureLoaded(spec, onDownload, signal, { device: 'wasm', note });
        return { model, embeddings: await encodeCached(model, spec, texts, role, signal, onEncode) };
      }
    });
  }

  async function handle(command: Exclude<EncoderCommand, { type: 'cancel' }>, signal: AbortSignal, post: Post): Promise<void> {
    switch (command.type) {
      case 'loadModel': {
        const model = await enqueue(() => ensureLoaded(command.spec, (progress) => post({ type: 'progress', id: command.id, progress }), signal));
        post({ type: 'modelLoaded', id: command.id, info: model.info });
        return;
      }
      case 'encode': {
        const { model, embeddings } = await encode(command, signal, post);
        post({ type: 'encoded', id: command.id, embeddings, dim: model.info.dim, info: model.info });
        return;
      }
      case 'tokenize': {
        const { spec, texts, role } = command;
        const tokens = await enqueue(async () => {
          const model = await ensureLoaded(spec, (progress) => post({ type: 'progress', id: command.id, progress }), signal);
          return (await model.runtime.cancellable(model.runtime.call('tokenize', { texts, role }), signal)).tokens;
        });
        post({ type: 'tokenized', id: command.id, tokens });
        return;
      }
      case 'listCache': {
        const [models, embeddings] = await Promise.all([listCachedModels(), countEmbeddings()]);
        post({ type: 'cacheListed', id: command.id, models, embeddings });
        return;
      }
      case 'clearCache':
        await enqueue(async () => {
          stopRuntime();
          await clearCachedModel(command.model);
          await clearEmbeddings(command.model === null ? null : embeddingPrefixOf(command.model));
        });
        post({ type: 'cacheCleared', id: command.id });
        return;
      case 'stagePicked':
        post({ type: 'picked', id: command.id, ...(await stagePickedFolder(command.name, command.files)) });
        return;
    }
  }

  return handle;
}

/** The embedding-cache prefix of a model as the model cache names it (see listCachedModels). */
function embeddingPrefixOf(cacheModel: string): string {
  if (cacheModel.startsWith('picked/')) return `picked:${cacheModel.slice('picked/'.length)}|`;
  if (cacheModel.startsWith('served/')) return `served:${cacheModel.slice('served/'.length)}|`;
  return `hf:${cacheModel}|`;
}

interface GpuAdapterLike {
  features: { has(feature: string): boolean };
}

/**
 * WebGPU when asked for, or on auto when a hardware adapter exists (never a software one on auto:
 * core/devices.ts); fp16 also needs shader-f16.
 */
async function chooseDevice(choice: DeviceChoice, dtype: TransformerSpec['dtype']): Promise<{ device: WebDevice; note: string | null }> {
  const decision = await chooseGpu<GpuAdapterLike>(choice === 'wasm' ? 'cpu' : choice, 'WASM');
  if (!decision.gpu || !decision.adapter) return { device: 'wasm', note: decision.note };
  if (dtype === 'fp16' && !decision.adapter.features.has('shader-f16')) {
    return { device: 'wasm', note: 'This WebGPU adapter has no shader-f16: fp16 runs on WASM.' };
  }
  return { device: 'webgpu', note: decision.note };
}
