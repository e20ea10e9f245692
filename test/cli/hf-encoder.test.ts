/**
 * `--encoder hf:<hub id>` end to end against a hub served from this test: the tiny test model in hub
 * layout (`/<org>/<name>/resolve/main/<path>`) on a local node:http server named by HF_ENDPOINT.
 * Same model and code as onnx:<folder>, so the same numbers; a second run works from the cache with
 * the server gone; a wrong id, a missing weight format, an unreachable host and misplaced flags get
 * messages that say what to do.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rename, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeServer, endpointOf, serveHub } from '../support/hub-server';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const xquad = resolve(root, '../shared/data/xquad-r');
const tsx = resolve(root, 'node_modules/tsx/dist/cli.mjs');
const MODEL_ID = 'xling-test/tiny';
const SUBSET = ['--dataset', xquad, '--languages', 'en,de', '--articles', '2'];

interface Report {
  summary: Record<string, number>;
  cells: Record<string, Record<string, unknown>>;
  multilingual: Record<string, unknown>;
  settings: Record<string, unknown>;
}

describe('--encoder hf:<hub id> through HF_ENDPOINT', () => {
  let dir: string;
  let modelDir: string;
  let cache: string;
  let server: Server;
  let endpoint: string;
  const requests: string[] = [];

  const xling = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [tsx, 'src/cli/xling.ts', ...args], {
      cwd: root,
      maxBuffer: 1 << 24,
      env: { ...process.env, HF_TOKEN: '', HF_ENDPOINT: endpoint, XLING_MODEL_CACHE: cache, ...env },
    });
  const evaluate = async (name: string, encoder: string, extra: string[] = [], env: Record<string, string> = {}) => {
    const out = join(dir, `${name}.json`);
    const { stderr } = await xling(['eval', ...SUBSET, '--encoder', encoder, '--out', out, ...extra], env);
    return { report: JSON.parse(await readFile(out, 'utf8')) as Report, stderr };
  };
  const sameNumbers = (a: Report, b: Report) => {
    expect(a.summary).toEqual(b.summary);
    expect(a.cells).toEqual(b.cells);
    expect(a.multilingual).toEqual(b.multilingual);
  };

  let local: Report;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xling-hf-'));
    modelDir = join(dir, 'tiny');
    cache = join(dir, 'cache');
    await run(process.execPath, [tsx, 'scripts/make-test-model.ts', modelDir, '--seed', '3'], { cwd: root });
    server = await serveHub(modelDir, requests, MODEL_ID);
    endpoint = endpointOf(server);
    local = (await evaluate('local', `onnx:${modelDir}`)).report;
  }, 180_000);

  afterAll(async () => {
    if (server.listening) await closeServer(server);
  });

  test('downloads into the cache and gives the numbers of onnx:<folder> on the same model; then works offline', async () => {
    const { report, stderr } = await evaluate('hub', `hf:${MODEL_ID}`);
    sameNumbers(report, local);
    expect(report.settings).toMatchObject({
      encoder: `hf:${MODEL_ID}`, dim: 32, pooling: 'mean', query_prefix: '', passage_prefix: '', dtype: 'fp32',
    });

    // Files in hub layout, one progress line per file with its size, and the files in the cache.
    expect(requests.some((path) => path === `/${MODEL_ID}/resolve/main/onnx/model.onnx`)).toBe(true);
    const modelBytes = (await stat(join(modelDir, 'onnx', 'model.onnx'))).size;
    expect(stderr).toContain(`hf:${MODEL_ID}: downloaded onnx/model.onnx, ${modelBytes} bytes`);
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      expect(stderr).toMatch(new RegExp(`hf:${MODEL_ID}: downloaded ${file}, \\d+ bytes`));
    }
    expect(stderr.split('\n').filter((line) => line.includes('downloaded')).length).toBe(4);
    expect((await readdir(join(cache, MODEL_ID))).sort()).toEqual(['config.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect((await readFile(join(cache, MODEL_ID, 'onnx', 'model.onnx'))).equals(await readFile(join(modelDir, 'onnx', 'model.onnx')))).toBe(true);

    // The hub goes away: the cache is enough, and nothing is asked of the (closed) host.
    await closeServer(server);
    const offline = await evaluate('offline', `hf:${MODEL_ID}`);
    sameNumbers(offline.report, local);
    expect(offline.stderr).toContain(`hf:${MODEL_ID}: from cache onnx/model.onnx, ${modelBytes} bytes`);
    expect(offline.stderr).not.toContain('downloaded');
  });

  test('prefixes and pooling from the flags: recorded, and the same numbers as the same flags on onnx:<folder>', async () => {
    const flags = ['--query-prefix', 'query: ', '--passage-prefix', 'passage: ', '--pooling', 'cls'];
    const fromHub = await evaluate('hub-flags', `hf:${MODEL_ID}`, flags);
    const fromFolder = await evaluate('local-flags', `onnx:${modelDir}`, flags);
    sameNumbers(fromHub.report, fromFolder.report);
    expect(fromHub.report.summary).not.toEqual(local.summary);
    expect(fromHub.report.settings).toMatchObject({ pooling: 'cls', query_prefix: 'query: ', passage_prefix: 'passage: ', dtype: 'fp32' });
    expect(fromFolder.report.settings).toMatchObject({ pooling: 'cls', query_prefix: 'query: ', passage_prefix: 'passage: ', dtype: 'fp32' });

    // A catalog id gets the catalog's prefixes (e5: 'query: ' / 'passage: ') unless a flag says otherwise.
    const e5 = await serveHub(modelDir, [], 'Xenova/multilingual-e5-small');
    try {
      const env = { HF_ENDPOINT: endpointOf(e5), XLING_MODEL_CACHE: join(dir, 'cache-e5') };
      const catalog = await evaluate('hub-e5', 'hf:Xenova/multilingual-e5-small', ['--passage-prefix', ''], env);
      const same = await evaluate('local-e5', `onnx:${modelDir}`, ['--query-prefix', 'query: ']);
      sameNumbers(catalog.report, same.report);
      expect(catalog.report.settings).toMatchObject({ pooling: 'mean', query_prefix: 'query: ', passage_prefix: '' });
    } finally {
      await closeServer(e5);
    }
  });

  test('clear errors: unknown id, weights missing for a dtype, unreachable host, flags with lexical', async () => {
    const fresh = await serveHub(modelDir, [], MODEL_ID);
    const live = endpointOf(fresh);
    try {
      await expect(evaluate('missing', 'hf:xling-test/missing', [], { HF_ENDPOINT: live, XLING_MODEL_CACHE: join(dir, 'cache-missing') }))
        .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(`no model 'xling-test/missing' at ${live}/`) });
      await expect(evaluate('q4', `hf:${MODEL_ID}`, ['--dtype', 'q4'], { HF_ENDPOINT: live, XLING_MODEL_CACHE: join(dir, 'cache-q4') }))
        .rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/has no onnx\/model_q4\.onnx, the weights for --dtype q4; try --dtype fp32 or --dtype q8\./) });
    } finally {
      await closeServer(fresh);
    }

    // A port nothing listens on (the server above is closed), with an empty cache.
    await expect(evaluate('unreachable', `hf:${MODEL_ID}`, [], { HF_ENDPOINT: live, XLING_MODEL_CACHE: join(dir, 'cache-empty') }))
      .rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(new RegExp(`cannot reach the model hub at ${live}/ \\(ECONNREFUSED\\).*HF_ENDPOINT.*onnx:<folder>`)),
      });

    // make-test-model writes fp32 and q8 weights: a folder without q4 names both.
    await expect(evaluate('onnx-q4', `onnx:${modelDir}`, ['--dtype', 'q4']))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/has no onnx\/model_q4\.onnx, the weights for --dtype q4; try --dtype fp32 or --dtype q8\./) });
    await expect(evaluate('lexical', 'lexical', ['--query-prefix', 'query: ']))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("--query-prefix applies to transformer encoders (onnx:<folder>, hf:<hub id>), not to 'lexical'") });
    await expect(xling(['train', ...SUBSET, '--encoder', 'lexical', '--dtype', 'q8', '--out', join(dir, 'train.json')]))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("--dtype applies to transformer encoders") });
    await expect(evaluate('pooling', `hf:${MODEL_ID}`, ['--pooling', 'max']))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("--pooling must be 'mean' or 'cls', got 'max'") });
  });

  test('--dtype picks the weight file: q8 loads onnx/model_quantized.onnx (here the fp32 bytes, so the same numbers)', async () => {
    const q8Dir = join(dir, 'tiny-q8');
    await cp(modelDir, q8Dir, { recursive: true });
    await rename(join(q8Dir, 'onnx', 'model.onnx'), join(q8Dir, 'onnx', 'model_quantized.onnx'));
    const q8Requests: string[] = [];
    const q8Server = await serveHub(q8Dir, q8Requests, MODEL_ID);
    try {
      const env = { HF_ENDPOINT: endpointOf(q8Server), XLING_MODEL_CACHE: join(dir, 'cache-q8') };
      const fromHub = await evaluate('hub-q8', `hf:${MODEL_ID}`, ['--dtype', 'q8'], env);
      sameNumbers(fromHub.report, local);
      expect(fromHub.report.settings).toMatchObject({ dtype: 'q8' });
      expect(q8Requests).toContain(`/${MODEL_ID}/resolve/main/onnx/model_quantized.onnx`);
      expect(q8Requests).not.toContain(`/${MODEL_ID}/resolve/main/onnx/model.onnx`);
    } finally {
      await closeServer(q8Server);
    }
    const fromFolder = await evaluate('local-q8', `onnx:${q8Dir}`, ['--dtype', 'q8']);
    sameNumbers(fromFolder.report, local);
    expect(fromFolder.report.settings).toMatchObject({ dtype: 'q8' });
  });

  test('train takes the same encoder and flags, from the cache, and records them', async () => {
    const out = join(dir, 'train.json');
    await xling(['train', '--dataset', xquad, '--languages', 'en,de', '--articles', '8', '--encoder', `hf:${MODEL_ID}`,
      '--passage-prefix', 'passage: ', '--steps', '3', '--batch', '8', '--seed', '1', '--out', out]);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.settings).toMatchObject({ encoder: `hf:${MODEL_ID}`, dim: 32, pooling: 'mean', query_prefix: '', passage_prefix: 'passage: ', dtype: 'fp32' });
    expect(report.loss.length).toBeGreaterThan(0);
  });
});
