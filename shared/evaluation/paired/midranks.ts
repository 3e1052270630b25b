/**
 * Midranks (1-based; tied values share the mean of their ranks), in O(n log n). The fast
 * DeLong algorithm is built on them. Written here because no installed package ranks with
 * ties. A typed-array sort (native, numeric) of a copy plus one binary search per value is
 * several times faster than sorting an index array with a comparator; values must not be NaN.
 */
export function midranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  // The midrank of each run of equal values, stored at the run's first position.
  const runRank = new Float64Array(n);
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && sorted[end] === sorted[start]) end++;
    runRank[start] = (start + 1 + end) / 2; // ranks start+1 … end
    start = end;
  }
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) ranks[i] = runRank[firstAtLeast(sorted, values[i]!)]!;
  return ranks;
}

/** Index of the first element ≥ v. */
function firstAtLeast(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
