/** The measures a drift report names, distribution tests and data-quality checks alike. */
export type MetricName =
  'psi' | 'jensenShannon' | 'wasserstein' | 'ks' | 'chiSquared' | 'nullRate' | 'outOfRange' | 'typeErrors' | 'unseenCategories' | 'absent';
