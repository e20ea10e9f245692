/**
 * Mutation testing (`npm run mutate`, not part of CI: it reruns the unit tests for every mutant, which
 * takes a while on two cores). Run it when the metrics, the training maths or pooling change, and
 * update docs/mutation.md with the score and the surviving mutants. One file:
 * `npm run mutate -- --mutate src/core/encoders/pooling.ts`.
 *
 * In place (the sources are mutated where they are and restored at the end) because the unit tests
 * find the XQuAD-R data relative to the worktree, which a sandbox copy would break. Do not edit or
 * commit the mutated files while it runs: Stryker restores them from its backup at the end.
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  inPlace: true,
  mutate: [
    'src/core/metrics/*.ts',
    'src/core/training/{step,kernels,head,optimizer,sampler,mix}.ts',
    'src/core/encoders/pooling.ts',
    'src/core/tuning/{cpu-layer,gelu,loss}.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // A mutant that loops forever counts as killed once it runs this much past the usual time.
  timeoutMS: 10000,
  // Vitest strips types without checking them. Left on, Stryker would add `// @ts-nocheck` to every
  // file of the project for the run (and restore them at the end, undoing edits made meanwhile).
  disableTypeChecks: false,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: '.cache/mutation/index.html' },
  jsonReporter: { fileName: '.cache/mutation/report.json' },
  tempDirName: '.cache/stryker-tmp',
  cleanTempDir: 'always',
};
