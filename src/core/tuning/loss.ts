/**
 * After the tuned layers: the model's pooling, L2 normalisation and the project's InfoNCE (the head
 * trainer's, training/step.ts), with d loss / d (layer output) for the engine's backward pass.
 *
 * Mean pooling is summed, not averaged, before the normalisation: u = z / |z| does not change when z
 * is scaled, so the loss and its gradient are those of the mean. Backward from dz (the gradient at the
 * pooled row): mean pooling copies dz to every token of the row, CLS pooling to token 0; padding and
 * (for CLS) the other tokens get 0.
 */
import { clsPoolNormalised, maskedSum, meanPoolNormalised } from '../encoders/pooling';
import { normalisedInfoNce, StepWorkspace } from '../training/step';
import type { OutputGradient } from './engine';

export type TunedPooling = 'mean' | 'cls';

/**
 * The InfoNCE loss of a batch of 2n texts (n questions, then their n answers) from the layer stack's
 * output [batch = 2n, seq, hidden], and its gradient with respect to that output.
 */
export function poolingLoss(
  output: Float32Array, mask: Uint8Array, batch: number, seq: number, hidden: number,
  pooling: TunedPooling, n: number, temperature: number, ws: StepWorkspace = new StepWorkspace(),
): OutputGradient {
  if (batch !== 2 * n) throw new RangeError(`the batch holds ${batch} texts; ${n} pairs need ${2 * n} (the questions, then their answers).`);
  ws.ensure(n, hidden, 0);
  const pooled = ws.z.subarray(0, batch * hidden);
  const sum = new Float64Array(hidden);
  for (let r = 0; r < batch; r++) {
    if (pooling === 'mean') {
      maskedSum(output, mask, r, seq, hidden, sum);
      for (let d = 0; d < hidden; d++) pooled[r * hidden + d] = sum[d];
    } else {
      pooled.set(output.subarray(r * seq * hidden, r * seq * hidden + hidden), r * hidden);
    }
  }
  const { loss, dz } = normalisedInfoNce(pooled, n, hidden, temperature, ws);
  const gradient = new Float32Array(batch * seq * hidden);
  for (let r = 0; r < batch; r++) {
    const row = dz.subarray(r * hidden, (r + 1) * hidden);
    for (let t = 0; t < (pooling === 'mean' ? seq : 1); t++) {
      if (mask[r * seq + t] !== 0) gradient.set(row, (r * seq + t) * hidden);
    }
  }
  return { loss, gradient };
}

/** The embeddings [batch, hidden] of a stack's output: pooled, L2-normalised (what inference returns). */
export function poolNormalised(output: Float32Array, mask: Uint8Array, batch: number, seq: number, hidden: number, pooling: TunedPooling): Float32Array {
  const out = new Float32Array(batch * hidden);
  const rows = Array.from({ length: batch }, (_, r) => r);
  (pooling === 'mean' ? meanPoolNormalised : clsPoolNormalised)(output, mask, batch, seq, hidden, out, rows);
  return out;
}
