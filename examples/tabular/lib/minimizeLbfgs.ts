/**
 * L-BFGS minimisation with a strong-Wolfe line search (Nocedal & Wright, Numerical
 * Optimization, 2nd ed., algorithms 7.4, 3.5 and 3.6). Written here because no well-kept
 * JavaScript library offers it: the npm L-BFGS packages are unmaintained ports without a
 * proper line search, and pulling in a numerical stack for ~200 lines is not worth it.
 * Everything is sequential Float64 arithmetic in a fixed order, so the same start point and
 * objective give bit-identical results.
 */
import { wolfeLineSearch, type Objective } from './wolfeLineSearch';

// Declared beside the line search, which evaluates it too, so the two files do not import each other.
export type { Objective } from './wolfeLineSearch';

export type StopReason = 'gradient' | 'relative_change' | 'max_iterations' | 'line_search';

export interface IterationInfo {
  iteration: number;
  value: number;
  gradientNorm: number;
}

export interface LbfgsOptions {
  /** Correction pairs kept. @default 10 */
  memory?: number;
  /** @default 500 */
  maxIterations?: number;
  /** Stop when the largest absolute gradient component is at most this. @default 1e-6 */
  gradientTolerance?: number;
  /** Stop when an iteration lowers the value by at most this share of it. @default 1e-12 */
  relativeTolerance?: number;
  onIteration?: (info: IterationInfo) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  /** Largest absolute gradient component at `x`. */
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  stopReason: StopReason;
}

export function minimizeLbfgs(objective: Objective, start: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const memory = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 500;
  const gradientTolerance = options.gradientTolerance ?? 1e-6;
  const relativeTolerance = options.relativeTolerance ?? 1e-12;
  const n = start.length;

  let x: Float64Array = Float64Array.from(start);
  let gradient: Float64Array = new Float64Array(n);
  let value = objective(x, gradient);
  let evaluations = 1;
  const s = Array.from({ length: memory }, () => new Float64Array(n));
  const y = Array.from({ length: memory }, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alphaScratch = new Float64Array(memory);
  let stored = 0;
  let newest = -1;
  const direction = new Float64Array(n);

  let stopReason: StopReason = 'max_iterations';
  let iteration = 0;
  if (maxNorm(gradient) <= gradientTolerance) stopReason = 'gradient';
  else {
    for (iteration = 1; iteration <= maxIterations; iteration++) {
      // Two-loop recursion: direction = -H * gradient.
      direction.set(gradient);
      for (let k = 0; k < stored; k++) {
        const m = (newest - k + memory) % memory;
        const a = rho[m]! * dot(s[m]!, direction);
        alphaScratch[m] = a;
        axpy(-a, y[m]!, direction);
      }
      if (stored > 0) {
        const m = newest;
        scale(direction, dot(s[m]!, y[m]!) / dot(y[m]!, y[m]!));
      }
      for (let k = stored - 1; k >= 0; k--) {
        const m = (newest - k + memory) % memory;
        const b = rho[m]! * dot(y[m]!, direction);
        axpy(alphaScratch[m]! - b, s[m]!, direction);
      }
      scale(direction, -1);
      let slope = dot(gradient, direction);
      if (!(slope < 0)) {
        // Curvature pairs went stale (round-off): restart from steepest descent.
        stored = 0;
        direction.set(gradient);
        scale(direction, -1);
        slope = dot(gradient, direction);
      }
      // Without curvature information, a first step of unit length in parameter space.
      const initialStep = stored === 0 ? Math.min(1, 1 / Math.sqrt(dot(gradient, gradient))) : 1;
      const search = wolfeLineSearch(objective, x, value, slope, direction, initialStep);
      evaluations += search.evaluations;
      if (!search.ok) {
        stopReason = 'line_search';
        iteration--;
        break;
      }
      newest = (newest + 1) % memory;
      const sNew = s[newest]!;
      const yNew = y[newest]!;
      for (let i = 0; i < n; i++) {
        sNew[i] = search.x[i]! - x[i]!;
        yNew[i] = search.gradient[i]! - gradient[i]!;
      }
      const sy = dot(sNew, yNew);
      if (sy > 1e-12 * Math.sqrt(dot(sNew, sNew) * dot(yNew, yNew))) {
        rho[newest] = 1 / sy;
        stored = Math.min(stored + 1, memory);
      } else {
        newest = (newest - 1 + memory) % memory; // skip a pair that would break positive definiteness
      }
      const previous = value;
      x = search.x;
      gradient = search.gradient;
      value = search.value;
      const gradientNorm = maxNorm(gradient);
      options.onIteration?.({ iteration, value, gradientNorm });
      if (gradientNorm <= gradientTolerance) {
        stopReason = 'gradient';
        break;
      }
      if (previous - value <= relativeTolerance * Math.max(Math.abs(previous), Math.abs(value), 1)) {
        stopReason = 'relative_change';
        break;
      }
    }
    if (iteration > maxIterations) iteration = maxIterations;
  }
  return { x, value, gradientNorm: maxNorm(gradient), iterations: iteration, evaluations, stopReason };
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(alpha: number, x: Float64Array, target: Float64Array): void {
  for (let i = 0; i < x.length; i++) target[i]! += alpha * x[i]!;
}

function scale(target: Float64Array, factor: number): void {
  for (let i = 0; i < target.length; i++) target[i]! *= factor;
}

function maxNorm(v: Float64Array): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  return max;
}
