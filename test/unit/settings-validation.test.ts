/**
 * The settings table's validation at its edges (src/app/state/settings.ts): what a stored notebook
 * or a link may set, value by value, and the paths it names for what it had to replace by defaults.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, sanitizeSettings } from '../../src/app/state/settings';
import type { Rejection } from '../../src/app/state/setting-fields';

/** The paths of the rejected fields. */
const paths = (rejected: Rejection[]) => rejected.map(({ path }) => path);

/** The value the sanitiser keeps at `path` for `value`, and whether it rejected it. */
function check(section: 'mix' | 'train', name: string, value: unknown): { kept: unknown; rejected: string[] } {
  const rejected: Rejection[] = [];
  const settings = sanitizeSettings({ [section]: { [name]: value } }, rejected);
  return { kept: (settings[section] as Record<string, unknown>)[name], rejected: paths(rejected) };
}

describe('settings validation', () => {
  it('takes batch sizes from 2 and whole step counts from 1', () => {
    expect(check('mix', 'batchSize', 2)).toEqual({ kept: 2, rejected: [] });
    expect(check('mix', 'batchSize', 1)).toEqual({ kept: DEFAULT_SETTINGS.mix.batchSize, rejected: ['mix.batchSize'] });
    expect(check('train', 'steps', 1)).toEqual({ kept: 1, rejected: [] });
    expect(check('train', 'steps', 0)).toEqual({ kept: DEFAULT_SETTINGS.train.steps, rejected: ['train.steps'] });
    expect(check('train', 'steps', 2.5)).toEqual({ kept: DEFAULT_SETTINGS.train.steps, rejected: ['train.steps'] });
    expect(check('train', 'steps', '10')).toEqual({ kept: DEFAULT_SETTINGS.train.steps, rejected: ['train.steps'] });
  });

  it('keeps the training side strictly between 0 and 1', () => {
    expect(check('mix', 'trainFraction', 0.3)).toEqual({ kept: 0.3, rejected: [] });
    for (const bad of [0, 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(check('mix', 'trainFraction', bad)).toEqual({ kept: 0.5, rejected: ['mix.trainFraction'] });
    }
  });

  it('takes a positive learning rate and temperature, a weight decay of 0 or more', () => {
    expect(check('train', 'learningRate', 0).rejected).toEqual(['train.learningRate']);
    expect(check('train', 'temperature', -0.05).rejected).toEqual(['train.temperature']);
    expect(check('train', 'weightDecay', 0)).toEqual({ kept: 0, rejected: [] });
    expect(check('train', 'weightDecay', -0.01).rejected).toEqual(['train.weightDecay']);
    expect(check('train', 'warmupSteps', 0)).toEqual({ kept: 0, rejected: [] });
  });

  it('takes batch weights that are not negative and not all zero', () => {
    expect(check('mix', 'weights', { mono: 0, mixed: 0, cross: 2 })).toEqual({ kept: { mono: 0, mixed: 0, cross: 2 }, rejected: [] });
    expect(check('mix', 'weights', { mono: 0, mixed: 0, cross: 0 }).rejected).toEqual(['mix.weights']);
    expect(check('mix', 'weights', { mono: -1, mixed: 0, cross: 2 }).rejected).toEqual(['mix.weights']);
    expect(check('mix', 'weights', { mono: 1, cross: 1 }).rejected).toEqual(['mix.weights']);
  });

  it('keeps a preset only with its own weights', () => {
    expect(sanitizeSettings({ mix: { preset: 'x-y', weights: { mono: 0, mixed: 0, cross: 1 } } }).mix.preset).toBe('x-y');
    expect(sanitizeSettings({ mix: { preset: 'x-y', weights: { mono: 1, mixed: 0, cross: 1 } } }).mix.preset).toBeNull();
  });

  it('takes lexical n-gram ranges with 1 <= min <= max <= 8 and dimensions from 16 to 8192', () => {
    const lexical = (options: unknown) => {
      const rejected: Rejection[] = [];
      return { kept: sanitizeSettings({ encoderDrafts: { lexical: options } }, rejected).encoderDrafts.lexical, rejected: paths(rejected) };
    };
    expect(lexical({ dim: 16, minN: 1, maxN: 8 })).toEqual({ kept: { dim: 16, minN: 1, maxN: 8 }, rejected: [] });
    expect(lexical({ dim: 15, minN: 1, maxN: 8 }).rejected).toEqual(['encoderDrafts.lexical']);
    expect(lexical({ dim: 256, minN: 4, maxN: 3 }).rejected).toEqual(['encoderDrafts.lexical']);
    expect(lexical({ dim: 256, minN: 1, maxN: 9 }).rejected).toEqual(['encoderDrafts.lexical']);
  });
});
