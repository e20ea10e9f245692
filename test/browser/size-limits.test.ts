/**
 * The browser's size limits (core/job-size.ts), in Chromium: a dataset file over 100 MB is refused
 * before it is read, with the limit and what to do, and the dataset loaded before stays; a dataset
 * that loads but whose evaluation would need more than 2 GB by the estimate stops before encoding,
 * with the estimate. Before, a 200 MB file failed deep in IndexedDB ("The transaction has finished").
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

  it('a file over 100 MB is refused before it is read; a job over 2 GB stops before encoding', async () => {
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

    // Four times XQuAD-R loads (37 MB), but at the lexical encoder's 2048 dimensions its evaluation needs
    // 2 x ((52,360 + 2 x 52,056) x 2048 x 4 + 512 x 52,056 x 4 + 52,056 x 8) = 2,777,691,520 bytes (2.6 GB, over 2 GB = 2,147,483,648).
    const fourfold = path.join(scratch, 'fourfold');
    await writeRepeated(fourfold, 4);
    await page.getByTestId('pick-folder').setInputFiles(fourfold);
    await expect.poll(() => summary.textContent(), { timeout: 120_000 }).toContain('fourfold: 11 languages');
    // The estimate is in the Evaluate cell before anything runs.
    expect(await page.getByTestId('job-estimate').textContent()).toBe('Estimate: 52,360 queries x 52,056 candidates at 2048 dimensions: ' +
      'about 2.6 GB of memory and 6 min of scoring (encoding not included).');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    const tooBig = page.getByRole('region', { name: 'Evaluate' }).getByTestId('error-panel');
    await tooBig.waitFor({ timeout: 60_000 });
    expect(await tooBig.textContent()).toContain('This job is too big for the browser: 52,360 queries x 52,056 candidates at 2048 dimensions: ' +
      "about 2.6 GB of memory and 6 min of scoring (encoding not included), over the notebook's limit of 2.0 GB.");
    expect(await page.getByRole('progressbar', { name: /^Encoding/ }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('files the browser has no room to keep still load, with a warning that says so', async () => {
    const { context, page, errors } = await openNotebook(harness);
    // 200 kB for the whole origin: XQuAD-R's en.json and de.json (3 MB) do not fit.
    const devtools = await context.newCDPSession(page);
    await devtools.send('Storage.overrideQuotaForOrigin', { origin: new URL(harness.url).origin, quotaSize: 200_000 });
    // The page opened its databases before the override; a fresh load opens them under it (without, the write was sometimes let through).
    await page.reload();
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
