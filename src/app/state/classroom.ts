/**
 * The classroom preset: one click loads a subset of XQuAD-R, evaluates it with the lexical encoder and
 * trains X-X-mono, X-Y and hybrid (Tables 1 and 2), then adds the frozen encoder on the mixes' evaluation side
 * as a run (what the trained runs compare with); about a minute on a quiet 2-core laptop, measured from the click
 * (docs/benchmarks.md).
 *
 * Chosen by measurement with `xling train` (seed 1): on these six languages and the first 20
 * articles, 100 steps of batch 32 move cross-lingual mAP on the held-out articles from .147 to
 * .151 (X-X-mono), .154 (X-Y) and .153 (hybrid), monolingual mAP staying within .002 of X-X-mono's,
 * and rank distance from 1192 to 1184 / 1156 / 1173: the paper's picture, small but visible.
 */
import { DEFAULT_LEXICAL_OPTIONS } from '../../core/encoders/lexical';
import type { DatasetSelection, Settings } from './settings';
import { withPreset } from './training';

export const CLASSROOM_LANGUAGES = ['ar', 'de', 'en', 'es', 'ru', 'zh'];
export const CLASSROOM_ARTICLES = 20;

/** The settings of the preset, everything not named kept. */
export function classroomSettings(settings: Settings, folder: string | null): Settings {
  return {
    ...settings,
    dataset: {
      ...settings.dataset,
      source: folder ? 'folder' : 'catalog',
      folder: folder ?? settings.dataset.folder,
      catalog: 'xquad-r',
      languages: CLASSROOM_LANGUAGES,
      articles: CLASSROOM_ARTICLES,
    },
    encoder: { kind: 'lexical', ...DEFAULT_LEXICAL_OPTIONS },
    candidateText: 'sentence',
    scoring: 'auto',
    mix: { ...withPreset(settings.mix, 'hybrid'), batchSize: 32, seed: 1, trainFraction: 0.5, excludeLanguages: [], languageWeighting: 'uniform' },
    train: { ...settings.train, steps: 100, heldOutEvery: 25, device: 'auto' },
  };
}

/** The local data folder's XQuAD-R when the server has one, else the catalog's. */
export function classroomSelection(folder: string | null): DatasetSelection {
  return {
    source: folder ? { kind: 'folder', folder } : { kind: 'catalog', id: 'xquad-r' },
    languages: CLASSROOM_LANGUAGES,
    articles: CLASSROOM_ARTICLES,
  };
}
