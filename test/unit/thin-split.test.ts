/** A split that leaves almost nothing to train on is said before training starts (the Train cell shows it). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/core/dataset/load';
import { splitByArticles } from '../../src/core/training/split';
import { thinSplitWarning, VALIDATION_FRACTION } from '../../src/app/state/training';
import { XQUAD_R_DIR } from '../support/harness';

const files = ['de', 'en'].map((lang) => ({ name: `${lang}.json`, text: readFileSync(join(XQUAD_R_DIR, `${lang}.json`), 'utf8') }));
const split = (articles: number, train: number) => splitByArticles(loadDataset(files, { articles }), { train, validation: VALIDATION_FRACTION, seed: 1 }).record;

describe('a thin split', () => {
  it('of 2 articles at half leaves 1 to train on, and says so', () => {
    expect(thinSplitWarning(split(2, 0.5))).toBe(
      'The split leaves only 1 article to train on (articles:0.5 of 2 articles, less the validation part): a head trained on so little ' +
        'learns that article, not the mix. Load more articles, or raise "Training articles" in the Batch Mix cell.',
    );
  });

  it('of 5 articles at 0.6 leaves 2 once validation takes 1', () => {
    expect(thinSplitWarning(split(5, 0.6))).toMatch(/^The split leaves only 2 articles to train on \(articles:0\.6 of 5 articles/);
  });

  it('of 10 articles at half leaves 4: no warning', () => {
    expect(thinSplitWarning(split(10, 0.5))).toBeNull();
  });
});
