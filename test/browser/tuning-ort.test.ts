/**
 * The onnxruntime layer engine (ort-engine.ts) in headless Chromium, on the onnxruntime-web builds
 * the lab worker loads: the WASM EP (multi-threaded: the page is cross-origin isolated) and the
 * WebGPU EP, picked by hand, on SwiftShader. Its output equals the float64 reference's and its loss
 * and every gradient the CPU engine's computed in Node (cpu-layer.ts, itself checked against finite
 * differences in test/unit/tuning-gradients.test.ts; the same generated graphs are checked that way
 * on onnxruntime-node in test/unit/tuning-ort.test.ts).
 *
 * And design.md's parity rule in the browser: with 0 steps, the tuned path (the bottom graph on
 * WASM, the top K layers on the engine, mean pooling, L2) gives the frozen model's embeddings, the
 * whole graph run in the page and pooled here, to 1e-5 (max abs difference), on the tiny and the
 * MiniLM-shaped test models, K = 1 and 2; and Node's encoder (transformers.js on onnxruntime-node)
 * agrees with both. Skipped where Debian's chromium is missing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, chromiumAvailable } from '../../src/dev-server/chromium';
import { encodeForPage, openTuningPage, toPlainLayer, type TuningPage } from '../../src/dev-server/tuning-page';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import type { LayerShape } from '../../src/core/tuning/layer';
import { poolingLoss } from '../../src/core/tuning/loss';
import { maxRelError } from '../support/numeric';
import { referenceForward, toReference } from '../support/oracles/tuning';
import { randomInput, randomLayers } from '../support/tuning';
import { createOnnxEncoder } from '../../src/node/onnx-encoder';
import { MINILM_MODEL, testModel, TINY_MODEL } from '../support/test-models';

const SHAPE: LayerShape = { hidden: 16, heads: 2, intermediate: 32, layerNormEps: 1e-5 };
const LENGTHS = [5, 3, 4, 2]; // 2 pairs, seq 5: three texts padded
const TAU = 0.1;

/** Few, short texts of different lengths in three scripts: the MiniLM-shaped model stays quick on SwiftShader. */
const TEXTS = ['Die Weichsel.', 'ok', '华沙市内流经哪条河？', 'The Vistula.'];

/** Mean of each text's token rows of `hidden` ([texts, seq, width], float64 sums), L2-normalised. */
function meanPooledNormalised(hidden: ArrayLike<number>, lengths: readonly number[], seq: number, width: number): number[] {
  return lengths.flatMap((tokens, text) => {
    const sum = new Array<number>(width).fill(0);
    for (let t = 0; t < tokens; t++) for (let j = 0; j < width; j++) sum[j] += hidden[(text * seq + t) * width + j];
    const norm = Math.hypot(...sum);
    return sum.map((v) => v / norm);
  });
}

const maxAbsDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe.skipIf(!chromiumAvailable())('onnxruntime layer engine in Chromium', () => {
  let browser: TuningPage;
  const models: Record<string, string> = {};
  beforeAll(async () => {
    [models.tiny, models.minilm] = await Promise.all([testModel(TINY_MODEL), testModel(MINILM_MODEL)]);
    browser = await openTuningPage({ models });
    if (!browser.adapter) throw new Error(`${CHROMIUM} with --enable-unsafe-webgpu gave no WebGPU adapter; design.md expects SwiftShader there, so this is a broken browser setup, not a reason to skip`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const engine of ['ort-wasm', 'ort-webgpu'] as const) {
    test(`${engine}: two layers' output, loss and every gradient equal Node's`, async () => {
      const layers = randomLayers(SHAPE, 2, 5);
      const input = randomInput(LENGTHS, 5, SHAPE.hidden, 6);
      const inPage = await browser.tuneLayers({
        engine, shape: SHAPE, temperature: TAU, steps: 0, warmUp: true, results: true, ...encodeForPage(layers, input),
      });
      if (engine === 'ort-wasm') {
        expect(inPage.crossOriginIsolated).toBe(true);
        expect(inPage.threads).toBeGreaterThanOrEqual(1);
      }
      expect(inPage.webgpuDevice).toBe(engine === 'ort-webgpu');
      const tokens = (values: ArrayLike<number>) => Array.from(values).filter((_, i) => input.mask[Math.floor(i / SHAPE.hidden)] !== 0);
      const expected = referenceForward(layers.map(toReference), input, SHAPE).flat(2);
      expect(maxRelError(tokens(inPage.output!), tokens(expected))).toBeLessThan(1e-5);

      const cpu = createCpuLayerEngine(SHAPE);
      const inNode = await cpu.forwardBackward(layers, input,
        (output) => poolingLoss(output, input.mask, input.batch, input.seq, SHAPE.hidden, 'mean', LENGTHS.length / 2, TAU));
      expect(Math.abs(inPage.loss - inNode.loss)).toBeLessThan(1e-5 * Math.abs(inNode.loss));
      for (let k = 0; k < layers.length; k++) {
        const expectedGrads = toPlainLayer(inNode.grads[k]);
        for (const [group, params] of Object.entries(expectedGrads)) {
          for (const [param, values] of Object.entries(params)) {
            if (group === 'key' && param === 'bias') continue; // 0 up to rounding (the softmax ignores it)
            expect(maxRelError(inPage.grads![k][group][param], values), `layer ${k} ${group}.${param}`).toBeLessThan(1e-4);
          }
        }
      }
    }, 120_000);
  }
  /**
   * The whole graph runs on the tuned layers' EP, except the MiniLM-shaped model's on WebGPU: 12 layers
   * of width 384 on SwiftShader took about a minute for four texts, so there it runs on WASM (the
   * two EPs' whole-graph outputs differ by float32 rounding only, as the tiny model's cases show).
   */
  const cases = [
    ['ort-wasm', 'tiny', 'ort-wasm'],
    ['ort-wasm', 'minilm', 'ort-wasm'],
    ['ort-webgpu', 'tiny', 'ort-webgpu'],
    ['ort-webgpu', 'minilm', 'ort-wasm'],
  ] as const;
  for (const [engine, model, frozenEngine] of cases) {
    test(`${engine}: the tuned path at 0 steps gives the frozen ${model} model's embeddings (whole graph on ${frozenEngine}) to 1e-5, K = 1 and 2`, async () => {
      const folder = models[model];
      const node = await createOnnxEncoder(folder);
      const ids = node.tokenize(TEXTS, 'passage');
      const inNode = await node.encode(TEXTS, 'passage');
      await node.dispose();
      const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as { hidden_size: number };
      const inPage = await browser.tunedPathEmbeddings({ model, config, layers: [1, 2], engine, frozenEngine, pooling: 'mean', ids });
      expect(inPage.webgpuDevice).toBe(engine === 'ort-webgpu');
      const frozen = meanPooledNormalised(inPage.frozen, ids.map((row) => row.length), inPage.seq, config.hidden_size);
      inPage.tuned.forEach((tuned, k) => {
        expect(tuned).toHaveLength(TEXTS.length * config.hidden_size);
        expect(maxAbsDifference(tuned, frozen), `K = ${k + 1}: tuned path against the whole graph`).toBeLessThan(1e-5);
        expect(maxAbsDifference(tuned, inNode), `K = ${k + 1}: tuned path against Node's encoder`).toBeLessThan(1e-5);
      });
    }, 120_000);
  }
});
