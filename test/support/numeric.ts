/** max |a - b| relative to the largest |b|: one number for "these arrays agree". */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / Math.max(scale, 1e-12);
}
