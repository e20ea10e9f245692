/**
 * The compare view in Chromium at 1366 px: two runs that measured different questions (two article
 * subsets) get no coloured differences and no difference heatmap, with the reason and the run that
 * measured the same questions offered; once compared with that run, the difference heatmap is drawn
 * and the per-language table shows its last column without being cut off.
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalSubset, openNotebook, SHOTS_DIR, startHarness, type Harness } from '../support/harness';

describe('compare view in Chromium', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
    await mkdir(SHOTS_DIR, { recursive: true });
  }, 180_000);
  afterAll(() => harness?.close());

  it('refuses to colour differences between other questions and offers the matching run; at 1366 px no column is cut off', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1366, height: 900 } });
    const { page, errors } = await openNotebook(harness, context);
    const rows = page.getByTestId('runs-table').locator('tbody tr');
    const evaluate = async (runs: number) => {
      await page.getByRole('button', { name: 'Evaluate' }).click();
      await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(runs);
    };
    await loadLocalSubset(page, ['de', 'en', 'es', 'zh'], 3);
    await evaluate(1);
    await loadLocalSubset(page, ['de', 'en', 'es', 'zh'], 4);
    await evaluate(2);

    // Run 2 (4 articles) against Run 1 (3 articles): other questions.
    const results = page.locator('#results');
    await page.getByTestId('compare-select').selectOption({ index: 1 });
    const notice = results.getByTestId('different-questions');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/Run 2 and Run 1 measured different questions/);
    expect(await results.getByTestId('summary-table').locator('td.delta').count()).toBeGreaterThan(0);
    expect(await results.locator('td.delta.better, td.delta.worse').count()).toBe(0);
    expect(await results.getByTestId('heatmap-difference').count()).toBe(0);
    expect(await notice.getByTestId('compare-matching').count()).toBe(0);

    // Run 3 measures Run 2's questions again, with other candidate texts: shown against Run 1, Run 2 is offered.
    await page.getByRole('radio', { name: /Sentence \+ paragraph/ }).check();
    await evaluate(3);
    await page.getByTestId('compare-select').selectOption({ index: 1 });
    await notice.waitFor();
    const offered = notice.getByTestId('compare-matching');
    expect(await offered.allTextContents()).toEqual([expect.stringMatching(/^Compare with Run 2 /)]);
    await offered.click();
    await results.getByTestId('heatmap-difference').waitFor();
    expect(await notice.count()).toBe(0);
    // The widest tables: real differences with their CIs and p-values.
    await results.getByTestId('significance-caption').waitFor({ timeout: 120_000 });

    // The per-language table's last column is inside the page and its table is not scrolled away.
    const lastHead = results.getByTestId('language-table').locator('thead th').last();
    expect(await lastHead.textContent()).toBe('ΔRank dist.');
    const box = (await lastHead.boundingBox())!;
    const cell = (await results.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(cell.x + cell.width);
    const overflow = await results.getByTestId('language-table').evaluate((table) => table.scrollWidth - table.parentElement!.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Not squeezed either: every column head of both tables on one line (beside the heatmap, "Rank dist." took two).
    const wrappedHeads = await results.locator('[data-testid="language-table"] thead th, [data-testid="summary-table"] thead th').evaluateAll((heads) =>
      heads.flatMap((head) => {
        const walker = document.createTreeWalker(head, NodeFilter.SHOW_TEXT);
        const lines = new Set<number>();
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement?.closest('[role="tooltip"]')) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          for (const rect of range.getClientRects()) if (rect.width > 0) lines.add(Math.round(rect.top));
        }
        return lines.size > 1 ? [head.firstChild?.textContent ?? head.textContent] : [];
      }),
    );
    expect(wrappedHeads).toEqual([]);
    await results.screenshot({ path: `${SHOTS_DIR}/compare-1366.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 400_000);
});
