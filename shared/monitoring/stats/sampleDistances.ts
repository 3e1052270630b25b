/** A sorted weighted sample: exact data has weight 1 per value, a KLL sketch weights 2^level. */
export interface WeightedSample {
  values: Float64Array;
  weights: Float64Array;
}

export interface SampleDistances {
  /** Two-sample KS statistic sup_x |F_a(x) − F_b(x)| over right-continuous empirical CDFs. */
  ks: number;
  /** Wasserstein-1 distance ∫|F_a(x) − F_b(x)| dx, in the data's units. */
  wasserstein: number;
}

/**
 * Both distances in one merge walk over the two sorted samples. With weight-1 samples this is
 * exactly what scipy computes (`ks_2samp`'s statistic evaluates both CDFs at every data point;
 * `wasserstein_distance` integrates |F_a − F_b| between consecutive data points); with sketches
 * it is the same formula applied to the sketches' weighted items.
 */
export function sampleDistances(a: WeightedSample, b: WeightedSample): SampleDistances {
  const totalA = sum(a.weights);
  const totalB = sum(b.weights);
  if (totalA === 0 || totalB === 0) throw new RangeError('sampleDistances needs two non-empty samples');
  let i = 0;
  let j = 0;
  let cumA = 0;
  let cumB = 0;
  let ks = 0;
  let wasserstein = 0;
  while (i < a.values.length || j < b.values.length) {
    const x = Math.min(i < a.values.length ? a.values[i]! : Infinity, j < b.values.length ? b.values[j]! : Infinity);
    while (i < a.values.length && a.values[i]! === x) cumA += a.weights[i++]!;
    while (j < b.values.length && b.values[j]! === x) cumB += b.weights[j++]!;
    const gap = Math.abs(cumA / totalA - cumB / totalB);
    if (gap > ks) ks = gap;
    const next = Math.min(i < a.values.length ? a.values[i]! : Infinity, j < b.values.length ? b.values[j]! : Infinity);
    if (next !== Infinity) wasserstein += gap * (next - x);
  }
  return { ks, wasserstein };
}

/** Sorted weight-1 sample from raw values. */
export function exactSample(values: ArrayLike<number>): WeightedSample {
  const sorted = Float64Array.from(values).sort();
  return { values: sorted, weights: new Float64Array(sorted.length).fill(1) };
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
