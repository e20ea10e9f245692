/**
 * `--encoder hf:<hub id>`: a transformers.js model export fetched from the Hugging Face hub, or from a
 * mirror named by `HF_ENDPOINT` (the huggingface_hub convention), kept in a file cache
 * (`XLING_MODEL_CACHE`, default ~/.cache/xling-lab/models) so that a second run needs no network.
 * The model then goes through loadTransformerEncoder, the code onnx:<folder> and the browser's
 * encoder worker use. Pooling and prefixes default to the catalog's when the id is a catalog model.
 *
 * Before loading, every file the encoder needs that is not cached yet is asked for with a one-byte
 * range request, so that a wrong id, a missing weight format or an unreachable host each get a plain
 * message instead of transformers.js's internal errors.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { MODEL_CATALOG, catalogModel } from '../core/encoders/catalog';
import { DTYPE_FILES, DTYPES, type Dtype } from '../core/encoders/model-folder';
import { loadTransformerEncoder, type FileProgress, type LoadTransformerOptions, type TransformerEncoder } from '../transformers/transformers-encoder';

export const DEFAULT_HUB = 'https://huggingface.co/';

export type HubEncoderOptions = Omit<LoadTransformerOptions, 'dtype' | 'device' | 'name' | 'onFileProgress'> & {
  /** Weight format (DTYPE_FILES); fp32 by default. */
  dtype?: Dtype;
  /** Hub root URL; default: HF_ENDPOINT, else https://huggingface.co/. */
  endpoint?: string;
  /** File cache; default: XLING_MODEL_CACHE, else ~/.cache/xling-lab/models. */
  cacheDir?: string;
  /** Receives one line per model file once it is loaded (downloaded or from the cache, with its size). */
  progress?: (line: string) => void;
};

/** The hub (or mirror) root, always with a trailing slash. */
export function hubEndpoint(environment: NodeJS.ProcessEnv = process.env): string {
  const value = environment.HF_ENDPOINT?.trim() || DEFAULT_HUB;
  return value.endsWith('/') ? value : `${value}/`;
}

export function modelCacheDir(environment: NodeJS.ProcessEnv = process.env): string {
  return environment.XLING_MODEL_CACHE?.trim() || join(homedir(), '.cache', 'xling-lab', 'models');
}

/** A transport failure (DNS, refused connection, timeout): the host could not be asked at all. */
export class HubUnreachableError extends Error {
  constructor(readonly url: string, readonly reason: string) {
    super(`cannot reach ${url} (${reason})`);
  }
}

/** Files transformers.js reads for an encoder besides the weights (tokenizer_config.json decides whether it loads a tokenizer). */
const BASE_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;
/** Same rule as transformers.js's REPO_ID_REGEX (plus its '..' / '--' exclusions). */
const MODEL_ID = /^(\b[\w\-.]+\b\/)?\b[\w\-.]{1,96}\b$/;

export async function createHubEncoder(modelId: string, options: HubEncoderOptions = {}): Promise<TransformerEncoder> {
  const { dtype = 'fp32', endpoint, cacheDir: cacheOption, progress, ...settings } = options;
  if (!MODEL_ID.test(modelId) || modelId.includes('..') || modelId.includes('--')) {
    throw new Error(`'${modelId}' is not a hub model id: expected <owner>/<name>, e.g. hf:${MODEL_CATALOG[1].id}.`);
  }
  const host = endpoint ?? hubEndpoint();
  const cacheDir = cacheOption ?? modelCacheDir();
  const hub = { id: modelId, host, cacheDir, fetch: hubFetch() };
  const name = `hf:${modelId}`;

  try {
    await checkHubFiles(hub, dtype);
    // transformers.js's env is global: set it right before loading (onnx:<folder> sets it its own way).
    env.allowRemoteModels = true;
    env.allowLocalModels = false;
    env.remoteHost = host;
    env.cacheDir = cacheDir;
    env.useFSCache = true;
    env.useBrowserCache = false;
    env.fetch = hub.fetch;
    const catalog = catalogModel(modelId);
    return await loadTransformerEncoder(modelId, {
      ...settings,
      pooling: settings.pooling ?? catalog?.pooling,
      queryPrefix: settings.queryPrefix ?? catalog?.queryPrefix,
      passagePrefix: settings.passagePrefix ?? catalog?.passagePrefix,
      dtype,
      device: 'cpu',
      name,
      onFileProgress: progress && fileLines(name, join(cacheDir, modelId), progress),
    });
  } catch (error) {
    throw await explain(error, hub, dtype);
  }
}

interface Hub {
  id: string;
  host: string;
  cacheDir: string;
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
}

const cachePath = (hub: Hub, file: string) => join(hub.cacheDir, hub.id, ...file.split('/'));
const fileUrl = (hub: Hub, file: string) => `${hub.host}${hub.id}/resolve/main/${file}`;

/** fetch with transport failures turned into HubUnreachableError (HTTP statuses pass through). */
function hubFetch(): Hub['fetch'] {
  return async (input, init) => {
    try {
      return await globalThis.fetch(input, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new HubUnreachableError(String(input), reason);
    }
  };
}

/** Asks for the first byte of a hub file: true if it exists, false for 401/403/404; other answers throw. */
async function hubHas(hub: Hub, file: string): Promise<boolean> {
  const url = fileUrl(hub, file);
  const headers: Record<string, string> = { Range: 'bytes=0-0' };
  const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
  if (token && ['huggingface.co', 'hf.co'].includes(new URL(url).hostname)) headers.Authorization = `Bearer ${token}`;
  const response = await hub.fetch(url, { headers });
  await response.body?.cancel().catch(() => undefined);
  if (response.ok || response.status === 416) return true; // 416: a zero-length file
  if ([401, 403, 404].includes(response.status)) return false;
  throw new Error(`the model hub at ${hub.host} answered HTTP ${response.status} ${response.statusText} for ${url}.`);
}

/** Checks on the hub every file the encoder needs that the cache lacks; nothing is asked when all are cached. */
async function checkHubFiles(hub: Hub, dtype: Dtype): Promise<void> {
  const needed = [...BASE_FILES, DTYPE_FILES[dtype]].filter((file) => !existsSync(cachePath(hub, file)));
  if (!needed.length) return;
  if (needed.includes('config.json') && !(await hubHas(hub, 'config.json'))) throw noModelError(hub);
  const missing: string[] = [];
  for (const file of needed.filter((f) => f !== 'config.json')) {
    if (!(await hubHas(hub, file))) missing.push(file);
  }
  if (missing.includes(DTYPE_FILES[dtype])) throw await dtypeError(hub, dtype);
  if (missing.length) throw missingFilesError(hub, missing);
}

function noModelError(hub: Hub): Error {
  const known = MODEL_CATALOG.map((m) => `hf:${m.id}`).join(', ');
  const auth = new URL(hub.host).hostname === 'huggingface.co'
    ? ' (huggingface.co answers the same for private and gated models: set HF_TOKEN for those)' : '';
  return new Error(`no model '${hub.id}' at ${hub.host}${auth}. Check the id; transformers.js exports known to work: ${known}.`);
}

async function dtypeError(hub: Hub, dtype: Dtype): Promise<Error> {
  const file = DTYPE_FILES[dtype];
  const others: Dtype[] = [];
  for (const other of DTYPES.filter((d) => d !== dtype)) {
    if (existsSync(cachePath(hub, DTYPE_FILES[other])) || (await hubHas(hub, DTYPE_FILES[other]).catch(() => false))) others.push(other);
  }
  return new Error(`'${hub.id}' at ${hub.host} has no ${file}, the weights for --dtype ${dtype}; ` +
    (others.length ? `try ${others.map((d) => `--dtype ${d}`).join(' or ')}.`
      : `it has no weights in onnx/ at all (${DTYPES.map((d) => DTYPE_FILES[d]).join(', ')}), so it is not a transformers.js export${exportHint(hub.id)}.`));
}

function missingFilesError(hub: Hub, missing: string[]): Error {
  return new Error(`'${hub.id}' at ${hub.host} has no ${missing.join(', ')}: transformers.js needs config.json, tokenizer.json, ` +
    `tokenizer_config.json and onnx/model*.onnx${exportHint(hub.id)}.`);
}

/** Points people who name an original model at its transformers.js export in the catalog. */
function exportHint(id: string): string {
  const model = catalogModel(id);
  return model && model.id !== id ? `; its transformers.js export is hf:${model.id}` : '';
}

/** Turns the failures of a load into messages that say what is wrong and how to fix it. */
async function explain(error: unknown, hub: Hub, dtype: Dtype): Promise<unknown> {
  if (error instanceof HubUnreachableError) {
    const uncached = [...BASE_FILES, DTYPE_FILES[dtype]].filter((file) => !existsSync(cachePath(hub, file)));
    const what = uncached.length === 4 ? `'${hub.id}' is not in the cache ${hub.cacheDir}`
      : `the cache ${hub.cacheDir} lacks ${uncached.length ? uncached.join(', ') : 'some files'} of '${hub.id}'`;
    return new Error(`hf:${hub.id}: cannot reach the model hub at ${hub.host} (${error.reason}), and ${what}. ` +
      'Set HF_ENDPOINT to a hub mirror you can reach, or download the model elsewhere in transformers.js layout ' +
      '(config.json, tokenizer.json, onnx/model.onnx) and use --encoder onnx:<folder>.');
  }
  if (error instanceof Error && error.name === 'ModelFileNotFoundError') {
    // transformers.js: `<what happened>: "<url>".`; the file is the part after /resolve/<revision>/.
    const file = /\/resolve\/[^/]+\/([^"]+)"/.exec(error.message)?.[1];
    if (file === DTYPE_FILES[dtype]) return dtypeError(hub, dtype).catch(() => error);
    if (file) return missingFilesError(hub, [file]);
  }
  return error;
}

/** One line per file when it is loaded: downloaded or from the cache, with its size in bytes. */
function fileLines(name: string, modelCache: string, write: (line: string) => void): (progress: FileProgress) => void {
  const files = new Map<string, { cached: boolean; bytes: number; done: boolean }>();
  return ({ status, file, loaded }) => {
    if (!file) return;
    const path = join(modelCache, ...file.split('/'));
    let entry = files.get(file);
    if (!entry) {
      entry = { cached: status === 'initiate' && existsSync(path), bytes: 0, done: false };
      files.set(file, entry);
    }
    if (status === 'progress' && loaded) entry.bytes = Math.max(entry.bytes, loaded);
    if (status === 'done' && !entry.done) {
      entry.done = true;
      const bytes = existsSync(path) ? statSync(path).size : entry.bytes;
      write(`${name}: ${entry.cached ? 'from cache' : 'downloaded'} ${file}, ${bytes} bytes (${formatBytes(bytes)})`);
    }
  };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}
