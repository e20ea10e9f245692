/**
 * The MIRACL layout in the notebook (issue 18). The same XQuAD-R subset is served from a data folder
 * of its own twice: as LAReQA JSON and in the MIRACL layout (test/support/miracl-fixture.ts: the
 * corpus split over docs-0.jsonl and a gzipped docs-1.jsonl.gz). Evaluated with the lexical encoder,
 * both give the same monolingual cells, and those of the core in Node. The MIRACL folder also loads
 * dragged from the desktop (the folder, or its language folders) and picked with the keyboard (kept
 * in IndexedDB across a reload); a corrupt .gz and a language folder without qrels.tsv are named in
 * the Dataset cell.
 */
import { cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FileChooser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLexicalEncoder, DEFAULT_LEXICAL_OPTIONS } from '../../src/core/encoders/lexical';
import { evaluateDataset } from '../../src/core/evaluate';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import type { EvalReport } from '../../src/core/metrics/types';
import { readDatasetFolder } from '../../src/node/read-dataset';
import { dropPaths, openNotebook, readSummaryTitles, SHOTS_DIR, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';
import { writeMiraclLayout } from '../support/miracl-fixture';

const LANGUAGES = ['de', 'en', 'zh']; // sorted: the app keeps the dataset's language order
const ARTICLES = 2;
const MONOLINGUAL = ['mono_map', 'mono_ndcg10', 'mono_r100'] as const;

/** What one evaluation shows: the summary's full-precision values and the mAP heatmap's diagonal. */
interface Shown {
  titles: Record<string, string | null>;
  diagonal: (number | null)[];
}

/** The data folder's menu (its options are the served folders). */
const folderMenu = (page: Page) => page.locator('select').filter({ has: page.locator('option[value="xquad-mini"]') });

async function loadDataFolder(page: Page, folder: string): Promise<void> {
  await page.getByRole('radio', { name: 'Local data folder' }).check();
  await folderMenu(page).selectOption(folder);
  await page.getByRole('button', { name: 'Load dataset' }).click();
  await expect.poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 60_000 }).toContain(`${folder}: ${LANGUAGES.length} languages`);
}

/** Evaluates the loaded dataset as run `number` and reads what the Results cell shows for it. */
async function evaluate(page: Page, number: number): Promise<Shown> {
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.getByTestId('runs-table').locator(`tr[data-run="${number}"]`).waitFor({ timeout: 120_000 });
  await page.getByTestId('summary-table').locator('thead').filter({ hasText: `Run ${number}` }).waitFor();
  const plot = page.getByRole('figure', { name: `Run ${number}: mAP, query × passage language` }).locator('[data-testid^="heatmap-"]');
  await plot.locator('.heatmap-label').first().waitFor();
  const z = await plot.evaluate((element) => (element as HTMLElement & { data: { z: (number | null)[][] }[] }).data[0].z);
  return { titles: await readSummaryTitles(page), diagonal: z.map((row, i) => row[i]) };
}

function expectMonolingual(shown: Shown, report: EvalReport): void {
  expect(shown.diagonal).toEqual(LANGUAGES.map((x) => report.cells[x][x].map));
  for (const key of MONOLINGUAL) expect(shown.titles[key], key).toBe(String(report.summary[key]));
}

describe('the MIRACL layout in Chromium', () => {
  let scratch: string;
  let harness: Harness;
  let fromLareqa: EvalReport;
  let fromMiracl: EvalReport;
  const dataDir = () => path.join(scratch, 'data');

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'xling-miracl-cell-'));
    const lareqaDir = path.join(dataDir(), 'xquad-mini');
    await mkdir(lareqaDir, { recursive: true });
    for (const lang of LANGUAGES) {
      const file = JSON.parse(await readFile(path.join(XQUAD_R_DIR, `${lang}.json`), 'utf8')) as { data: unknown[] };
      await writeFile(path.join(lareqaDir, `${lang}.json`), JSON.stringify({ ...file, data: file.data.slice(0, ARTICLES) }));
    }
    const lareqa = await readDatasetFolder(lareqaDir);
    await writeMiraclLayout(lareqa, path.join(dataDir(), 'miracl-mini'));
    const report = async (dir: string) => (await evaluateDataset(await readDatasetFolder(dir), createLexicalEncoder(DEFAULT_LEXICAL_OPTIONS), { matmul: jsMatmul })).report;
    [fromLareqa, fromMiracl] = await Promise.all([report(lareqaDir), report(path.join(dataDir(), 'miracl-mini'))]);
    harness = await startHarness({ dataDir: dataDir() });
  });
  afterAll(async () => {
    await harness?.close();
    if (scratch) await rm(scratch, { recursive: true });
  });

  it('gives the same monolingual cells from LAReQA JSON and from the MIRACL layout, from the data folder, a drop and a keyboard pick', async () => {
    const { context, page, errors } = await openNotebook(harness);
    // The core agrees with itself first: the monolingual cells of the two layouts are the same numbers.
    for (const x of LANGUAGES) expect(fromMiracl.cells[x][x]).toEqual(fromLareqa.cells[x][x]);

    await loadDataFolder(page, 'xquad-mini');
    expectMonolingual(await evaluate(page, 1), fromLareqa);

    // The MIRACL folder's languages are known from its language folders before anything is read. A
    // first-K-articles value left from LAReQA does not apply: the field is off, says why, and every
    // query loads (the numbers below are the whole MIRACL folder's).
    const articles = page.getByLabel('First K articles');
    await articles.fill('1');
    await folderMenu(page).selectOption('miracl-mini');
    await expect.poll(() => page.locator('.subset').getByRole('checkbox').evaluateAll((boxes) => boxes.map((box) => (box as HTMLInputElement).value))).toEqual(LANGUAGES);
    expect(await articles.isDisabled()).toBe(true);
    expect(await articles.inputValue()).toBe('');
    expect(await page.locator('.field.articles').textContent()).toContain('MIRACL corpora have no articles: every query loads');
    await page.getByRole('region', { name: 'Dataset' }).screenshot({ path: `${SHOTS_DIR}/miracl-no-articles.png` });
    await loadDataFolder(page, 'miracl-mini');
    const summaryText = await page.getByTestId('dataset-summary').textContent();
    expectMonolingual(await evaluate(page, 2), fromMiracl);

    // The same folder from the desktop: its language folders come with it, the .gz unzipped in the browser.
    await page.getByRole('radio', { name: 'Your files' }).check();
    const problem = page.getByRole('region', { name: 'Dataset' }).getByTestId('error-panel');
    const broken = path.join(scratch, 'broken', 'miracl-mini');
    await cp(path.join(dataDir(), 'miracl-mini'), broken, { recursive: true });
    const gz = path.join(broken, 'zh', 'docs-1.jsonl.gz');
    await truncate(gz, (await readFile(gz)).length - 12); // cut inside the deflate data and its trailer
    await dropPaths(page, 'dropzone', [broken]);
    await expect.poll(() => problem.textContent(), { timeout: 60_000 }).toMatch(/miracl-mini\/zh\/docs-1\.jsonl\.gz.*not a whole gzip file/);

    await rm(path.join(broken, 'de', 'qrels.tsv'));
    await cp(path.join(dataDir(), 'miracl-mini', 'zh'), path.join(broken, 'zh'), { recursive: true });
    await dropPaths(page, 'dropzone', [broken]);
    await expect.poll(() => problem.textContent(), { timeout: 60_000 }).toMatch(/de\/qrels\.tsv.*file not found/);

    // The data folder's MIRACL dataset stayed loaded through the failed drops: what shows that the drop
    // loaded is the list of kept files, unzipped under the name without .gz.
    await dropPaths(page, 'dropzone', [path.join(dataDir(), 'miracl-mini')]);
    await expect.poll(() => page.getByTestId('dropzone').textContent(), { timeout: 60_000 }).toContain('Kept in this browser: miracl-mini/de/');
    expect(await page.getByTestId('dropzone').textContent()).toContain('miracl-mini/zh/docs-1.jsonl (');
    expect(await problem.count()).toBe(0);
    expect(await page.getByTestId('dataset-summary').textContent()).toBe(summaryText);

    // The language folders dropped without their parent: the same data, named "dataset" (no parent folder).
    await dropPaths(page, 'dropzone', LANGUAGES.map((lang) => path.join(dataDir(), 'miracl-mini', lang)));
    await expect.poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 60_000 }).toBe(summaryText!.replace(/^miracl-mini/, 'dataset'));

    // The folder picker by keyboard, after that other pick (so only the keyboard's pick can bring the
    // MIRACL folder's summary back): Tab from "Choose files…" to "Choose a folder…", Space opens the chooser.
    // The cell may still re-render from the last drop (its kept files arriving): a Space that lands on
    // an element being replaced opens nothing, so the keyboard gets a second and third try.
    let chooser: FileChooser | null = null;
    for (let attempt = 0; attempt < 3 && !chooser; attempt++) {
      await page.getByTestId('pick-files').focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('pick-folder');
      const opened = page.waitForEvent('filechooser', { timeout: 20_000 }).catch(() => null);
      await page.keyboard.press('Space');
      chooser = await opened;
    }
    expect(chooser, 'Space on the focused folder picker opens the file chooser').not.toBeNull();
    await chooser!.setFiles(path.join(dataDir(), 'miracl-mini'));
    await expect.poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 60_000 }).toBe(summaryText);
    expect(await page.getByTestId('dropzone').textContent()).toContain('miracl-mini/zh/docs-1.jsonl (');
    await page.waitForTimeout(500); // past the save debounce
    await page.reload();
    await page.getByTestId('dataset-status').filter({ hasText: 'loaded' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('dataset-summary').textContent()).toBe(summaryText);
    expectMonolingual(await evaluate(page, 3), fromMiracl);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
