/**
 * The settings table and its link codec: a link round-trips every linked setting, bad values and
 * unknown keys fall back to the defaults with a message, and stored settings are checked field by field.
 */
import { describe, expect, it } from 'vitest';
import { readLink, writeLink } from '../../src/app/state/link';
import { DEFAULT_SETTINGS, sanitizeSettings, type Settings } from '../../src/app/state/settings';
import type { TransformerSpec } from '../../src/core/encoders/model-spec';

const TRANSFORMER: TransformerSpec = {
    kind: 'transformer',
    source: { kind: 'hub', id: 'org/model-x', host: 'https://mirror.example/' },
    dtype: 'fp16',
    device: 'wasm',
    pooling: 'cls',
    queryPrefix: 'query: ',
    passagePrefix: 'passage: & more',
  };

/** Settings that differ from the defaults in every linked field (and keep the local ones at theirs). */
const CHANGED: Settings = {
  ...DEFAULT_SETTINGS,
  dataset: { ...DEFAULT_SETTINGS.dataset, source: 'catalog', folder: 'my data', catalog: 'mlqa-r', languages: ['de', 'zh'], articles: 7 },
  encoder: TRANSFORMER,
  encoderDrafts: {
    ...DEFAULT_SETTINGS.encoderDrafts,
    lexical: { dim: 512, minN: 2, maxN: 4 },
    transformer: TRANSFORMER,
  },
  candidateText: 'sentence+paragraph',
  scoring: 'js',
  ranking: { path: 'streaming', block: 4096 },
  mix: { preset: null, weights: { mono: 0.25, mixed: 0, cross: 0.75 }, languageWeighting: 'size', excludeLanguages: ['th', 'hi'], batchSize: 48, seed: 12345, trainFraction: 0.7 },
  train: { steps: 42, headKind: 'adapter', rank: 16, tune: 'layers', layers: 2, learningRate: 0.003, weightDecay: 0.01, warmupSteps: 5, temperature: 0.07, heldOutEvery: 10, heldOutQuestions: 200, device: 'cpu' },
};

describe('settings link', () => {
  it('round-trips every linked setting, and hidden cells', () => {
    const hash = writeLink(CHANGED, ['train', 'classroom']);
    const link = readLink(hash);
    expect(link).toEqual({ settings: CHANGED, hide: ['train', 'classroom'], problems: [] });
  });

  it('spells a link readably', () => {
    const hash = writeLink(CHANGED);
    expect(hash).toContain('&languages=de,zh&');
    expect(hash).toContain('&seed=12345&');
    expect(hash).toContain('&model=hub:org/model-x@https://mirror.example/&');
    expect(hash).toContain('&weights=0.25,0,0.75&');
    expect(hash).toContain('&preset=custom&');
    expect(hash).toContain('&passage-prefix=passage:%20%26%20more&');
  });

  it('reads no link from an empty hash or an anchor', () => {
    expect(readLink('')).toBeNull();
    expect(readLink('#')).toBeNull();
    expect(readLink('#train')).toBeNull();
  });

  it('keeps the defaults for bad values and says which', () => {
    const link = readLink('#v=1&seed=-3&steps=2.5&articles=0&source=ftp&head=adapter&lexical=4096,3-1&weights=0,0,0');
    expect(link!.settings).toEqual({ ...DEFAULT_SETTINGS, train: { ...DEFAULT_SETTINGS.train, headKind: 'adapter' } });
    expect(link!.problems).toEqual([
      'Not valid, defaults used instead: source: expected one of folder, catalog, files, got "ftp"; ' +
        'articles: expected all, or a whole number from 1 to 1,000,000, got "0"; ' +
        'lexical: expected dimension,min-max n-gram lengths the lexical encoder takes (e.g. 2048,2-4), got "4096,3-1"; ' +
        'weights: expected mono,mixed,cross weights, each a number from 0 to 1,000, not all 0, got "0,0,0"; ' +
        'seed: expected a whole number from 0 to 4,294,967,295, got "-3"; steps: expected a whole number from 1 to 100,000, got "2.5".',
    ]);
  });

  it('takes the Ranking and its block, at least 1,024 candidates', () => {
    expect(readLink('#v=1&ranking=rows&candidate-block=2048')!.settings.ranking).toEqual({ path: 'rows', block: 2048 });
    const link = readLink('#v=1&ranking=sideways&candidate-block=100');
    expect(link!.settings.ranking).toEqual({ path: 'auto', block: 16_384 });
    expect(link!.problems).toEqual(['Not valid, defaults used instead: ranking: expected one of auto, rows, streaming, got "sideways"; ' +
      'candidate-block: expected a whole number from 1,024 to 1,048,576, got "100".']);
  });

  it('names unknown keys, unknown hidden names and a missing version', () => {
    const link = readLink('#seed=9&colour=red&hide=train,sidebar');
    expect(link!.settings.mix.seed).toBe(9);
    expect(link!.hide).toEqual(['train']);
    expect(link!.problems).toEqual([
      'The link has no version: it may come from an older xling-lab.',
      'Unknown setting ignored: colour.',
      'Cannot hide sidebar: a link can hide dataset, encoder, evaluate, batch-mix, train, results, sweep, classroom, link.',
    ]);
  });

  it('takes the encoder from its draft, and keeps a preset only with its own weights', () => {
    const link = readLink('#v=1&encoder=lexical&lexical=256,2-2&preset=x-y&weights=1,1,1');
    expect(link!.settings.encoder).toEqual({ kind: 'lexical', dim: 256, minN: 2, maxN: 2 });
    expect(link!.settings.mix.preset).toBeNull();
    expect(link!.problems).toEqual([]);
  });
});

describe('stored settings', () => {
  it('keep what is valid, field by field, and the files kept in this browser', () => {
    const file = { name: 'ar.json', key: 'sha256-1', size: 10 };
    const stored = {
      dataset: { source: 'files', files: [file, { name: 'broken' }], languages: 'en', articles: 3 },
      mix: { seed: 'x', batchSize: 8, preset: 'x-y', weights: { mono: 0, mixed: 0, cross: 1 } },
      train: { device: 'tpu', steps: 10 },
      unknownOldField: true,
    };
    const settings = sanitizeSettings(stored);
    expect(settings.dataset).toEqual({ ...DEFAULT_SETTINGS.dataset, source: 'files', files: [file], articles: 3 });
    expect(settings.mix).toEqual({ ...DEFAULT_SETTINGS.mix, batchSize: 8, preset: 'x-y', weights: { mono: 0, mixed: 0, cross: 1 } });
    expect(settings.train).toEqual({ ...DEFAULT_SETTINGS.train, steps: 10 });
  });

  it('fall back to the defaults for something that is not settings at all', () => {
    expect(sanitizeSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(sanitizeSettings('old')).toEqual(DEFAULT_SETTINGS);
  });
});

describe('a link opened in the browser that stored settings', () => {
  it('keeps the files and embeddings kept in this browser, which a link never carries', () => {
    const file = { name: 'ar.json', key: 'sha256-1', size: 10 };
    const set = { key: 'sha256-2', name: 'e5', dim: 8, queries: 3, candidates: 4 };
    const stored: Settings = {
      ...DEFAULT_SETTINGS,
      dataset: { ...DEFAULT_SETTINGS.dataset, files: [file] },
      encoderDrafts: { ...DEFAULT_SETTINGS.encoderDrafts, files: { kind: 'files', set } },
    };
    const hash = writeLink({ ...DEFAULT_SETTINGS, dataset: { ...DEFAULT_SETTINGS.dataset, source: 'files' }, encoder: { kind: 'files', set: null } });
    expect(hash).not.toContain('sha256');
    const link = readLink(hash, stored)!;
    expect(link.settings.dataset.files).toEqual([file]);
    expect(link.settings.encoder).toEqual({ kind: 'files', set });
    expect(readLink(hash)!.settings.encoder).toEqual({ kind: 'files', set: null });
  });
});
