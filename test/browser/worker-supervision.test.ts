/**
 * A lab worker that dies mid-evaluation, in Chromium. The fault is injected into the real worker
 * through the browser's own worker handle (no test hook in the app): an uncaught error (noticed at
 * once through onerror) and a worker that closes itself (noticed by the heartbeat). Each time the
 * evaluation must end with a message that says what happened, the dataset must be loaded into a
 * fresh worker, and the next evaluation must work. A reload mid-evaluation is reported as an interruption.
 */
import { readdir } from 'node:fs/promises';
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalSubset, openNotebook, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

async function labWorker(page: Page): Promise<Worker> {
  await expect.poll(() => page.workers().filter((w) => w.url().includes('lab.worker')).length, { timeout: 60_000 }).toBeGreaterThan(0);
  return page.workers().filter((w) => w.url().includes('lab.worker')).at(-1)!;
}

/** Starts an evaluation and waits until it runs (not for a phase: embeddings kept from the last run skip encoding). */
async function startEvaluation(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.getByTestId('evaluate-status').filter({ hasText: 'running' }).waitFor({ timeout: 60_000 });
  await page.getByRole('progressbar').first().waitFor({ timeout: 60_000 });
}

async function expectRecovered(page: Page, message: RegExp, runs: number): Promise<void> {
  const panel = page.getByTestId('error-panel');
  await panel.waitFor({ timeout: 60_000 });
  expect(await panel.textContent()).toMatch(message);
  expect(await page.getByTestId('evaluate-status').textContent()).toBe('failed');
  // The dataset goes into the fresh worker, and the page evaluates again.
  await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.getByTestId('runs-table').locator(`tr[data-run="${runs}"]`).waitFor({ timeout: 180_000 });
}

describe('lab worker supervision in Chromium', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());

  it('a worker that throws or closes mid-evaluation ends the task with a message; a fresh worker takes over; a reload is an interruption', async () => {
    const languages = (await readdir(XQUAD_R_DIR)).filter((f) => f.endsWith('.json')).map((f) => f.replace('.json', ''));
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, languages, null);
    await page.getByTestId('dataset-summary').filter({ hasText: '13,090 queries' }).waitFor();

    await startEvaluation(page);
    const thrown = Date.now();
    await (await labWorker(page)).evaluate(() => {
      setTimeout(() => {
        throw new Error('injected fault');
      });
    });
    await expectRecovered(page, /The lab worker stopped \(it failed: (Uncaught )?Error: injected fault\): the task it was running ended\. A fresh worker was started/, 1);
    console.log(`thrown: noticed and recovered, then evaluated in ${((Date.now() - thrown) / 1000).toFixed(1)} s`);

    await startEvaluation(page);
    const closed = Date.now();
    await (await labWorker(page)).evaluate(() => (self as unknown as { close(): void }).close());
    await page.getByTestId('error-panel').waitFor({ timeout: 60_000 });
    const noticedAfter = (Date.now() - closed) / 1000;
    console.log(`closed: noticed after ${noticedAfter.toFixed(1)} s`);
    expect(noticedAfter).toBeLessThan(30);
    await expectRecovered(page, /The lab worker stopped \(it stopped answering for \d+ s\)/, 2);

    // A reload mid-evaluation: the next page says the evaluation was interrupted; a later reload no longer does.
    await startEvaluation(page);
    await page.reload();
    const interrupted = page.getByTestId('interrupted-task');
    await interrupted.waitFor({ timeout: 60_000 });
    expect(await interrupted.textContent()).toMatch(/^Interrupted: An evaluation started at .+ was still running when the page was left: it was interrupted and nothing of it was kept; run it again\.$/);
    expect(await page.getByTestId('runs-table').locator('tbody tr').count()).toBe(2);
    await page.reload();
    await page.getByTestId('runs-table').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('interrupted-task').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 400_000);
});
