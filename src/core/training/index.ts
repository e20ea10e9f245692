/**
 * Contrastive fine-tuning of a projection head on a frozen encoder's cached embeddings (issue #4).
 * The public API for the app, the workers and the CLI; decisions and measurements in docs/training.md.
 *
 * - mix.ts       batch types, mixes, the LAReQA / hybrid presets, `--mix` parsing
 * - split.ts     article-group splits (training / validation / evaluation) and dataset-to-dataset
 * - sampler.ts   seeded batches, and the statistics / preview the Batch Mix cell shows
 * - head.ts      adapter and linear heads, applying them, the JSON export format
 * - step.ts      InfoNCE loss and closed-form gradients (CPU)(its plain reference, the tests' oracle, is test/support/oracles/training.ts)
 * - optimizer.ts AdamW and the warm-up / linear-decay schedule
 * - trainer.ts   the HeadTrainer interface and the CPU trainer; webgpu-trainer.ts the WebGPU one
 * - run.ts       a whole run: before, training with validation and early stopping, after
 */
export * from './mix';
export * from './split';
export * from './sampler';
export * from './head';
export * from './optimizer';
export * from './trainer';
export * from './run';
export { webgpuTrainer, requestWebGpuDevice, deviceOfAdapter, type WgGpu, type WgAdapter, type WgDevice } from './webgpu-trainer';
