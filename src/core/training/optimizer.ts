/**
 * AdamW (Loshchilov & Hutter: Adam with decoupled weight decay) and the learning-rate schedule:
 * linear warm-up from 0 over `warmupSteps`, then linear decay to 0 at `totalSteps` (the usual
 * "WarmupLinear" of sentence-transformers).
 */

export interface OptimizerSettings {
  learningRate: number;
  weightDecay: number;
  warmupSteps: number;
  totalSteps: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

/** The learning rate of step `step` (0-based). */
export function learningRateAt(step: number, s: OptimizerSettings): number {
  const warm = Math.max(0, Math.floor(s.warmupSteps));
  if (step < warm) return (s.learningRate * (step + 1)) / (warm + 1);
  const decay = Math.max(1, s.totalSteps - warm);
  return s.learningRate * Math.max(0, 1 - (step - warm) / decay);
}

/**
 * One AdamW update of `param` in place, `t` = 1-based step count for bias correction:
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g²
 *   param -= lr * ( m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps) + weightDecay * param )
 */
export function adamwUpdate(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  t: number,
  lr: number,
  s: OptimizerSettings,
): void {
  const b1 = s.beta1 ?? ADAM_BETA1;
  const b2 = s.beta2 ?? ADAM_BETA2;
  const eps = s.epsilon ?? ADAM_EPSILON;
  const c1 = 1 / (1 - b1 ** t);
  const c2 = 1 / (1 - b2 ** t);
  const decay = lr * s.weightDecay;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const mi = (m[i] = b1 * m[i] + (1 - b1) * g);
    const vi = (v[i] = b2 * v[i] + (1 - b2) * g * g);
    param[i] -= lr * ((mi * c1) / (Math.sqrt(vi * c2) + eps)) + decay * param[i];
  }
}
