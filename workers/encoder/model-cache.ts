/**
 * The models kept in the browser: transformers.js's Cache API cache (MODEL_CACHE_NAME), where hub
 * downloads are stored under their URLs and picked folders are staged under /models/picked/<key>/.
 * Listing groups the entries by model; clearing deletes a model's entries.
 */
import type { Dtype } from '../../src/core/encoders/model-folder';
import type { CachedModel } from './protocol';
import type { ModelSource } from '../../src/core/encoders/model-spec';
import { MODEL_CACHE_NAME } from './runtime-protocol';
import { availableDtypes, unusableFolderReason } from '../../src/core/encoders/model-folder';

type PickedSource = Extract<ModelSource, { kind: 'picked' }>;

interface Grouped {
  model: string;
  source: ModelSource | null;
}

/** Which model a cached URL belongs to; null for files that are no model's (the ORT runtime). */
function groupOf(url: URL): Grouped | null {
  const picked = /^\/models\/picked\/([^/]+)\//.exec(url.pathname);
  if (url.origin === self.location.origin && picked) {
    const key = decodeURIComponent(picked[1]);
    return { model: `picked/${key}`, source: { kind: 'picked', key, name: key.replace(/-[0-9a-f]{8}$/, '') } };
  }
  const served = /^\/models\/([^/]+)\//.exec(url.pathname);
  if (url.origin === self.location.origin && served) {
    const name = decodeURIComponent(served[1]);
    return { model: `served/${name}`, source: { kind: 'served', name } };
  }
  const hub = /^\/(.+?)\/resolve\/[^/]+\//.exec(url.pathname);
  if (hub) return { model: decodeURIComponent(hub[1]), source: { kind: 'hub', id: decodeURIComponent(hub[1]), host: `${url.origin}/` } };
  return null;
}

export async function listCachedModels(): Promise<CachedModel[]> {
  if (!('caches' in self)) return [];
  const cache = await caches.open(MODEL_CACHE_NAME);
  const models = new Map<string, CachedModel & { paths: string[] }>();
  for (const request of await cache.keys()) {
    const url = new URL(request.url);
    const group = groupOf(url);
    if (!group) continue;
    const response = await cache.match(request);
    const length = Number(response?.headers.get('content-length'));
    const bytes = Number.isFinite(length) && length > 0 ? length : (await response?.blob())?.size ?? 0;
    const entry = models.get(group.model) ?? { model: group.model, source: group.source, files: 0, bytes: 0, dtypes: null, paths: [] };
    entry.files += 1;
    entry.bytes += bytes;
    if (group.source?.kind === 'picked') entry.paths.push(decodeURIComponent(url.pathname.slice(`/models/${group.model}/`.length)));
    models.set(group.model, entry);
  }
  return [...models.values()]
    .map(({ paths, ...model }) => ({ ...model, dtypes: model.source?.kind === 'picked' ? availableDtypes(paths) : null }))
    .sort((a, b) => a.model.localeCompare(b.model));
}

/** Deletes one model's files (as listCachedModels names it), or every model's (null). */
export async function clearCachedModel(model: string | null): Promise<void> {
  if (!('caches' in self)) return;
  const cache = await caches.open(MODEL_CACHE_NAME);
  for (const request of await cache.keys()) {
    const group = groupOf(new URL(request.url));
    if (group && (model === null || group.model === model)) await cache.delete(request);
  }
}

/**
 * Copies a picked or dropped model folder into the cache where transformers.js looks for local
 * models, so that it loads through the same path as every other model and survives a reload.
 * `files` paths are relative to the folder (`onnx/model.onnx`).
 */
export async function stagePickedFolder(name: string, files: { path: string; blob: Blob }[]): Promise<{ source: PickedSource; dtypes: Dtype[] }> {
  const reason = unusableFolderReason(files.map((file) => file.path));
  if (reason) throw new Error(`The folder ${name} cannot be used: ${reason}.`);
  const key = `${name.replace(/[^\w.-]+/g, '_')}-${await fingerprint(files)}`;
  const cache = await caches.open(MODEL_CACHE_NAME);
  for (const file of files) {
    const url = new URL(`/models/picked/${encodeURIComponent(key)}/${file.path.split('/').map(encodeURIComponent).join('/')}`, self.location.origin);
    const type = file.path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    await cache.put(url, new Response(file.blob, { headers: { 'content-type': type, 'content-length': String(file.blob.size) } }));
  }
  return { source: { kind: 'picked', key, name }, dtypes: availableDtypes(files.map((file) => file.path)) };
}

/** Eight hex digits of SHA-256 over paths, sizes and the small files' bytes: same folder, same key. */
async function fingerprint(files: { path: string; blob: Blob }[]): Promise<string> {
  const parts: BlobPart[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    parts.push(`${file.path}\n${file.blob.size}\n`);
    if (file.blob.size < 1 << 20) parts.push(await file.blob.arrayBuffer());
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await new Blob(parts).arrayBuffer()));
  return Array.from(digest.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Where transformers.js reads a model file, and the model cache keeps it (hub files under their URL). */
export function modelFileUrl(source: ModelSource, file: string): string {
  switch (source.kind) {
    case 'hub':
      return `${source.host.endsWith('/') ? source.host : `${source.host}/`}${source.id}/resolve/main/${file}`;
    case 'served':
      return new URL(`/models/${encodeURIComponent(source.name)}/${file}`, self.location.href).href;
    case 'picked':
      return new URL(`/models/picked/${encodeURIComponent(source.key)}/${file}`, self.location.href).href;
  }
}

/**
 * A model file's bytes: the model cache's copy where there is one, else fetched (a hub file is then
 * kept, as transformers.js would keep it). A missing file says which.
 */
export async function modelFileBytes(source: ModelSource, file: string): Promise<Uint8Array> {
  const url = modelFileUrl(source, file);
  const cache = 'caches' in self ? await caches.open(MODEL_CACHE_NAME) : null;
  const cached = await cache?.match(url);
  if (cached) return new Uint8Array(await cached.arrayBuffer());
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${file} of ${describeModelSource(source)} could not be read (HTTP ${response.status}): layer tuning needs the model's fp32 weights (onnx/model.onnx) and its config.json.`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (source.kind === 'hub') await cache?.put(url, new Response(bytes.slice())).catch(() => undefined);
  return bytes;
}

function describeModelSource(source: ModelSource): string {
  return source.kind === 'hub' ? source.id : source.kind === 'served' ? `the served folder models/${source.name}` : `the picked folder ${source.name}`;
}
