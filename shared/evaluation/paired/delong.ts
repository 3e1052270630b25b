import { midranks } from './midranks';

/** Two binary AUCs on the same rows and the variance of their difference (DeLong et al. 1988). */
export interface DeLongResult {
  aucA: number;
  aucB: number;
  /** aucA - aucB. */
  difference: number;
  /** Estimated variance of `difference`; 0 when the two score vectors rank the rows alike. */
  variance: number;
  positives: number;
  negatives: number;
}

/**
 * DeLong's paired comparison of two correlated ROC AUCs, computed with the O(n log n) midrank
 * algorithm of Sun & Xu (2014, IEEE Signal Processing Letters 21(11)) instead of the O(m·n)
 * pairwise kernel. Our own code: no npm package implements DeLong; the reference fixtures in
 * test/fixtures/evaluation (made by scripts/gate-fixtures.py with the pairwise definition and
 * scipy) check it. `isPositive[i]` says whether row i is of the positive class; scores of
 * model A and model B are for the same rows. NaN AUCs when a class is absent.
 */
export function delongPaired(isPositive: readonly boolean[], scoresA: ArrayLike<number>, scoresB: ArrayLike<number>): DeLongResult {
  const n = isPositive.length;
  if (scoresA.length !== n || scoresB.length !== n)
    throw new RangeError(`delongPaired needs one score per row from each model: ${n} rows, ${scoresA.length} and ${scoresB.length} scores`);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < n; i++) (isPositive[i] ? pos : neg).push(i);
  const m = pos.length;
  const k = neg.length;
  if (m === 0 || k === 0)
    return { aucA: Number.NaN, aucB: Number.NaN, difference: Number.NaN, variance: Number.NaN, positives: m, negatives: k };
  const a = components(pos, neg, scoresA);
  const b = components(pos, neg, scoresB);
  // Var(θA − θB) = Var(V10A − V10B)/m + Var(V01A − V01B)/k: the covariance matrix of the
  // structural components, contracted with (1, −1), is the sample variance of their difference.
  const variance = sampleVariance(a.v10, b.v10) / m + sampleVariance(a.v01, b.v01) / k;
  return { aucA: a.auc, aucB: b.auc, difference: a.auc - b.auc, variance, positives: m, negatives: k };
}

/** One model's AUC and DeLong's structural components (placement values) V10 and V01. */
function components(pos: readonly number[], neg: readonly number[], scores: ArrayLike<number>) {
  const m = pos.length;
  const k = neg.length;
  const x = Float64Array.from(pos, (i) => scores[i]!);
  const y = Float64Array.from(neg, (i) => scores[i]!);
  const z = new Float64Array(m + k);
  z.set(x);
  z.set(y, m);
  const tx = midranks(x);
  const ty = midranks(y);
  const tz = midranks(z);
  let rankSum = 0;
  const v10 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    rankSum += tz[i]!;
    v10[i] = (tz[i]! - tx[i]!) / k; // share of negatives below positive i (ties count half)
  }
  const v01 = new Float64Array(k);
  for (let j = 0; j < k; j++) v01[j] = 1 - (tz[m + j]! - ty[j]!) / m; // share of positives above negative j
  return { auc: rankSum / (m * k) - (m + 1) / (2 * k), v10, v01 };
}

/** Sample variance (n − 1) of a[i] − b[i]; 0 for fewer than two values. */
function sampleVariance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i]! - b[i]!;
  mean /= n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]! - mean;
    sum += d * d;
  }
  return sum / (n - 1);
}
