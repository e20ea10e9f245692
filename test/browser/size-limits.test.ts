/**
 * The browser's size limits (core/job-size.ts), in Chromium: a dataset file over 100 MB is refused
 * before it is read, with the limit and what to do, and the dataset loaded before stays; a dataset
 * whose evaluation would need more than 2 GB with whole score rows is streamed instead (issue 18),
 * with progress and Cancel, and one that needs more than 2 GB even streamed stops before encoding,
 * with the estimate and why. Before, a 200 MB file failed deep in IndexedDB ("The transaction has finished").
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalSubset, openNotebook, startHarness, XQUAD_R_DIR, type Harness } from '../support/harness';

const LANGUAGES = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'];

/** XQuAD-R `times` over: every article repeated with its question ids made unique per copy. */
async function writeRepeated(folder: string, times: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const lang of LANGUAGES) {
    const file = JSON.parse(await readFile(path.join(XQUAD_R_DIR, `${lang}.json`), 'utf8')) as { data: { paragraphs: { qas: { id: string }[] }[] }[] };
    const data = Array.from({ length: times }, (_, copy) =>
      file.data.map((article) => ({
        ...article,
        paragraphs: article.paragraphs.map((paragraph) => ({ ...paragraph, qas: paragraph.qas.map((qa) => ({ ...qa, id: `${qa.id}-${copy}` })) })),
      })),
    ).flat();
    await writeFile(path.join(folder, `${lang}.json`), JSON.stringify({ ...file, data }));
  }
}

describe('size limits in Chromium', () => {
  let harness: Harness;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'xling-size-'));
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
    await rm(scratch, { recursive: true });
  });

  it('a file over 100 MB is refused before it is read; a job over 2 GB streams, and one over 2 GB even streamed stops before encoding', async () => {
    const { context, page, errors } = await openNotebook(harness);
    await loadLocalSubset(page, ['de', 'en'], 1);
    const summary = page.getByTestId('dataset-summary');
    const before = await summary.textContent();

    const huge = path.join(scratch, 'huge');
    await mkdir(huge);
    await writeFile(path.join(huge, 'en.json'), Buffer.alloc(101 * 1024 ** 2, 0x20));
    await writeFile(path.join(huge, 'de.json'), await readFile(path.join(XQUAD_R_DIR, 'de.json')));
    await page.getByRole('radio', { name: 'Your files' }).check();
    await page.getByTestId('pick-folder').setInputFiles(huge);
    const problem = page.getByRole('region', { name: 'Dataset' }).getByTestId('error-panel');
    await problem.waitFor({ timeout: 60_000 });
    expect(await problem.textContent()).toContain("en.json (101 MB) is over the browser's limit of 100 MB per dataset file. " +
      'Pick fewer or smaller files (a subset of languages), or use the command line (npm run xling -- eval --dataset <folder>) for data this big.');
    expect(await summary.textContent()).toBe(before);

    // Four times XQuAD-R loads (37 MB). At the lexical encoder's 2048 dimensions whole score rows would need
    // 2 x ((52,360 + 2 x 52,056) x 2048 x 4 + 512 x 52,056 x 4 + 52,056 x 8) = 2,777,691,520 bytes (2.6 GB, over 2 GB = 2,147,483,648);
    // streamed, 2 x ((52,360 + 52,056 + 16,384) x 2048 x 4 + 512 x 16,384 x 4 + 52,360 x 256) = 2,073,104,384 (1.9 GB): Ranking
    // by job size streams it.
    const fourfold = path.join(scratch, 'fourfold');
    await writeRepeated(fourfold, 4);
    await page.getByTestId('pick-folder').setInputFiles(fourfold);
    await expect.poll(() => summary.textContent(), { timeout: 120_000 }).toContain('fourfold: 11 languages');
    // The estimate is in the Evaluate cell before anything runs.
    const estimate = page.getByTestId('job-estimate');
    expect(await estimate.textContent()).toBe('Estimate: 52,360 queries x 52,056 candidates at 2048 dimensions, streamed in blocks of 16,384 candidates: ' +
      'about 1.9 GB of memory and 6 min of scoring (encoding not included).');
    expect(await page.getByTestId('job-problem').count()).toBe(0);

    // At 4096 dimensions even streaming does not fit (3.8 GB, of which the embeddings 2 x 104,416 x 4096 x 4 bytes = 3.2 GB):
    // said before a run, and the run stops before encoding with the same words.
    await page.locator('#encoder').getByLabel('Dimension').fill('4096');
    const refusal = 'This job is too big for the browser even streamed: 52,360 queries x 52,056 candidates at 4096 dimensions, streamed in blocks of ' +
      "16,384 candidates: about 3.8 GB of memory and 10 min of scoring (encoding not included), over the notebook's limit of 2.0 GB. " +
      'The query and candidate embeddings, kept whole for ranking, count for about 3.2 GB of that at 4096 dimensions.';
    await expect.poll(() => page.getByTestId('job-problem').textContent(), { timeout: 60_000 }).toContain(refusal);
    const evaluateCell = page.getByRole('region', { name: 'Evaluate' });
    await evaluateCell.getByRole('button', { name: 'Evaluate', exact: true }).click();
    const tooBig = evaluateCell.getByTestId('error-panel');
    await tooBig.waitFor({ timeout: 60_000 });
    expect(await tooBig.textContent()).toContain(refusal);
    expect(await page.getByRole('progressbar', { name: /^Encoding/ }).count()).toBe(0);

    // Back at 2048 the job the notebook refused before runs, streamed: the scoring bar counts candidates with
    // its rate and time left, and Cancel stops it.
    await page.locator('#encoder').getByLabel('Dimension').fill('2048');
    await expect.poll(() => page.getByTestId('job-problem').count(), { timeout: 60_000 }).toBe(0);
    await evaluateCell.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await page.getByRole('progressbar', { name: /^Scoring and counting, 16,384 candidates a block, on sparse exact/ }).waitFor({ timeout: 240_000 });
    await expect.poll(() => evaluateCell.locator('.progress-text').textContent(), { timeout: 120_000 }).toMatch(/\/ 52,056 candidates · [\d,.]+ candidates\/s · .+ left/);
    await evaluateCell.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('evaluation-cancelled').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('progressbar').count()).toBe(0);
    expect(await page.getByTestId('runs-table').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);

  it('files the browser has no room to keep still load, with a warning that says so', async () => {
    // 200 kB for the whole origin: XQuAD-R's en.json and de.json (3 MB) do not fit. Set before the
    // page first opens the origin's storage: set after (even with a reload between), Chromium's
    // IndexedDB sometimes still let the write through, as if it kept the room it had counted before.
    // (navigator.storage.estimate() does not show the override either way.)
    const context = await harness.browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const devtools = await context.newCDPSession(page);
    await devtools.send('Storage.overrideQuotaForOrigin', { origin: new URL(harness.url).origin, quotaSize: 200_000 });
    await page.goto(harness.url);
    await page.getByRole('heading', { name: 'Dataset' }).waitFor();
    await page.getByRole('radio', { name: 'Your files' }).check();
    await page.getByTestId('pick-files').setInputFiles(['en', 'de'].map((lang) => path.join(XQUAD_R_DIR, `${lang}.json`)));
    const summary = page.getByTestId('dataset-summary');
    await expect.poll(() => summary.textContent(), { timeout: 60_000 }).toContain('dataset: 2 languages');
    expect(await summary.textContent()).toContain('1 warning (loaded anyway)en.json, de.json: loaded, but not kept for the next visit ' +
      '(the browser has no room left for this site: free space (remove cached models in the Encoder cell), then pick them again)');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
