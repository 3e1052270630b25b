import { mulberry32 } from '../../data/split';

export interface PairedBootstrapOptions {
  /** Resamples drawn. @default 2000 */
  samples?: number;
  /** Seed of the resampling, so the same rows give the same verdict. @default 42 */
  seed?: number;
}

/**
 * Our own (a loop of a dozen lines): the npm bootstrap packages resample index arrays with
 * Math.random, which cannot be seeded, and a verdict must be reproducible. A paired bootstrap: each resample draws n rows with replacement, the same rows for both
 * models, and `improvement` turns the rows' multiplicities into one number (candidate better
 * when positive). Multiplicities instead of index lists let a statistic keep its per-row work
 * precomputed (sort orders, losses), so one resample costs O(n). Returns the replicates sorted.
 */
export function pairedBootstrap(rows: number, improvement: (weights: Float64Array) => number, options: PairedBootstrapOptions = {}): Float64Array {
  const samples = options.samples ?? 2000;
  const rng = mulberry32(options.seed ?? 42);
  const weights = new Float64Array(rows);
  const replicates = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    weights.fill(0);
    // `| 0` rather than Math.floor: under Jest's vm sandbox every `Math.` lookup is slow.
    for (let i = 0; i < rows; i++) weights[(rng() * rows) | 0]! += 1;
    replicates[s] = improvement(weights);
  }
  return replicates.sort();
}
