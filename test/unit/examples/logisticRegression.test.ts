import { fitLogisticRegression, log1pExp, logSumExp, predictProbabilities } from '../../../examples/tabular/lib/logisticRegression';
import { minimizeLbfgs } from '../../../examples/tabular/lib/minimizeLbfgs';
import { createRng } from '../../../examples/tabular/lib/random';

/** Rows x 2 standard-normal features with labels from known logistic coefficients. */
function syntheticBinary(rows: number, weights: [number, number], intercept: number, seed: number) {
  const rng = createRng(seed);
  const x = new Float64Array(rows * 2);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    x[2 * i] = rng.normal();
    x[2 * i + 1] = rng.normal();
    const z = intercept + weights[0] * x[2 * i]! + weights[1] * x[2 * i + 1]!;
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

/** The penalised objective, written out independently of the fitting code. */
function objective(x: Float64Array, y: Int32Array, w: number[], b: number, l2: number): number {
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    const z = b + w[0]! * x[2 * i]! + w[1]! * x[2 * i + 1]!;
    loss += Math.log(1 + Math.exp(z)) - (y[i] === 1 ? z : 0);
  }
  return loss / y.length + (l2 / 2) * (w[0]! ** 2 + w[1]! ** 2);
}

describe('fitLogisticRegression', () => {
  it('recovers the direction of known coefficients and stops on a gradient below tolerance', () => {
    const { x, y } = syntheticBinary(4000, [2, -1], 0.5, 1);
    const fit = fitLogisticRegression(x, 2, y, 2, { l2: 1e-6, gradientTolerance: 1e-7 });
    expect(fit.stopReason).toBe('gradient');
    expect(fit.gradientNorm).toBeLessThan(1e-7);
    expect(fit.coefficients[0]![0]).toBeCloseTo(2, 0);
    expect(fit.coefficients[0]![1]).toBeCloseTo(-1, 0);
    expect(fit.intercepts[0]).toBeCloseTo(0.5, 0);
  });

  it('reaches a minimum: nudging any parameter does not lower the penalised loss', () => {
    const { x, y } = syntheticBinary(500, [1, 0.5], -0.3, 2);
    const l2 = 0.01;
    const fit = fitLogisticRegression(x, 2, y, 2, { l2 });
    const w = fit.coefficients[0]!;
    const b = fit.intercepts[0]!;
    const best = objective(x, y, w, b, l2);
    for (const h of [1e-3, -1e-3]) {
      expect(objective(x, y, [w[0]! + h, w[1]!], b, l2)).toBeGreaterThan(best);
      expect(objective(x, y, [w[0]!, w[1]! + h], b, l2)).toBeGreaterThan(best);
      expect(objective(x, y, w, b + h, l2)).toBeGreaterThan(best);
    }
    expect(fit.loss).toBeCloseTo(best, 12);
  });

  it('keeps weights finite on perfectly separable data thanks to the L2 penalty', () => {
    const x = Float64Array.from([-2, -1, -0.5, 0.5, 1, 2]);
    const y = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const fit = fitLogisticRegression(x, 1, y, 2);
    expect(fit.stopReason).toBe('gradient');
    expect(Number.isFinite(fit.coefficients[0]![0])).toBe(true);
    const p = predictProbabilities(fit, x, 1);
    expect(p[1]).toBeLessThan(0.5); // row 0, P(class 1)
    expect(p[11]).toBeGreaterThan(0.5); // row 5, P(class 1)
  });

  it('fits a multinomial model whose probabilities sum to 1 and favour the true class', () => {
    // Three well-separated clusters along one axis.
    const centres = [-3, 0, 3];
    const rng = createRng(5);
    const rows = 300;
    const x = new Float64Array(rows);
    const y = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      y[i] = i % 3;
      x[i] = centres[i % 3]! + 0.7 * rng.normal();
    }
    const fit = fitLogisticRegression(x, 1, y, 3);
    expect(fit.coefficients).toHaveLength(3);
    expect(fit.gradientNorm).toBeLessThan(1e-5);
    const p = predictProbabilities(fit, Float64Array.from([-3, 0, 3]), 1);
    for (let r = 0; r < 3; r++) {
      expect(p[3 * r]! + p[3 * r + 1]! + p[3 * r + 2]!).toBeCloseTo(1, 12);
      expect(Math.max(p[3 * r]!, p[3 * r + 1]!, p[3 * r + 2]!)).toBe(p[3 * r + r]);
    }
  });

  it('is deterministic: the same data gives bit-identical coefficients', () => {
    const { x, y } = syntheticBinary(300, [1, 1], 0, 3);
    const a = fitLogisticRegression(x, 2, y, 2);
    const b = fitLogisticRegression(x, 2, y, 2);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('numerics', () => {
  it('log1pExp and logSumExp stay finite for extreme inputs', () => {
    expect(log1pExp(1000)).toBe(1000);
    expect(log1pExp(-1000)).toBe(0);
    expect(logSumExp(Float64Array.from([1000, 1000]))).toBeCloseTo(1000 + Math.log(2), 10);
  });
});

describe('minimizeLbfgs', () => {
  it('minimises the Rosenbrock function to its known minimum at (1, 1)', () => {
    const result = minimizeLbfgs(
      (p, g) => {
        const [a, b] = [p[0]!, p[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { gradientTolerance: 1e-9, relativeTolerance: 0 },
    );
    expect(result.stopReason).toBe('gradient');
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });
});
