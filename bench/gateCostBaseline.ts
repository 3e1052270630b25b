/**
 * The gate's bootstrap as it was at 293a1bf (before it was sliced and made cheaper), kept only
 * so section 15 can measure before and after in the same run: one synchronous loop, a
 * Float64Array of weights per resample, F1 recomputed from every row, AUC's labels looked up by
 * row and its ties by a start flag. Not used by the product.
 */
import { mulberry32 } from '../shared/data/split';

export function baselineBootstrap(
  rows: number,
  improvement: (weights: Float64Array) => number,
  samples: number,
  seed: number,
): Float64Array {
  const rng = mulberry32(seed);
  const weights = new Float64Array(rows);
  const replicates = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    weights.fill(0);
    for (let i = 0; i < rows; i++) weights[(rng() * rows) | 0]! += 1;
    replicates[s] = improvement(weights);
  }
  return replicates.sort();
}

export function baselineMean(values: Float64Array, weights: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    sum += weights[i]! * values[i]!;
    total += weights[i]!;
  }
  return sum / total;
}

export function baselineF1(truth: Int32Array, predicted: Int32Array, classes: number, weights: Float64Array, positive?: number): number {
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

export interface BaselineSorted {
  order: Uint32Array;
  tieStart: Uint8Array;
  isPositive: Uint8Array;
}

export function baselineSort(scores: ArrayLike<number>, isPositive: Uint8Array): BaselineSorted {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const tieStart = new Uint8Array(order.length);
  for (let r = 0; r < order.length; r++) tieStart[r] = r === 0 || scores[order[r]!] !== scores[order[r - 1]!] ? 1 : 0;
  return { order, tieStart, isPositive };
}

export function baselineMacroAuc(perClass: readonly BaselineSorted[], weights: Float64Array): number {
  let sum = 0;
  let defined = 0;
  for (const { order, tieStart, isPositive } of perClass) {
    let negativesBelow = 0;
    let positives = 0;
    let wins = 0;
    for (let r = 0; r < order.length;) {
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
    if (positives === 0 || negativesBelow === 0) continue;
    sum += wins / (positives * negativesBelow);
    defined++;
  }
  return defined === 0 ? Number.NaN : sum / defined;
}
