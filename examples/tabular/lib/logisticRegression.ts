import { minimizeLbfgs, type IterationInfo, type StopReason } from './minimizeLbfgs';

/**
 * Default L2 strength, on the *mean* log loss: objective = mean loss + l2/2 * ||w||^2.
 * Because the loss is averaged, the same value means the same thing on 300 and on 100,000
 * rows. 1e-3 barely moves coefficients of standardized features that carry signal (their
 * curvature is ~0.1-0.25), yet shrinks indicators of rare categories, which would otherwise
 * chase noise, and keeps weights finite on separable data. (scikit-learn's C equals 1/(l2*n).)
 */
export const DEFAULT_L2 = 1e-3;

export interface LinearModel {
  /** One intercept per output: 1 for binary (log-odds of classes[1]), K for multinomial. */
  intercepts: number[];
  /** coefficients[r][j]: weight of encoded input j in output r. */
  coefficients: number[][];
}

export interface FitOptions {
  /** @default DEFAULT_L2 */
  l2?: number;
  /** @default 500 */
  maxIterations?: number;
  /** Largest absolute gradient component accepted as converged. @default 1e-6 */
  gradientTolerance?: number;
  /** @default 1e-12 */
  relativeTolerance?: number;
  onIteration?: (info: IterationInfo) => void;
}

export interface FitResult extends LinearModel {
  /** Penalised mean log loss at the solution. */
  loss: number;
  gradientNorm: number;
  iterations: number;
  stopReason: StopReason;
}

/**
 * Fits L2-regularised logistic regression (sigmoid for two classes, softmax for more) on a
 * row-major design matrix `x` (rows x width) with class indices `y`. Intercepts are not
 * penalised: shrinking them would bias the predicted base rate.
 */
export function fitLogisticRegression(
  x: Float64Array,
  width: number,
  y: Int32Array,
  classCount: number,
  options: FitOptions = {},
): FitResult {
  if (classCount < 2) throw new RangeError(`need at least 2 classes, got ${classCount}`);
  const l2 = options.l2 ?? DEFAULT_L2;
  const outputs = classCount === 2 ? 1 : classCount;
  const stride = width + 1;
  const rows = y.length;
  const z = new Float64Array(outputs);

  const objective = (params: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const base = i * width;
      linearOutputs(params, x, base, width, outputs, z);
      const label = y[i]!;
      if (outputs === 1) {
        const zi = z[0]!;
        loss += log1pExp(zi) - (label === 1 ? zi : 0);
        accumulate(gradient, 0, sigmoid(zi) - (label === 1 ? 1 : 0), x, base, width);
      } else {
        const logNorm = logSumExp(z);
        loss += logNorm - z[label]!;
        for (let r = 0; r < outputs; r++) {
          accumulate(gradient, r * stride, Math.exp(z[r]! - logNorm) - (label === r ? 1 : 0), x, base, width);
        }
      }
    }
    let penalty = 0;
    for (let r = 0; r < outputs; r++) {
      for (let j = 0; j < width; j++) {
        const k = r * stride + j;
        gradient[k] = gradient[k]! / rows + l2 * params[k]!;
        penalty += params[k]! * params[k]!;
      }
      gradient[r * stride + width] = gradient[r * stride + width]! / rows;
    }
    return loss / rows + (l2 / 2) * penalty;
  };

  const result = minimizeLbfgs(objective, new Float64Array(outputs * stride), {
    maxIterations: options.maxIterations ?? 500,
    gradientTolerance: options.gradientTolerance ?? 1e-6,
    relativeTolerance: options.relativeTolerance ?? 1e-12,
    onIteration: options.onIteration,
  });
  const intercepts: number[] = [];
  const coefficients: number[][] = [];
  for (let r = 0; r < outputs; r++) {
    coefficients.push(Array.from(result.x.subarray(r * stride, r * stride + width)));
    intercepts.push(result.x[r * stride + width]!);
  }
  return {
    intercepts,
    coefficients,
    loss: result.value,
    gradientNorm: result.gradientNorm,
    iterations: result.iterations,
    stopReason: result.stopReason,
  };
}

/** Class probabilities, row-major (rows x classCount); binary models give [1 - p, p]. */
export function predictProbabilities(model: LinearModel, x: Float64Array, width: number): Float64Array {
  const outputs = model.intercepts.length;
  const classCount = outputs === 1 ? 2 : outputs;
  const stride = width + 1;
  const params = new Float64Array(outputs * stride);
  model.coefficients.forEach((row, r) => {
    params.set(row, r * stride);
    params[r * stride + width] = model.intercepts[r]!;
  });
  const rows = x.length / width;
  const probabilities = new Float64Array(rows * classCount);
  const z = new Float64Array(outputs);
  for (let i = 0; i < rows; i++) {
    linearOutputs(params, x, i * width, width, outputs, z);
    if (outputs === 1) {
      const p = sigmoid(z[0]!);
      probabilities[i * 2] = 1 - p;
      probabilities[i * 2 + 1] = p;
    } else {
      const logNorm = logSumExp(z);
      for (let r = 0; r < outputs; r++) probabilities[i * classCount + r] = Math.exp(z[r]! - logNorm);
    }
  }
  return probabilities;
}

function linearOutputs(params: Float64Array, x: Float64Array, base: number, width: number, outputs: number, z: Float64Array): void {
  const stride = width + 1;
  for (let r = 0; r < outputs; r++) {
    const offset = r * stride;
    let sum = params[offset + width]!;
    for (let j = 0; j < width; j++) sum += params[offset + j]! * x[base + j]!;
    z[r] = sum;
  }
}

function accumulate(gradient: Float64Array, offset: number, residual: number, x: Float64Array, base: number, width: number): void {
  for (let j = 0; j < width; j++) gradient[offset + j]! += residual * x[base + j]!;
  gradient[offset + width]! += residual;
}

/** log(1 + e^z) without overflow for large z or loss of precision for very negative z. */
export function log1pExp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(sum(e^z)) shifted by the maximum so no exponent overflows. */
export function logSumExp(z: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < z.length; k++) max = Math.max(max, z[k]!);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += Math.exp(z[k]! - max);
  return max + Math.log(sum);
}
