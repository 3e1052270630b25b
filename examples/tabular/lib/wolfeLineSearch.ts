/** Writes the gradient at `x` into `gradient` and returns the objective value. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LineSearchResult {
  ok: boolean;
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  evaluations: number;
}

export interface LineSearchOptions {
  /** Sufficient decrease (Armijo) constant. @default 1e-4 */
  c1?: number;
  /** Curvature constant; 0.9 suits quasi-Newton directions. @default 0.9 */
  c2?: number;
  /** @default 40 */
  maxEvaluations?: number;
}

/**
 * Finds a step along `direction` that satisfies the strong Wolfe conditions (Nocedal & Wright
 * algorithms 3.5 and 3.6, cubic interpolation inside the bracket, safeguarded by bisection).
 * The curvature condition is what keeps L-BFGS's curvature pairs positive; plain Armijo
 * backtracking does not guarantee it.
 */
export function wolfeLineSearch(
  objective: Objective,
  origin: Float64Array,
  value0: number,
  slope0: number,
  direction: Float64Array,
  initialStep: number,
  options: LineSearchOptions = {},
): LineSearchResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEvaluations = options.maxEvaluations ?? 40;
  const n = origin.length;
  let evaluations = 0;

  const evaluate = (step: number): { x: Float64Array; value: number; gradient: Float64Array; slope: number } => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = origin[i]! + step * direction[i]!;
    const gradient = new Float64Array(n);
    const value = objective(x, gradient);
    evaluations++;
    let slope = 0;
    for (let i = 0; i < n; i++) slope += gradient[i]! * direction[i]!;
    return { x, value, gradient, slope };
  };
  const armijo = (step: number, value: number): boolean => value <= value0 + c1 * step * slope0;
  const curvature = (slope: number): boolean => Math.abs(slope) <= -c2 * slope0;
  const done = (point: ReturnType<typeof evaluate>): LineSearchResult => ({ ok: true, ...point, evaluations });

  // Bracketing phase: grow the step until the interval surely holds an acceptable one.
  let previous = { step: 0, value: value0, slope: slope0 };
  let step = initialStep;
  let lo = previous;
  let hi = previous;
  let bracketed = false;
  while (evaluations < maxEvaluations) {
    const point = evaluate(step);
    if (!Number.isFinite(point.value) || !armijo(step, point.value) || (evaluations > 1 && point.value >= previous.value)) {
      lo = previous;
      hi = { step, value: point.value, slope: point.slope };
      bracketed = true;
      break;
    }
    if (curvature(point.slope)) return done(point);
    if (point.slope >= 0) {
      lo = { step, value: point.value, slope: point.slope };
      hi = previous;
      bracketed = true;
      break;
    }
    previous = { step, value: point.value, slope: point.slope };
    step *= 2;
  }
  if (!bracketed) lo = previous;

  // Zoom phase: shrink [lo, hi]; lo always satisfies Armijo and has the lowest value so far.
  while (bracketed && evaluations < maxEvaluations) {
    const trial = interpolate(lo, hi);
    const point = evaluate(trial);
    if (!Number.isFinite(point.value) || !armijo(trial, point.value) || point.value >= lo.value) {
      hi = { step: trial, value: point.value, slope: point.slope };
    } else {
      if (curvature(point.slope)) return done(point);
      if (point.slope * (hi.step - lo.step) >= 0) hi = lo;
      lo = { step: trial, value: point.value, slope: point.slope };
    }
    if (Math.abs(hi.step - lo.step) <= 1e-16 * Math.max(1, Math.abs(lo.step))) break;
  }
  // Out of budget: settle for the best Armijo step found, which still makes progress.
  if (lo.step > 0) return done(evaluate(lo.step));
  return { ok: false, x: origin, value: value0, gradient: new Float64Array(n), evaluations };
}

/** Minimiser of the cubic through both ends, kept away from the ends; bisection when it fails. */
function interpolate(lo: { step: number; value: number; slope: number }, hi: { step: number; value: number; slope: number }): number {
  const width = hi.step - lo.step;
  const d1 = lo.slope + hi.slope - (3 * (lo.value - hi.value)) / (lo.step - hi.step);
  const radicand = d1 * d1 - lo.slope * hi.slope;
  const middle = lo.step + width / 2;
  if (!Number.isFinite(hi.value) || !(radicand >= 0)) return middle;
  const d2 = Math.sign(width) * Math.sqrt(radicand);
  const step = hi.step - width * ((hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2));
  const low = Math.min(lo.step, hi.step) + 0.1 * Math.abs(width);
  const high = Math.max(lo.step, hi.step) - 0.1 * Math.abs(width);
  return Number.isFinite(step) && step >= low && step <= high ? step : middle;
}
