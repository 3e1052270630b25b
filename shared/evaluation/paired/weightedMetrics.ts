import { nextTurn } from './bootstrap';

/**
 * Metrics over rows weighted by their multiplicity in a bootstrap resample (how often the
 * resample drew each row), with the per-row work done once, so that one resample costs one
 * sequential pass over typed arrays and allocates nothing. Each matches its unweighted twin in
 * ../metrics.ts when every count is 1 (test/unit/evaluation/pairedTests.test.ts checks that).
 */

/** Mean of per-row values (e.g. log-loss differences) under the counts. */
export function weightedMean(values: Float64Array, counts: Uint32Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const c = counts[i]!;
    sum += c * values[i]!;
    total += c;
  }
  return sum / total;
}

/**
 * Both models' F1 from the rows' (truth, candidate, champion) class triples. F1 depends on the
 * rows only through how many fall in each triple, so the bootstrap counts its draws per
 * distinct triple (`cellOf`: at most n cells, usually a handful) and this scores those counts.
 */
export class PairedF1 {
  readonly cellOf: Uint32Array;
  private readonly cellTruth: Int32Array;
  private readonly cellA: Int32Array;
  private readonly cellB: Int32Array;
  private readonly tallies: Float64Array;

  /** Binary (`positive` given) is the F1 of that class; otherwise macro F1 over the classes present. */
  constructor(
    truth: Int32Array,
    a: Int32Array,
    b: Int32Array,
    private readonly classes: number,
    private readonly positive?: number,
  ) {
    const ids = new Map<number, number>();
    this.cellOf = new Uint32Array(truth.length);
    const t: number[] = [],
      ca: number[] = [],
      cb: number[] = [];
    for (let i = 0; i < truth.length; i++) {
      const key = (truth[i]! * classes + a[i]!) * classes + b[i]!;
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
        t.push(truth[i]!);
        ca.push(a[i]!);
        cb.push(b[i]!);
      }
      this.cellOf[i] = id;
    }
    this.cellTruth = Int32Array.from(t);
    this.cellA = Int32Array.from(ca);
    this.cellB = Int32Array.from(cb);
    // tp, fp, fn per class, for one model at a time.
    this.tallies = new Float64Array(3 * classes);
  }

  get cells(): number {
    return this.cellTruth.length;
  }

  /** Rows per cell with every row counted once. */
  allRows(): Uint32Array {
    const counts = new Uint32Array(this.cells);
    for (const c of this.cellOf) counts[c]!++;
    return counts;
  }

  /** [candidate F1, champion F1] under the counts per cell. */
  f1s(cellCounts: Uint32Array): [number, number] {
    return [this.f1Of(this.cellA, cellCounts), this.f1Of(this.cellB, cellCounts)];
  }

  improvement(cellCounts: Uint32Array): number {
    return this.f1Of(this.cellA, cellCounts) - this.f1Of(this.cellB, cellCounts);
  }

  private f1Of(predicted: Int32Array, cellCounts: Uint32Array): number {
    const k = this.classes;
    const tally = this.tallies;
    tally.fill(0);
    for (let c = 0; c < predicted.length; c++) {
      const w = cellCounts[c]!;
      const t = this.cellTruth[c]!;
      const p = predicted[c]!;
      if (t === p) tally[t]! += w;
      else {
        tally[k + p]! += w;
        tally[2 * k + t]! += w;
      }
    }
    const f1 = (cls: number) => {
      const d = 2 * tally[cls]! + tally[k + cls]! + tally[2 * k + cls]!;
      return d === 0 ? 0 : (2 * tally[cls]!) / d;
    };
    if (this.positive !== undefined) return f1(this.positive);
    let sum = 0;
    let present = 0;
    for (let cls = 0; cls < k; cls++) {
      if (tally[cls]! + tally[k + cls]! + tally[2 * k + cls]! === 0) continue;
      sum += f1(cls);
      present++;
    }
    return present === 0 ? Number.NaN : sum / present;
  }
}

/** One score column sorted once, with the labels laid out in sorted order, so each resample's AUC is one pass. */
export interface RankedColumn {
  order: Uint32Array;
  /** Per sorted position: 1 when that row is of the positive class. */
  positive: Uint8Array;
  /** Per sorted position: 1 when the next position holds a different score (ends a run of ties). */
  groupEnd: Uint8Array;
}

/**
 * Ranks a column for weightedAuc. Sorting 100,000 scores with a comparator takes 50-200 ms (more
 * on its first, unoptimised run), so it sorts runs of RUN indices and merges them pairwise,
 * giving the event loop a `turn` after every few runs and every merge pass. Ties may land in any
 * order: weightedAuc groups them.
 */
export async function rankScores(
  scores: ArrayLike<number>,
  isPositive: ArrayLike<number>,
  turn: () => Promise<void> = nextTurn,
): Promise<RankedColumn> {
  const n = scores.length;
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const byScore = (a: number, b: number) => scores[a]! - scores[b]!;
  for (let start = 0; start < n; start += RUN) {
    order.subarray(start, Math.min(n, start + RUN)).sort(byScore);
    if ((start / RUN) % 4 === 3) await turn();
  }
  let spare = new Uint32Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let low = 0; low < n; low += 2 * width) merge(scores, order, spare, low, Math.min(n, low + width), Math.min(n, low + 2 * width));
    [order, spare] = [spare, order];
    await turn();
  }
  const positive = new Uint8Array(n);
  const groupEnd = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    positive[r] = isPositive[order[r]!] ? 1 : 0;
    groupEnd[r] = r === n - 1 || scores[order[r]!] !== scores[order[r + 1]!] ? 1 : 0;
  }
  return { order, positive, groupEnd };
}

const RUN = 8192;

/** Merges the sorted runs from[low, middle) and from[middle, high) into into[low, high). */
function merge(scores: ArrayLike<number>, from: Uint32Array, into: Uint32Array, low: number, middle: number, high: number): void {
  let i = low;
  let j = middle;
  for (let k = low; k < high; k++) {
    if (j >= high || (i < middle && scores[from[i]!]! <= scores[from[j]!]!)) into[k] = from[i++]!;
    else into[k] = from[j++]!;
  }
}

/**
 * Weighted Mann-Whitney AUC: a tied positive/negative pair counts half. NaN without both
 * classes. Counts are integers and the sums stay below n², so the arithmetic is exact.
 */
export function weightedAuc(column: RankedColumn, counts: Uint32Array): number {
  const { order, positive, groupEnd } = column;
  let negativesBelow = 0;
  let positives = 0;
  let wins = 0;
  let groupPos = 0;
  let groupNeg = 0;
  for (let r = 0; r < order.length; r++) {
    const w = counts[order[r]!]!;
    // Branch-free: the label is a coin flip the CPU cannot predict.
    const wp = w * positive[r]!;
    groupPos += wp;
    groupNeg += w - wp;
    if (groupEnd[r]) {
      wins += groupPos * (negativesBelow + groupNeg / 2);
      negativesBelow += groupNeg;
      positives += groupPos;
      groupPos = 0;
      groupNeg = 0;
    }
  }
  return positives === 0 || negativesBelow === 0 ? Number.NaN : wins / (positives * negativesBelow);
}

/** Macro one-vs-rest AUC over the classes whose AUC is defined in this resample. */
export function weightedMacroAuc(perClass: readonly RankedColumn[], counts: Uint32Array): number {
  let sum = 0;
  let defined = 0;
  for (const column of perClass) {
    const auc = weightedAuc(column, counts);
    if (Number.isNaN(auc)) continue;
    sum += auc;
    defined++;
  }
  return defined === 0 ? Number.NaN : sum / defined;
}
