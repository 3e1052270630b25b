/**
 * Standard normal CDF and quantile for the power approximation. Written here because no
 * installed package has them and they are a few lines: erfc by W. J. Cody's rational
 * approximation as popularised in Numerical Recipes (|error| < 1.2e-7), quantile by
 * P. J. Acklam's algorithm (relative error < 1.2e-9).
 */
// Math's functions as module constants: under Jest's vm sandbox every `Math.` lookup goes
// through the sandbox's global object and made long simulations ~5x slower.
const { abs, exp, sqrt, log } = Math;
export function normalCdf(z: number): number {
  const x = abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const poly = (c: number[], x: number) => c.reduce((acc, k) => acc * x + k, 0);
  if (p < 0.02425) {
    const q = sqrt(-2 * log(p));
    return poly(C, q) / (poly(D, q) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(A, r) * q) / (poly(B, r) * r + 1);
}
