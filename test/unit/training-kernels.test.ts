/**
 * Kernel and optimizer edges the step tests do not reach: row gathering, and AdamW updates with ε
 * large enough to matter, worked out by hand.
 */
import { describe, expect, test } from 'vitest';
import { gatherRows } from '../../src/core/training/kernels';
import { adamwUpdate } from '../../src/core/training/optimizer';

describe('kernels', () => {
  test('gatherRows copies the listed rows in order, from output row `at`', () => {
    const source = Float32Array.from([0, 1, 10, 11, 20, 21, 30, 31]);
    const out = new Float32Array(10).fill(-1);
    gatherRows(source, 2, [3, 0, 3], out, 1);
    expect(Array.from(out)).toEqual([-1, -1, 30, 31, 0, 1, 30, 31, -1, -1]);
  });
});

describe('adamwUpdate', () => {
  test('two steps by hand with ε = 1, weight decay and bias correction', () => {
    const param = Float32Array.from([1, 2]);
    const m = new Float32Array(2);
    const v = new Float32Array(2);
    const s = { learningRate: 0.1, weightDecay: 0.1, warmupSteps: 0, totalSteps: 2, beta1: 0.5, beta2: 0.75, epsilon: 1 };
    // Step 1, g = (0.5, -2): m = 0.5 g, v = 0.25 g²; corrected by 1/(1 - 0.5) and 1/(1 - 0.75): m̂ = g, v̂ = g².
    //   p -= 0.1 (g / (|g| + 1)) + 0.1 · 0.1 p:  p0 = 1 - 0.1/3 - 0.01,  p1 = 2 + 0.2/3 - 0.02.
    adamwUpdate(param, Float32Array.from([0.5, -2]), m, v, 1, 0.1, s);
    expect(Array.from(m)).toEqual([0.25, -1]);
    expect(Array.from(v)).toEqual([0.0625, 1]);
    expect(param[0]).toBeCloseTo(1 - 0.1 / 3 - 0.01, 6);
    expect(param[1]).toBeCloseTo(2 + 0.2 / 3 - 0.02, 6);
    // Step 2, g = (1, 0): m = (0.625, -0.5), v = (0.296875, 0.75); corrections 1/0.75 and 1/0.4375.
    const p0 = param[0];
    const p1 = param[1];
    adamwUpdate(param, Float32Array.from([1, 0]), m, v, 2, 0.05, s);
    const step = (mi: number, vi: number) => (mi / 0.75) / (Math.sqrt(vi / 0.4375) + 1);
    expect(param[0]).toBeCloseTo(p0 - 0.05 * step(0.625, 0.296875) - 0.005 * p0, 6);
    expect(param[1]).toBeCloseTo(p1 - 0.05 * step(-0.5, 0.75) - 0.005 * p1, 6);
  });
});
