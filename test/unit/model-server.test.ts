/**
 * The model-folder plugin (src/dev-server/model-server.ts) through real Vite dev and preview servers: the
 * index lists transformers.js model folders with their files, sizes and dtypes; files come back byte
 * for byte (GET and HEAD); missing files and paths that try to leave the folder are short 404s, never
 * the app's index.html.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ModelFolderIndex } from '../../src/core/encoders/model-folder';
import { modelFolderPlugin, readModelFolderIndex, resolveModelsDir } from '../../src/dev-server/model-server';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const tsx = resolve(root, 'node_modules/tsx/dist/cli.mjs');
const APP_HTML = '<!doctype html><title>app</title>';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes out as written (fetch would normalise `..` away). */
function send(port: number, rawPath: string, method = 'GET'): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

function portOf(server: { address(): AddressInfo | string | null } | null | undefined): number {
  const address = server?.address();
  if (!address || typeof address === 'string') throw new Error('server is not listening on a port');
  return address.port;
}

describe('model folders on the dev and preview servers', () => {
  let dir: string;
  let modelsDir: string;
  let tinyDir: string;
  let dev: ViteDevServer;
  let previewServer: PreviewServer;
  let devPort: number;
  let previewPort: number;
  const savedEnv = process.env.XLING_MODELS_DIR;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-models-'));
    modelsDir = join(dir, 'models');
    tinyDir = join(modelsDir, 'tiny');
    await run(process.execPath, [tsx, 'scripts/make-test-model.ts', tinyDir], { cwd: root });

    // Folders that are not models: no config.json; no tokenizer.json; an onnx/ folder without a .onnx file; a file.
    await cp(tinyDir, join(modelsDir, 'no-config'), { recursive: true });
    await rm(join(modelsDir, 'no-config', 'config.json'));
    await cp(tinyDir, join(modelsDir, 'no-tokenizer'), { recursive: true });
    await rm(join(modelsDir, 'no-tokenizer', 'tokenizer.json'));
    await mkdir(join(modelsDir, 'no-onnx', 'onnx'), { recursive: true });
    await cp(join(tinyDir, 'config.json'), join(modelsDir, 'no-onnx', 'config.json'));
    await cp(join(tinyDir, 'tokenizer.json'), join(modelsDir, 'no-onnx', 'tokenizer.json'));
    await writeFile(join(modelsDir, 'no-onnx', 'onnx', 'README.md'), 'weights go here\n');
    await writeFile(join(modelsDir, 'README.md'), 'not a model\n');
    // Outside the models folder: must never be served.
    await writeFile(join(dir, 'secret.json'), '{"secret":true}');

    // The app root sits beside the models folder: XLING_MODELS_DIR is resolved against it. Both
    // servers have an index.html that an SPA fallback would hand out for unknown paths.
    const app = join(dir, 'app');
    await mkdir(join(app, 'dist'), { recursive: true });
    await writeFile(join(app, 'index.html'), APP_HTML);
    await writeFile(join(app, 'dist', 'index.html'), APP_HTML);
    process.env.XLING_MODELS_DIR = '../models';

    dev = await createServer({
      root: app,
      configFile: false,
      logLevel: 'silent',
      plugins: [modelFolderPlugin()],
      server: { port: 0, host: '127.0.0.1', hmr: false },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    await dev.listen();
    devPort = portOf(dev.httpServer);

    previewServer = await preview({
      root: app,
      configFile: false,
      logLevel: 'silent',
      plugins: [modelFolderPlugin()],
      preview: { port: 0, host: '127.0.0.1' },
    });
    previewPort = portOf(previewServer.httpServer);
  }, 120_000);

  afterAll(async () => {
    if (savedEnv === undefined) delete process.env.XLING_MODELS_DIR;
    else process.env.XLING_MODELS_DIR = savedEnv;
    await dev?.close();
    await previewServer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the folder: XLING_MODELS_DIR relative to the root, else <root>/models when it exists', () => {
    expect(resolveModelsDir(join(dir, 'app'), { XLING_MODELS_DIR: '../models' })).toBe(modelsDir);
    expect(resolveModelsDir(dir, {})).toBe(modelsDir);
    expect(resolveModelsDir(join(dir, 'app'), {})).toBeNull();
  });

  test('index.json lists tiny with every file, its size and dtypes; other folders with what they lack', async () => {
    const reply = await send(devPort, '/models/index.json');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['cache-control']).toBe('no-store');
    const index = JSON.parse(reply.body.toString('utf8')) as ModelFolderIndex;

    // make-test-model writes the fp32 weights and the dynamic int8 ones transformers.js calls q8.
    const paths = ['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'];
    const sizes = await Promise.all(paths.map(async (path) => (await stat(join(tinyDir, path))).size));
    const needs = ': a transformers.js model folder needs config.json, tokenizer.json and onnx/model.onnx (an export with Optimum writes them)';
    expect(index).toEqual({
      models: [{ name: 'tiny', files: paths.map((path, i) => ({ path, size: sizes[i] })), dtypes: ['fp32', 'q8'] }],
      unusable: [
        { name: 'no-config', reason: `missing config.json${needs}` },
        { name: 'no-onnx', reason: `missing onnx/*.onnx${needs}` },
        { name: 'no-tokenizer', reason: `missing tokenizer.json${needs}` },
      ],
    });
    expect(await readModelFolderIndex(modelsDir)).toEqual(index);
    expect(await readModelFolderIndex(null)).toEqual({ models: [], unusable: [] });
    expect(await readModelFolderIndex(join(dir, 'nowhere'))).toEqual({ models: [], unusable: [] });
  });

  test('dtypes follow the quantised files that exist', async () => {
    const copy = join(dir, 'dtypes');
    await cp(tinyDir, join(copy, 'tiny'), { recursive: true });
    await rm(join(copy, 'tiny', 'onnx', 'model.onnx'));
    await writeFile(join(copy, 'tiny', 'onnx', 'model_q4.onnx'), 'q4');
    await writeFile(join(copy, 'tiny', 'onnx', 'model_quantized.onnx'), 'q8');
    const [model] = (await readModelFolderIndex(copy)).models;
    expect(model.dtypes).toEqual(['q8', 'q4']);
  });

  test('a nested file comes back byte for byte, with its type, length and no-cache', async () => {
    const onDisk = await readFile(join(tinyDir, 'onnx', 'model.onnx'));
    const reply = await send(devPort, '/models/tiny/onnx/model.onnx');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.headers['content-length']).toBe(String(onDisk.length));
    expect(reply.headers['cache-control']).toBe('no-cache');
    expect(reply.body.equals(onDisk)).toBe(true);

    const json = await send(devPort, '/models/tiny/tokenizer.json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.body.equals(await readFile(join(tinyDir, 'tokenizer.json')))).toBe(true);
  });

  test('HEAD answers the headers only', async () => {
    const size = (await stat(join(tinyDir, 'onnx', 'model.onnx'))).size;
    const reply = await send(devPort, '/models/tiny/onnx/model.onnx', 'HEAD');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe(String(size));
    expect(reply.body.length).toBe(0);
    expect((await send(devPort, '/models/tiny/special_tokens_map.json', 'HEAD')).status).toBe(404);
  });

  test('missing files and paths out of the folder are short 404s, not the app page', async () => {
    const refused = [
      '/models/tiny/special_tokens_map.json', // an optional file transformers.js probes
      '/models/tiny/onnx/model_fp16.onnx',
      '/models/tiny/onnx', // a folder
      '/models/tiny',
      '/models/missing/config.json',
      '/models/no-config/tokenizer.json/x',
      '/models/tiny/../../secret.json',
      '/models/tiny/%2e%2e/%2e%2e/secret.json',
      '/models/..%2fsecret.json',
      '/models/tiny/..%2f..%2fsecret.json',
      '/models/.hidden/config.json',
      '/models/tiny/%E0%A4%A',
    ];
    for (const path of refused) {
      const reply = await send(devPort, path);
      expect({ path, status: reply.status }).toEqual({ path, status: 404 });
      const text = reply.body.toString('utf8');
      expect(text).not.toContain('<title>app</title>');
      expect(text).not.toContain('secret');
    }
  });

  test('the preview server serves the same routes', async () => {
    const index = JSON.parse((await send(previewPort, '/models/index.json')).body.toString('utf8')) as ModelFolderIndex;
    expect(index.models.map((model) => model.name)).toEqual(['tiny']);
    const reply = await send(previewPort, '/models/tiny/config.json');
    expect(reply.status).toBe(200);
    expect(reply.body.equals(await readFile(join(tinyDir, 'config.json')))).toBe(true);
    const missing = await send(previewPort, '/models/tiny/tokenizer_config.jsonx');
    expect(missing.status).toBe(404);
    expect(missing.body.toString('utf8')).not.toContain('<title>app</title>');
  });
});
