/**
 * The onnxruntime layer engine (ort-engine.ts) in headless Chromium: onnxruntime-web with the WASM
 * EP (multi-threaded: the page is cross-origin isolated) and with the WebGPU EP, picked by hand, on
 * SwiftShader. Its output equals the float64 reference's and its loss and every gradient the CPU
 * engine's computed in Node (cpu-layer.ts, itself checked against finite differences in
 * test/unit/tuning-gradients.test.ts; the same generated graphs are checked that way on
 * onnxruntime-node in test/unit/tuning-ort.test.ts). Skipped where Debian's chromium is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, chromiumAvailable } from '../../src/dev-server/chromium';
import { encodeForPage, openTuningPage, toPlainLayer, type TuningPage } from '../../src/dev-server/tuning-page';
import { createCpuLayerEngine } from '../../src/core/tuning/cpu-layer';
import type { LayerShape } from '../../src/core/tuning/layer';
import { poolingLoss } from '../../src/core/tuning/loss';
import { maxRelError } from '../support/numeric';
import { referenceForward, toReference } from '../support/oracles/tuning';
import { randomInput, randomLayers } from '../support/tuning';

const SHAPE: LayerShape = { hidden: 16, heads: 2, intermediate: 32, layerNormEps: 1e-5 };
const LENGTHS = [5, 3, 4, 2]; // 2 pairs, seq 5: three texts padded
const TAU = 0.1;

describe.skipIf(!chromiumAvailable())('onnxruntime layer engine in Chromium', () => {
  let browser: TuningPage;
  beforeAll(async () => {
    browser = await openTuningPage();
    if (!browser.adapter) throw new Error(`${CHROMIUM} with --enable-unsafe-webgpu gave no WebGPU adapter; design.md expects SwiftShader there, so this is a broken browser setup, not a reason to skip`);
  }, 60_000);
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
});
