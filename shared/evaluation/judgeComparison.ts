import type { PipelineConfig } from '../config/schema';
import { normalQuantile } from '../rollout/normal';
import type { PairedEvidence } from './paired/evidence';

export type GateOutcome = 'promote' | 'reject' | 'inconclusive';

/** What the verdict states about the paired comparison (stored on the release record). */
export interface GateComparison {
  outcome: GateOutcome;
  /** e.g. "DeLong", "McNemar (exact binomial)", "paired bootstrap (2000 resamples)". */
  test: string;
  /** Rows both models were scored on. */
  rows: number;
  /** Candidate minus champion, positive when the candidate is better (for log_loss: champion − candidate). */
  improvement: number;
  /** Two-sided 1 − 2·alpha interval of the improvement: its ends are the one-sided 1 − alpha bounds the decision uses. */
  interval: { low: number; high: number; confidence: number };
  /** The one-sided p-value of the decision's test, and its null hypothesis. */
  pValue: number;
  hypothesis: string;
  /** When inconclusive: about how many held-out rows would settle it (80 % power at the observed difference and variance). */
  rowsNeeded?: number;
}

/**
 * Above this the verdict says "practically equal" instead of a count: a difference of float
 * noise (1e-12) gave 6e23, which the record's integer field (safe integers) refused, so the
 * release record no longer parsed.
 */
export const ROWS_NEEDED_CAP = 1_000_000_000;

/** Power the rows-needed estimate aims for. */
const SETTLE_POWER = 0.8;

const fmt = (v: number) => v.toFixed(4);
const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
/** A p-value as the verdict prints it. */
export const formatPValue = (p: number): string => (p < 0.0001 ? '< 0.0001' : p.toPrecision(2));
const pv = formatPValue;

/**
 * Turns a paired test into promote / reject / inconclusive. Promote: H0 "Δ ≤ minImprovement"
 * rejected at alpha. Reject: H0 "Δ ≥ minImprovement" rejected at alpha (significantly worse, or
 * surely short of the improvement asked for). Otherwise inconclusive, and the policy decides:
 * keepChampion, or promote when H0 "Δ ≤ −nonInferiorityMargin" is rejected at alpha.
 */
export function judgeComparison(
  evidence: PairedEvidence,
  policy: PipelineConfig['evaluation'],
): { passed: boolean; comparison: GateComparison; sentence: string } {
  const { alpha, minImprovement: m } = policy;
  const d = evidence.improvement;
  const [low, high] = evidence.interval(alpha);
  const base = { test: evidence.test, rows: evidence.rows, improvement: d, interval: { low, high, confidence: 1 - 2 * alpha } };
  const stats = (p: number, h: string) => `${evidence.test} p ${pv(p)} for ${h}, on ${evidence.rows} held-out rows`;
  const ci = `${pct(1 - 2 * alpha)} CI ${fmt(low)} to ${fmt(high)}`;
  const pPromote = evidence.pAbove(m);
  const promoteH = `improvement ≤ ${fmt(m)}`;
  if (pPromote <= alpha) {
    return {
      passed: true,
      comparison: { ...base, outcome: 'promote', pValue: pPromote, hypothesis: promoteH },
      sentence: `better by ${fmt(d)} (${ci}; ${stats(pPromote, promoteH)})`,
    };
  }
  const pReject = evidence.pBelow(m);
  const rejectH = `improvement ≥ ${fmt(m)}`;
  if (pReject <= alpha) {
    const what = d < 0 && m <= 0 ? `worse by ${fmt(-d)}` : `improvement ${fmt(d)} falls short of minImprovement ${fmt(m)}`;
    return {
      passed: false,
      comparison: { ...base, outcome: 'reject', pValue: pReject, hypothesis: rejectH },
      sentence: `${what} (${ci}; ${stats(pReject, rejectH)})`,
    };
  }
  const rowsNeeded = rowsToSettle(evidence, m, alpha);
  // Without a spread (every compared row moves the same way) there is nothing to project from; more rows may still settle it.
  const settle =
    rowsNeeded !== undefined
      ? `about ${rowsNeeded} held-out rows would settle it`
      : d === m
        ? 'no number of rows would settle it at this difference'
        : evidence.standardError > 0
          ? `more than ${ROWS_NEEDED_CAP} held-out rows would be needed: the two models are practically equal`
          : 'more held-out rows would settle it (these vary too little to say how many)';
  const comparison: GateComparison = {
    ...base,
    outcome: 'inconclusive',
    pValue: pPromote,
    hypothesis: promoteH,
    ...(rowsNeeded !== undefined && { rowsNeeded }),
  };
  const head = `inconclusive, improvement ${fmt(d)} (${ci}; ${stats(pPromote, promoteH)}); ${settle}`;
  if (policy.inconclusive === 'promote') {
    const margin = policy.nonInferiorityMargin;
    const pNotWorse = evidence.pAbove(-margin);
    return pNotWorse <= alpha
      ? {
          passed: true,
          comparison,
          sentence: `${head}; promoted (evaluation.inconclusive: promote): not worse by more than ${fmt(margin)}, p ${pv(pNotWorse)}`,
        }
      : {
          passed: false,
          comparison,
          sentence: `${head}; not promoted: it may be worse by more than nonInferiorityMargin ${fmt(margin)} (p ${pv(pNotWorse)})`,
        };
  }
  return { passed: false, comparison, sentence: `${head}; the champion stays (evaluation.inconclusive: keepChampion)` };
}

/**
 * Rows at which a one-sided test at alpha would have SETTLE_POWER to decide, if the true
 * difference were the observed one and the per-row variance stayed as observed:
 * n' = n · ((z₁₋α + z_power) · se / |Δ̂ − m|)². Undefined when Δ̂ sits on the threshold, the
 * rows show no spread, or the count exceeds ROWS_NEEDED_CAP.
 */
export function rowsToSettle(evidence: PairedEvidence, m: number, alpha: number): number | undefined {
  const gap = Math.abs(evidence.improvement - m);
  if (!(gap > 0) || !(evidence.standardError > 0)) return undefined;
  const z = normalQuantile(1 - alpha) + normalQuantile(SETTLE_POWER);
  const needed = Math.ceil(evidence.rows * ((z * evidence.standardError) / gap) ** 2);
  return needed <= ROWS_NEEDED_CAP ? needed : undefined;
}
