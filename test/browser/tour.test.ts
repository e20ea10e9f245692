/**
 * The guided tour, walked with the keyboard only: Enter on the header button opens it at the Dataset
 * cell with focus on Next; Enter goes on, Shift+Tab then Enter goes back; each step's part of the page
 * is scrolled into view; Escape closes it and gives focus back to the button; only "seen" is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openNotebook, SHOTS_DIR, startHarness, type Harness } from '../support/harness';

async function tourState(page: Page) {
  const tour = page.getByTestId('tour');
  return {
    step: await tour.locator('p').first().textContent(),
    title: await tour.getByRole('heading').textContent(),
    target: await tour.getAttribute('data-target'),
    focused: await page.evaluate(() => document.activeElement?.textContent ?? null),
    targetInView: await page.evaluate((id) => {
      const box = document.getElementById(id!)!.getBoundingClientRect();
      return box.top >= -1 && box.top < window.innerHeight;
    }, await tour.getAttribute('data-target')),
  };
}

describe('the guided tour in Chromium', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('walks load, evaluate, heatmap, mix, train and compare with the keyboard, and remembers only that it was seen', async () => {
    const { context, page, errors } = await openNotebook(harness);
    // React reports invalid markup (a dialog inside a <p>) on the console, not as a page error.
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const start = page.getByTestId('tour-start');
    expect(await start.textContent()).toBe('Guided tour new');
    await start.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('tour').waitFor();
    expect(await tourState(page)).toEqual({ step: 'Step 1 of 6', title: 'Load a dataset', target: 'dataset', focused: 'Next', targetInView: true });
    expect(await page.getByRole('dialog', { name: 'Load a dataset' }).getByRole('button', { name: 'Back' }).isDisabled()).toBe(true);
    await page.screenshot({ path: `${SHOTS_DIR}/tour-first-step.png` });

    const walked: [string | null, string | null][] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Enter');
      const state = await tourState(page);
      expect(state.targetInView).toBe(true);
      walked.push([state.title, state.target]);
      if (i === 1) {
        await page.keyboard.press('Shift+Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Back');
        await page.keyboard.press('Enter');
        expect((await tourState(page)).title).toBe('Evaluate the encoder');
        expect((await tourState(page)).focused).toBe('Next');
        await page.keyboard.press('Enter');
        await page.screenshot({ path: `${SHOTS_DIR}/tour-heatmap-step.png` });
      }
    }
    expect(walked).toEqual([
      ['Evaluate the encoder', 'evaluate'],
      ['Read the heatmap', 'results'],
      ['Mix the training batches', 'batch-mix'],
      ['Train a head', 'train'],
      ['Compare the runs', 'results'],
    ]);
    expect(await tourState(page)).toMatchObject({ step: 'Step 6 of 6', focused: 'Done' });
    await page.screenshot({ path: `${SHOTS_DIR}/tour-last-step.png` });

    await page.keyboard.press('Escape');
    await page.getByTestId('tour').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tour-start');
    expect(await start.textContent()).toBe('Guided tour');
    await page.reload();
    await page.getByRole('heading', { name: 'Dataset' }).waitFor();
    expect(await page.getByTestId('tour-start').textContent()).toBe('Guided tour');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('leaves out the steps of cells a link hides', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${harness.url}#v=1&hide=batch-mix,train`);
    await page.getByTestId('tour-start').click();
    const titles: (string | null)[] = [];
    for (let step = 1; step <= 4; step++) {
      expect((await tourState(page)).step).toBe(`Step ${step} of 4`);
      titles.push((await tourState(page)).title);
      await page.keyboard.press('Enter');
    }
    expect(titles).toEqual(['Load a dataset', 'Evaluate the encoder', 'Read the heatmap', 'Compare the runs']);
    await page.getByTestId('tour').waitFor({ state: 'detached' });
    await context.close();
  }, 60_000);
});
