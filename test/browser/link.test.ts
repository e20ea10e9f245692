/**
 * The experiment in a link: settings changed in one browser profile come back from the copied link in a
 * fresh one (no IndexedDB shared), a hidden cell stays hidden, and a bad link shows what it got wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openNotebook, SHOTS_DIR, startHarness, type Harness } from '../support/harness';

describe('settings link in Chromium', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** A fresh profile with the notebook opened from a link. */
  async function openLink(link: string) {
    const context = await harness.browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(link);
    await page.getByRole('heading', { name: 'Dataset' }).waitFor();
    return { context, page, errors };
  }

  /** What the cells show of the settings the test changes. */
  async function shownSettings(page: Page) {
    const subset = page.locator('.subset');
    await subset.getByRole('checkbox').first().waitFor();
    const checked = await subset.getByRole('checkbox').evaluateAll((boxes) => (boxes as HTMLInputElement[]).filter((box) => box.checked).map((box) => box.value));
    return {
      source: await page.getByRole('radio', { name: 'Local data folder' }).isChecked(),
      languages: checked,
      articles: await page.getByLabel('First K articles').inputValue(),
      preset: await page.locator('input[name="mix-preset"]:checked').getAttribute('value'),
      seed: await page.locator('#batch-mix').getByLabel('Seed', { exact: true }).inputValue(),
      steps: await page.locator('#train').getByLabel('Steps', { exact: true }).inputValue(),
    };
  }

  it('opens the copied link in a fresh profile with the same settings', async () => {
    const first = await harness.browser.newContext({ viewport: { width: 1360, height: 900 } });
    await first.grantPermissions(['clipboard-read', 'clipboard-write']);
    const { page, errors } = await openNotebook(harness, first);
    await page.getByRole('radio', { name: 'Local data folder' }).check();
    const subset = page.locator('.subset');
    await subset.getByRole('checkbox').first().waitFor();
    for (const box of await subset.getByRole('checkbox').all()) {
      await box.setChecked(['de', 'el', 'zh'].includes((await box.getAttribute('value'))!));
    }
    await page.getByLabel('First K articles').fill('9');
    await page.locator('input[name="mix-preset"][value="x-y"]').check();
    await page.locator('#batch-mix').getByLabel('Seed', { exact: true }).fill('4242');
    await page.locator('#train').getByLabel('Steps', { exact: true }).fill('77');
    const before = await shownSettings(page);
    expect(before).toEqual({ source: true, languages: ['de', 'el', 'zh'], articles: '9', preset: 'x-y', seed: '4242', steps: '77' });

    await page.getByTestId('copy-link').click();
    await expect.poll(() => page.getByTestId('link-bar').textContent(), { timeout: 60_000 }).toContain('Link copied');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toContain('seed=4242');
    expect(errors).toEqual([]);
    await first.close();

    const { context, page: opened, errors: openedErrors } = await openLink(link);
    expect(await shownSettings(opened)).toEqual(before);
    expect(await opened.getByTestId('link-problems').count()).toBe(0);
    expect(openedErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('keeps hidden cells hidden and says what a bad link got wrong', async () => {
    const { context, page, errors } = await openLink(`${harness.url}#v=1&seed=-5&steps=30&colour=red&hide=train,batch-mix`);
    await page.getByTestId('link-problems').waitFor();
    expect(await page.getByTestId('link-problems').textContent()).toContain('seed: expected a whole number from 0 to 4,294,967,295, got "-5"');
    expect(await page.getByTestId('link-problems').textContent()).toContain('colour');
    expect(await page.locator('#train').count()).toBe(0);
    expect(await page.locator('#batch-mix').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS_DIR}/bad-link.png` });
    // The address bar keeps the lesson's hiding, now with every setting spelled out.
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 60_000 }).toContain('hide=train,batch-mix');
    expect(await page.evaluate(() => location.hash)).toContain('&steps=30&');
    await page.reload();
    await page.getByRole('heading', { name: 'Dataset' }).waitFor();
    expect(await page.locator('#train').count()).toBe(0);
    expect(await page.getByTestId('link-problems').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('never lets a bad value block the notebook, and echoes a long one cut short', async () => {
    const { context, page, errors } = await openLink(`${harness.url}#v=1&source=folder&folder=xquad-r&steps=1000000000000&seed=${'9'.repeat(20_000)}`);
    const problems = page.getByTestId('link-problems');
    await problems.waitFor();
    expect(await problems.textContent()).toContain('steps: expected a whole number from 1 to 100,000, got "1000000000000"');
    expect(await problems.textContent()).toContain('(20,000 characters)');
    // The field shows the default, which it accepts: Load dataset is not held back by "Fix Steps first".
    expect(await page.locator('#train').getByLabel('Steps', { exact: true }).inputValue()).toBe('300');
    expect(await page.getByRole('button', { name: 'Load dataset' }).isEnabled()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1360);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
