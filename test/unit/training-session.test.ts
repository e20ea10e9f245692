/**
 * The training session (src/core/training/run.ts): its event stream, pause / step / stop from outside,
 * Stop keeping the best head so far, and held-out checks on a sample of the evaluation side.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLexicalEncoder } from '../../src/core/encoders/lexical';
import { jsMatmul } from '../../src/core/linalg/js-matmul';
import { buildTrainingExamples, createBatchSampler } from '../../src/core/training/sampler';
import { DEFAULT_TRAINING_CONFIG, measurePart, TrainingSession, type TrainingConfig, type TrainingEvent, type TrainingInputs } from '../../src/core/training/run';
import { sampleQuestions, splitByArticles } from '../../src/core/training/split';
import { readDatasetFolder } from '../../src/node/read-dataset';

const CONFIG: TrainingConfig = {
  ...DEFAULT_TRAINING_CONFIG,
  head: { kind: 'adapter', rank: 8 },
  learningRate: 3e-3,
  batchSize: 8,
  steps: 40,
  evalEvery: 4,
  patience: 0,
  heldOutEvery: 5,
  heldOutQuestions: 7,
  seed: 3,
};

let inputs: TrainingInputs;

beforeAll(async () => {
  const dataset = await readDatasetFolder(resolve(__dirname, '../../../shared/data/xquad-r'), { languages: ['en', 'de', 'es'], articles: 8 });
  const encoder = createLexicalEncoder({ dim: 256 });
  const embeddings = {
    queries: await encoder.encode(dataset.queries.map((q) => q.text), 'query'),
    candidates: await encoder.encode(dataset.candidates.map((c) => c.text), 'passage'),
  };
  inputs = { split: splitByArticles(dataset, { train: 0.5, validation: 0.25, seed: CONFIG.seed }), trainEmbeddings: embeddings, evaluationEmbeddings: embeddings, dim: encoder.dim, encoder: encoder.id };
});

function session(config: TrainingConfig, onEvent: (event: TrainingEvent, s: TrainingSession) => void = () => {}): TrainingSession {
  const s: TrainingSession = new TrainingSession(inputs, config, { matmul: jsMatmul, onEvent: (event) => onEvent(event, s) });
  return s;
}

describe('TrainingSession', () => {
  it('emits phases, steps with their pace, validations and held-out checks in order', async () => {
    const events: TrainingEvent[] = [];
    const result = await session({ ...CONFIG, steps: 10 }, (event) => events.push(event)).run();
    const order = events.map((e) => (e.type === 'phase' ? e.phase : e.type === 'step' ? `s${e.step}` : e.type === 'validation' ? `v${e.step}` : e.type === 'held-out' ? `h${e.step}` : e.type));
    expect(order).toEqual(['before', 'train', 'v0', 's1', 's2', 's3', 's4', 'v4', 's5', 'h5', 's6', 's7', 's8', 'v8', 's9', 's10', 'h10', 'v10', 'after']);
    const steps = events.filter((e): e is Extract<TrainingEvent, { type: 'step' }> => e.type === 'step');
    expect(steps.map((e) => e.loss)).toEqual(result.loss);
    // Each step's batch type is the one the sampler drew for it (a hybrid mix: mono and cross in turn).
    const sampler = createBatchSampler(buildTrainingExamples(inputs.split.train), { mix: CONFIG.mix, languageWeighting: CONFIG.languageWeighting, excludeLanguages: CONFIG.excludeLanguages, batchSize: CONFIG.batchSize, seed: CONFIG.seed });
    const drawn = Array.from({ length: 10 }, () => sampler.next().type);
    expect(steps.map((e) => e.batchType)).toEqual(drawn);
    expect(result.batchTypes).toEqual(drawn);
    expect(new Set(drawn)).toEqual(new Set(['mono', 'cross']));
    expect(steps.every((e) => e.stepsPerSecond > 0)).toBe(true);
    expect(steps.at(-1)!.secondsLeft).toBe(0);
    expect(result.stopped).toBe(false);
  });

  it('measures held-out checks on a fixed sample of questions against the whole evaluation pools', async () => {
    const checks: Extract<TrainingEvent, { type: 'held-out' }>[] = [];
    await session({ ...CONFIG, steps: 10 }, (event) => event.type === 'held-out' && checks.push(event)).run();
    const evaluation = inputs.split.evaluation;
    const ofQuestions = new Set(evaluation.dataset.queries.map((q) => q.id)).size;
    expect(ofQuestions).toBeGreaterThan(7);
    for (const check of checks) {
      expect([check.questions, check.ofQuestions]).toEqual([7, ofQuestions]);
      // XQuAD-R: every question exists in every language, so each cell holds the 7 sampled questions.
      for (const x of ['en', 'de', 'es']) for (const y of ['en', 'de', 'es']) expect(check.report.cells[x][y].n).toBe(7);
    }
    const sample = sampleQuestions(evaluation, 7, CONFIG.seed);
    expect(Array.from(sample.candidateRows)).toEqual(Array.from(evaluation.candidateRows));
    const sampledIds = new Set(sample.dataset.queries.map((q) => q.id));
    expect(sampledIds.size).toBe(7);
    const expectedRows = evaluation.dataset.queries.flatMap((q, i) => (sampledIds.has(q.id) ? [evaluation.queryRows[i]] : []));
    expect(Array.from(sample.queryRows)).toEqual(expectedRows);
    expect(sampleQuestions(evaluation, 0, 1)).toBe(evaluation);
  });

  it('pauses, takes exactly one step at a time while paused, and resumes', async () => {
    const steps: number[] = [];
    const s = session({ ...CONFIG, steps: 6, evalEvery: 0, heldOutEvery: 0 }, (event) => event.type === 'step' && steps.push(event.step));
    s.pause();
    const finished = s.run();
    const settle = () => new Promise((r) => setTimeout(r, 300));
    await settle();
    expect(steps).toEqual([]);
    s.step();
    await expect.poll(() => steps.length, { timeout: 60_000 }).toBe(1);
    await settle(); // and no further step comes
    expect(steps).toEqual([1]);
    s.step();
    s.step();
    await expect.poll(() => steps.length, { timeout: 60_000 }).toBe(3);
    await settle();
    expect(steps).toEqual([1, 2, 3]);
    s.resume();
    expect((await finished).stepsRun).toBe(6);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('Stop ends training, keeps the best head so far and measures it', async () => {
    const stopAt = 11;
    const result = await session(CONFIG, (event, s) => event.type === 'step' && event.step === stopAt && s.stop()).run();
    expect(result.stopped).toBe(true);
    expect(result.stepsRun).toBe(stopAt);
    // Validation at 0, 4, 8, and at the stop for the head no check has seen yet.
    expect(result.validation.map((v) => v.step)).toEqual([0, 4, 8, 11]);
    const best = result.validation.reduce((a, b) => (b.score > a.score ? b : a));
    expect(result.bestStep).toBe(best.step);
    // The kept head is the head of that step: a run of the same settings stopped there ends with it.
    if (result.bestStep > 0) {
      const replay = await session({ ...CONFIG, evalEvery: 0, heldOutEvery: 0 }, (event, s) => event.type === 'step' && event.step === result.bestStep && s.stop()).run();
      expect(replay.kept.params).toEqual(result.kept.params);
    }
    const after = await measurePart(inputs.split.evaluation, inputs.evaluationEmbeddings, inputs.dim, result.bestStep === 0 ? undefined : result.kept, jsMatmul);
    expect(result.after.summary).toEqual(after.summary);
  });

  it('a cancel (abort) keeps nothing', async () => {
    const controller = new AbortController();
    const s = new TrainingSession(inputs, CONFIG, { matmul: jsMatmul, signal: controller.signal, onEvent: (e) => e.type === 'step' && e.step === 3 && controller.abort() });
    await expect(s.run()).rejects.toThrow(/aborted/);
  });
});
