/**
 * The runtime sub-worker's handlers: transformers.js on onnxruntime-web, one model at a time
 * (runtime.worker.ts points the libraries at their files and serves these).
 */
import { env } from '@huggingface/transformers';
import { explainModelError } from '../../src/transformers/model-errors';
import { loadTransformerEncoder, type FileProgress, type TransformerEncoder } from '../../src/transformers/transformers-encoder';
import { Throttle, WORKER_PROGRESS_INTERVAL_MS } from '../../src/core/progress';
import type { Service } from '../rpc';
import { type DownloadProgress } from './protocol';
import { packTokens } from '../../src/core/tuning/hidden-states';
import { sourceName, type ModelInfo, type ModelSource, type WebDevice } from '../../src/core/encoders/model-spec';
import type { RuntimeCommand, RuntimeEvent, RuntimeProtocol } from './runtime-protocol';

/** `build`: the onnxruntime-web build this worker loaded, which serves that device alone. */
export function createRuntime(post: (event: RuntimeEvent) => void, build: WebDevice): Service<RuntimeProtocol> {
  let model: TransformerEncoder | null = null;
  return { run };

  async function run(command: Exclude<RuntimeCommand, { type: 'cancel' }>, signal: AbortSignal): Promise<void> {
    if (command.type === 'load') {
      const { spec, device, deviceNote } = command;
      if (device !== build) throw new Error(`This model runtime loaded onnxruntime-web's ${build} build and cannot run a model on ${device}.`);
      await model?.dispose().catch(() => undefined);
      model = null;
      const context = { model: describeSource(spec.source), host: spec.source.kind === 'hub' ? spec.source.host : undefined, dtype: spec.dtype };
      try {
        model = await loadTransformerEncoder(pointTransformersAt(spec.source), {
          dtype: spec.dtype,
          device,
          name: sourceName(spec.source),
          pooling: spec.pooling,
          queryPrefix: spec.queryPrefix,
          passagePrefix: spec.passagePrefix,
          onFileProgress: downloadReporter((progress) => post({ type: 'progress', id: command.id, progress })),
        });
      } catch (error) {
        throw explainModelError(error, context);
      }
      const info: ModelInfo = { name: model.id, dim: model.dim, device, deviceNote, dtype: spec.dtype, maxTokens: model.settings.maxTokens, architecture: model.architecture };
      post({ type: 'loaded', id: command.id, info });
      return;
    }
    if (!model) throw new Error('No model is loaded in the runtime.');
    if (command.type === 'tokenize') {
      post({ type: 'tokenized', id: command.id, tokens: packTokens(model.tokenize(command.texts, command.role)) });
      return;
    }
    const throttle = new Throttle(WORKER_PROGRESS_INTERVAL_MS);
    const embeddings = await model.encode(command.texts, command.role, {
      signal,
      onProgress: (done, total) => {
        if (throttle.due(done === total)) {
          post({ type: 'progress', id: command.id, progress: { phase: 'encode', done, total } });
        }
      },
    });
    post({ type: 'encoded', id: command.id, embeddings });
  }
}

/**
 * transformers.js's `env` is global: set where files come from right before a load. Returns the
 * id to load. Local sources never fall through to the hub.
 */
function pointTransformersAt(source: ModelSource): string {
  env.localModelPath = '/models/';
  switch (source.kind) {
    case 'hub':
      env.allowRemoteModels = true;
      env.allowLocalModels = false;
      env.remoteHost = source.host.endsWith('/') ? source.host : `${source.host}/`;
      return source.id;
    case 'served':
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      return source.name;
    case 'picked':
      // Staged in the Cache API under /models/picked/<key>/, where transformers.js looks first.
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      return `picked/${source.key}`;
  }
}

function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case 'hub':
      return source.id;
    case 'served':
      return `the served folder models/${source.name}`;
    case 'picked':
      return `the picked folder ${source.name}`;
  }
}

/** Collects transformers.js's per-file events into one throttled progress with every file's bytes. */
function downloadReporter(report: (progress: DownloadProgress) => void): (event: FileProgress) => void {
  const files: DownloadProgress['files'] = {};
  const throttle = new Throttle(WORKER_PROGRESS_INTERVAL_MS);
  return (event) => {
    if (!event.file || (event.status !== 'progress' && event.status !== 'done')) return;
    const previous = files[event.file];
    const total = event.total ?? previous?.total ?? 0;
    const loaded = event.status === 'done' ? Math.max(total, previous?.loaded ?? 0) : (event.loaded ?? 0);
    files[event.file] = { loaded, total };
    if (throttle.due(event.status === 'done')) {
      report({ phase: 'download', file: event.file, loaded, total, files: { ...files } });
    }
  };
}
