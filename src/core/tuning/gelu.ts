/**
 * The exact (erf) GELU of BERT-family layers, 0.5·z·(1 + erf(z/√2)), and its derivative, in float64.
 *
 * erf from its Maclaurin-type series erf(x) = 2/√π · e^(−x²) · Σ_n (2x²)^n · x / (1·3·5···(2n+1)),
 * whose terms are all of one sign (no cancellation, so the float64 sum is accurate to a few ulps at
 * every x); past |x| = 6, 1 − erf(|x|) < 2e-17, below float64 resolution at 1.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  const x2 = a * a;
  let term = a;
  let sum = a;
  // term_n = term_{n-1} · 2x² / (2n+1); the terms grow until n ≈ x², then fall geometrically.
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** d erf / dx = 2/√π · e^(−x²). */
export function erfDerivative(x: number): number {
  return TWO_OVER_SQRT_PI * Math.exp(-x * x);
}

export function gelu(z: number): number {
  return 0.5 * z * (1 + erf(z * INV_SQRT2));
}

/** d gelu / dz = Φ(z) + z·φ(z), with Φ the standard normal CDF and φ its density. */
export function geluDerivative(z: number): number {
  return 0.5 * (1 + erf(z * INV_SQRT2)) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}
