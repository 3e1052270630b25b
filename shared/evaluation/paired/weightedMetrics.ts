/**
 * Metrics over rows weighted by their multiplicity in a bootstrap resample, with the per-row
 * work done once. Each matches its unweighted twin in ../metrics.ts when every weight is 1
 * (test/unit/evaluation/pairedTests.test.ts checks that).
 */

/** Mean of per-row values (e.g. log losses) under the weights. */
export function weightedMean(values: Float64Array, weights: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    sum += weights[i]! * values[i]!;
    total += weights[i]!;
  }
  return sum / total;
}

/**
 * F1 of a classifier from class indices: binary (`positive` given) is the F1 of that class;
 * otherwise macro F1 over the classes that occur in truth or predictions (weight > 0).
 */
export function weightedF1(truth: Int32Array, predicted: Int32Array, classes: number, weights: Float64Array, positive?: number): number {
  const tp = new Float64Array(classes);
  const fp = new Float64Array(classes);
  const fn = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    const w = weights[i]!;
    if (w === 0) continue;
    const t = truth[i]!;
    const p = predicted[i]!;
    if (t === p) tp[t]! += w;
    else {
      if (p >= 0) fp[p]! += w;
      if (t >= 0) fn[t]! += w;
    }
  }
  const f1 = (k: number) => {
    const d = 2 * tp[k]! + fp[k]! + fn[k]!;
    return d === 0 ? 0 : (2 * tp[k]!) / d;
  };
  if (positive !== undefined) return f1(positive);
  let sum = 0;
  let present = 0;
  for (let k = 0; k < classes; k++) {
    if (tp[k]! + fp[k]! + fn[k]! === 0) continue;
    sum += f1(k);
    present++;
  }
  return present === 0 ? Number.NaN : sum / present;
}

/** A score column sorted once, so each resample's AUC is one O(n) pass. */
export interface SortedScores {
  order: Uint32Array;
  /** tieStart[r] is true when position r starts a new run of equal scores. */
  tieStart: Uint8Array;
}

export function sortScores(scores: ArrayLike<number>): SortedScores {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const tieStart = new Uint8Array(order.length);
  for (let r = 0; r < order.length; r++) tieStart[r] = r === 0 || scores[order[r]!] !== scores[order[r - 1]!] ? 1 : 0;
  return { order, tieStart };
}

/** Weighted Mann-Whitney AUC: a tied positive/negative pair counts half. NaN without both classes. */
export function weightedAuc(sorted: SortedScores, isPositive: Uint8Array, weights: Float64Array): number {
  const { order, tieStart } = sorted;
  let negativesBelow = 0;
  let positives = 0;
  let wins = 0;
  for (let r = 0; r < order.length; ) {
    let groupPos = 0;
    let groupNeg = 0;
    let end = r;
    do {
      const i = order[end]!;
      if (isPositive[i]) groupPos += weights[i]!;
      else groupNeg += weights[i]!;
      end++;
    } while (end < order.length && !tieStart[end]);
    wins += groupPos * (negativesBelow + groupNeg / 2);
    negativesBelow += groupNeg;
    positives += groupPos;
    r = end;
  }
  const negatives = negativesBelow;
  return positives === 0 || negatives === 0 ? Number.NaN : wins / (positives * negatives);
}

/** Macro one-vs-rest AUC over the classes whose AUC is defined in this resample. */
export function weightedMacroAuc(perClass: readonly { sorted: SortedScores; isPositive: Uint8Array }[], weights: Float64Array): number {
  let sum = 0;
  let defined = 0;
  for (const { sorted, isPositive } of perClass) {
    const auc = weightedAuc(sorted, isPositive, weights);
    if (Number.isNaN(auc)) continue;
    sum += auc;
    defined++;
  }
  return defined === 0 ? Number.NaN : sum / defined;
}
