import { affordableResamples, pairedBootstrap, type PairedBootstrapOptions, type Tally } from './bootstrap';
import { bootstrapEvidence, normalEvidence, type PairedEvidence } from './evidence';

/**
 * A percentile bootstrap with the resamples asked for, or, when those would cost more than
 * GATE_ROW_VISITS (multiclass AUC on a large holdout), a normal test with the standard error of
 * the resamples that fit (at least 200). On rows that many the difference of two smooth
 * statistics is close to normal, and 200 resamples estimate its standard error to about 5 %.
 */
export async function bootstrapTest(
  n: number,
  point: number,
  improvement: (counts: Uint32Array) => number,
  options: PairedBootstrapOptions,
  tally: Tally,
): Promise<PairedEvidence> {
  const asked = options.samples ?? 2000;
  const samples = affordableResamples(n, tally.passes, asked, options.rowVisits);
  const replicates = await pairedBootstrap(n, improvement, { ...options, samples }, tally);
  const evidence = bootstrapEvidence(n, point, replicates);
  if (samples === asked) return evidence;
  return normalEvidence(`paired bootstrap (${samples} resamples, normal with their standard error)`, n, point, evidence.standardError);
}
