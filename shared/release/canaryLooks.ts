import { decideCanary, type CanaryAnalysisState, type CanaryDecision } from '../rollout';
import type { CanaryLook } from './types';

/** Looks kept on the release: enough for a chart of any canary the policy allows by default. */
export const MAX_LOOKS = 500;
/**
 * Characters of JSON kept across all looks. The whole release is one table row of at most
 * ~480,000 characters, and a look is ~270 plus ~95 per metric: 500 looks of three metrics
 * fit, but a classifier with 20 classes (23 metrics) would need ~1.2 M, so such a canary
 * keeps fewer, most recent, looks (~130).
 */
export const MAX_LOOKS_CHARS = 300_000;

export interface CanaryLookContext {
  at: Date;
  stepIndex: number;
  /** Canary traffic percent during the interval. */
  weight: number;
  since: string;
}

/**
 * What one look of the sequential test showed, as plain finite numbers. Counts are the
 * analysis's cumulative ones (what the test has seen since the canary started), taken from
 * its error metric, whose denominators are the arms' requests.
 */
export function canaryLook(
  analysis: CanaryAnalysisState,
  context: CanaryLookContext,
  decision: CanaryDecision = decideCanary(analysis),
): CanaryLook {
  const errors = analysis.metrics.find((m) => m.id === 'errors');
  return {
    at: context.at.toISOString(),
    stepIndex: context.stepIndex,
    weight: context.weight,
    since: context.since,
    canary: { requests: errors?.canary.requests ?? 0, errors: errors?.canary.events ?? 0 },
    stable: { requests: errors?.stable.requests ?? 0, errors: errors?.stable.events ?? 0 },
    metrics: decision.evidence.map((e) => ({
      id: e.metric,
      statistic: finite(e.logLR),
      boundary: finite(e.threshold),
      rejected: e.rejected,
      sufficient: e.evidenceSufficient,
    })),
    verdict: decision.verdict,
  };
}

/**
 * The looks with `look` added: one look per interval cursor (a redriven step that analyses
 * the same interval again replaces its look instead of adding a second; so does the look
 * after an interval without traffic, which left the cursor in place), then the most
 * recent within MAX_LOOKS and MAX_LOOKS_CHARS (the newest look is always kept). The input
 * is not changed.
 */
export function appendLook(looks: readonly CanaryLook[], look: CanaryLook): CanaryLook[] {
  const next = [...looks.filter((l) => l.since !== look.since), look];
  const oldest = Math.max(0, next.length - MAX_LOOKS);
  let chars = 0;
  for (let i = next.length - 1; i >= oldest; i--) {
    chars += JSON.stringify(next[i]).length + 1;
    if (chars > MAX_LOOKS_CHARS && i < next.length - 1) return next.slice(i + 1);
  }
  return next.slice(oldest);
}

/**
 * JSON has no Infinity or NaN (they become null and the record would no longer parse): the
 * statistic is finite in practice (log-mean-exp of finite sums); this keeps it so at the extremes.
 */
function finite(x: number): number {
  if (Number.isNaN(x)) return 0;
  // Six significant digits: a chart needs no more, and 500 looks must fit in the release's row.
  return Number(Math.min(Math.max(x, -Number.MAX_VALUE), Number.MAX_VALUE).toPrecision(6));
}
