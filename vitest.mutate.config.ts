/**
 * The test run `npm run mutate` (Stryker) repeats for every mutant: the fast unit tests only.
 * training-learning.test.ts (two minutes of real training) is left out: it checks that training
 * learns, which the step, kernel and optimizer tests already pin down number by number.
 */
import { defineConfig } from 'vitest/config';
import base from './vite.config';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts'],
    exclude: ['test/unit/training-learning.test.ts'],
  },
});
