/**
 * Exposes the encoder worker to browser tests as `window.encoderProbe`: the worker is the app's own
 * (same module, same protocol, same rpc client), only the page around it is bare.
 */
import { ENCODER_REPLIES, type EncoderProgress, type EncoderProtocol } from '../../../workers/encoder/protocol';
import { type TransformerSpec } from '../../../src/core/encoders/model-spec';
import { connect } from '../../../workers/rpc';
import type { TextRole } from '../../../src/core/encoders/types';

const worker = new Worker(new URL('../../../workers/encoder/encoder.worker.ts', import.meta.url), { type: 'module' });
const client = connect<EncoderProtocol>(worker, ENCODER_REPLIES, 'encoder worker');

const probe = {
  async encode(spec: TransformerSpec, texts: string[], role: TextRole) {
    const progress: EncoderProgress['encode'][] = [];
    const started = performance.now();
    const { embeddings, info } = await client.call('encode', { spec, texts, role }, (p) => progress.push(p)).reply;
    return { embeddings: Array.from(embeddings), info, progress, seconds: (performance.now() - started) / 1000 };
  },
  async load(spec: TransformerSpec) {
    return (await client.call('loadModel', { spec }).reply).info;
  },
  async listCache() {
    const { models, embeddings } = await client.call('listCache', {}).reply;
    return { models, embeddings };
  },
  async clearCache(model: string | null) {
    await client.call('clearCache', { model }).reply;
  },
  /** A model folder as the notebook's picker stages it; files come in as base64 (page.evaluate passes no Blobs). */
  async stagePicked(name: string, files: { path: string; base64: string }[]) {
    const blobs = files.map(({ path, base64 }) => ({ path, blob: new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]) }));
    const { source, dtypes } = await client.call('stagePicked', { name, files: blobs }).reply;
    return { source, dtypes };
  },
};

Object.assign(window, { encoderProbe: probe });
