/**
 * What tuning the top K layers costs, said before the run: trainable parameters, and the memory of
 * the hidden-state cache (float32, one row per token of every text), checked against the browser's
 * job limit like an evaluation (core/job-size.ts).
 */
import type { ModelArchitecture } from '../encoders/model-spec';
import { BROWSER_JOB_LIMIT_BYTES, formatBytesRough } from '../job-size';
import { hiddenCacheBytes, layerParameterCount } from './layer';

/**
 * Tokens per text assumed before tokenising: a plan, not a measurement (the run reports the tokens
 * it cached). XQuAD-R's questions and sentences average 58 and 153 characters; subword tokenizers
 * give roughly one token per 3-5 characters of these languages.
 */
export const PLANNED_TOKENS_PER_TEXT = 32;

export interface LayerTuningPlan {
  layers: number;
  trainableParameters: number;
  cacheBytes: number;
}

export function layerTuningPlan(architecture: ModelArchitecture, layers: number, texts: number, tokens = texts * PLANNED_TOKENS_PER_TEXT): LayerTuningPlan {
  const { hidden, heads, intermediate } = architecture;
  return {
    layers,
    trainableParameters: layers * layerParameterCount({ hidden, heads, intermediate, layerNormEps: 0 }),
    cacheBytes: hiddenCacheBytes(tokens, hidden),
  };
}

/** Why layer tuning cannot run here (K out of range, cache over the limit), or null. */
export function layerTuningProblem(architecture: ModelArchitecture, plan: LayerTuningPlan): string | null {
  if (!Number.isInteger(plan.layers) || plan.layers < 1 || plan.layers > architecture.layers) {
    return `This model has ${architecture.layers} layers: tune between 1 and ${architecture.layers} of its top layers, not ${plan.layers}.`;
  }
  if (plan.cacheBytes > BROWSER_JOB_LIMIT_BYTES) {
    return `The hidden states the top ${plan.layers === 1 ? 'layer' : `${plan.layers} layers`} train on would take about ` +
      `${formatBytesRough(plan.cacheBytes)}, over the notebook's limit of ${formatBytesRough(BROWSER_JOB_LIMIT_BYTES)}. ` +
      'Load fewer languages or articles in the Dataset cell, or tune with the command line (npm run xling -- train --tune layers:K).';
  }
  return null;
}
