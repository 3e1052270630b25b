/**
 * L2-regularised linear regression (ridge) by its normal equations, solved with a Cholesky
 * factorisation: the objective is (1/2n)·Σ(y − b − x·w)² + (l2/2)·|w|², so
 * (XcᵀXc/n + l2·I)·w = Xcᵀyc/n on columns and targets centred on their training means, and the
 * intercept b = ȳ − x̄·w is not penalised. scikit-learn's Ridge(alpha) is l2 = alpha / n.
 *
 * Our own (about 40 lines) rather than a linear-algebra package: a closed form on at most a few
 * hundred inputs takes milliseconds, and a fixed order of floating-point operations makes the
 * same data give the same model bytes on every machine, which iterative solvers' stopping rules
 * do not promise.
 */

export interface RidgeFit {
  intercept: number;
  coefficients: number[];
  /** The penalty actually used: `l2`, or a tiny one added when the inputs are collinear and `l2` is 0. */
  l2: number;
}

/** `x` is row-major, `rows × width`. */
export function fitRidge(x: Float64Array, width: number, y: ArrayLike<number>, l2: number): RidgeFit {
  const n = y.length;
  const means = new Float64Array(width);
  let yMean = 0;
  for (let i = 0; i < n; i++) {
    yMean += y[i]!;
    for (let j = 0; j < width; j++) means[j]! += x[i * width + j]!;
  }
  yMean /= n;
  for (let j = 0; j < width; j++) means[j]! /= n;
  // Gram matrix (lower triangle) and right-hand side of the centred problem, divided by n.
  const gram = new Float64Array(width * width);
  const rhs = new Float64Array(width);
  const row = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < width; j++) row[j] = x[i * width + j]! - means[j]!;
    const target = y[i]! - yMean;
    for (let j = 0; j < width; j++) {
      const v = row[j]!;
      if (v === 0) continue;
      rhs[j]! += v * target;
      for (let k = 0; k <= j; k++) gram[j * width + k]! += v * row[k]!;
    }
  }
  for (let j = 0; j < width; j++) {
    rhs[j]! /= n;
    for (let k = 0; k <= j; k++) gram[j * width + k]! /= n;
  }
  let penalty = l2;
  let factor = cholesky(gram, width, penalty);
  if (!factor) {
    // Collinear inputs (a category's one-hot columns sum to 1) without a penalty: the smallest
    // ridge that makes the system solvable, relative to the inputs' scale.
    let trace = 0;
    for (let j = 0; j < width; j++) trace += gram[j * width + j]!;
    penalty = Math.max(l2, 1e-10 * (trace / width || 1));
    factor = cholesky(gram, width, penalty)!;
  }
  const w = solve(factor, width, rhs);
  let intercept = yMean;
  for (let j = 0; j < width; j++) intercept -= means[j]! * w[j]!;
  return { intercept, coefficients: Array.from(w), l2: penalty };
}

/** Lower-triangular L with L·Lᵀ = A + penalty·I, or undefined when that is not positive definite. */
function cholesky(a: Float64Array, d: number, penalty: number): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let diagonal = a[j * d + j]! + penalty;
    for (let k = 0; k < j; k++) diagonal -= l[j * d + k]! * l[j * d + k]!;
    if (!(diagonal > 1e-12 * (a[j * d + j]! + penalty + 1e-300))) return undefined;
    const root = Math.sqrt(diagonal);
    l[j * d + j] = root;
    for (let i = j + 1; i < d; i++) {
      let sum = a[i * d + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = sum / root;
    }
  }
  return l;
}

/** Solves L·Lᵀ·w = b. */
function solve(l: Float64Array, d: number, b: Float64Array): Float64Array {
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * d + k]! * z[k]!;
    z[i] = sum / l[i * d + i]!;
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let k = i + 1; k < d; k++) sum -= l[k * d + i]! * w[k]!;
    w[i] = sum / l[i * d + i]!;
  }
  return w;
}

/** Predictions of a fitted model on row-major inputs. */
export function predictRidge(fit: Pick<RidgeFit, 'intercept' | 'coefficients'>, x: Float64Array, width: number): Float64Array {
  const rows = x.length / width;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = fit.intercept;
    for (let j = 0; j < width; j++) sum += x[i * width + j]! * fit.coefficients[j]!;
    out[i] = sum;
  }
  return out;
}
