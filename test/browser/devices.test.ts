/**
 * design.md, Devices, in Chromium with a software WebGPU adapter present (SwiftShader, as on many
 * machines without a GPU): the Train cell's auto never picks it, says so and trains on the CPU;
 * WebGPU chosen by hand still trains on it; every progress line names its device and rate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, type Harness } from '../support/harness';

describe('devices in Chromium with a software WebGPU adapter', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ webgpu: true });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('auto trains on the CPU and says why; WebGPU chosen by hand trains on the adapter', async () => {
    const { context, page, errors } = await openNotebook(harness);
    expect(await page.evaluate(async () => Boolean(await (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter())), 'SwiftShader adapter').toBe(true);
    await loadLocalSubset(page, ['en', 'de'], 2);
    // A small lexical dimension keeps WebGPU steps on the software adapter short.
    await page.locator('#encoder').getByLabel('Dimension').fill('64');
    const trainCell = page.locator('#train');
    await trainCell.getByLabel('Steps', { exact: true }).fill('3');
    await trainCell.getByLabel('Evaluate every', { exact: true }).fill('0');

    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => page.getByTestId('train-status').textContent(), { timeout: 120_000 }).toBe('trained');
    expect(await trainCell.getByTestId('finished-training').textContent()).toContain('on cpu;');
    expect(await trainCell.getByTestId('finished-trainer-note').textContent()).toMatch(/only WebGPU adapter is a software one \(SwiftShader\): running on the CPU trainer/);

    await trainCell.getByLabel('Trainer device').selectOption('webgpu');
    await trainCell.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => page.getByTestId('train-status').textContent(), { timeout: 300_000 }).toBe('trained');
    expect(await trainCell.getByTestId('finished-training').textContent()).toContain('on webgpu;');
    expect(await trainCell.getByTestId('finished-trainer-note').textContent()).toContain('WebGPU on a software adapter (SwiftShader), as chosen');
    await trainCell.screenshot({ path: `${SHOTS_DIR}/train-devices.png` });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the device, the rate and the time left while evaluating', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, ['en', 'de', 'es', 'zh', 'ru', 'ar'], null);
    await page.getByRole('button', { name: 'Evaluate' }).click();
    const scoring = page.getByRole('progressbar', { name: /^Scoring and ranking on sparse exact, 2 threads$/ });
    await scoring.waitFor({ timeout: 120_000 });
    const line = page.locator('.progress-text', { hasText: 'Scoring and ranking' });
    await expect.poll(() => line.textContent(), { timeout: 60_000 }).toMatch(/queries · [\d,.]+ queries\/s · [\d.]+ (s|min) left/);
    await page.getByTestId('timings').waitFor({ timeout: 300_000 });
    expect(errors).toEqual([]);
    await context.close();
  });
});
