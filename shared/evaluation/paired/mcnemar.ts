/**
 * McNemar's test on the discordant pairs of two classifiers scored on the same rows: b rows
 * only the candidate gets right, c rows only the champion gets right. Given N = b + c, b is
 * binomial(N, π); π = 1/2 when both are equally accurate. Our own code: no npm package has a
 * binomial tail or McNemar; test/fixtures/evaluation/mcnemar.json (scipy.stats.binomtest and
 * chi2) checks it.
 */
import { normalCdf } from '../../rollout/normal';

/** Below this many discordant pairs the binomial tail is summed exactly (statsmodels' advice); above, the normal approximation with continuity correction, as McNemar's chi-square. */
export const EXACT_BELOW = 25;

/** P(X ≥ b) for X ~ binomial(N, π): the one-sided p-value of H0 "π ≤ π0" against "π > π0". */
export function discordantUpperTail(b: number, discordant: number, pi0: number): number {
  if (b <= 0) return 1;
  if (b > discordant) return 0;
  if (pi0 <= 0) return 0;
  if (pi0 >= 1) return 1;
  if (discordant < EXACT_BELOW) {
    let sum = 0;
    for (let k = b; k <= discordant; k++) sum += binomialPmf(k, discordant, pi0);
    return Math.min(1, sum);
  }
  const z = (b - discordant * pi0 - 0.5) / Math.sqrt(discordant * pi0 * (1 - pi0));
  return 1 - normalCdf(z);
}

/** P(X ≤ b): the one-sided p-value of H0 "π ≥ π0" against "π < π0". */
export function discordantLowerTail(b: number, discordant: number, pi0: number): number {
  return discordantUpperTail(discordant - b, discordant, 1 - pi0);
}

/** The classic two-sided McNemar test of π = 1/2, as statsmodels' `mcnemar` computes it. */
export function mcnemarTwoSided(b: number, c: number): { statistic: number; pValue: number; exact: boolean } {
  const discordant = b + c;
  if (discordant === 0) return { statistic: 0, pValue: 1, exact: true };
  if (discordant < EXACT_BELOW) {
    const low = Math.min(b, c);
    return { statistic: low, pValue: Math.min(1, 2 * discordantLowerTail(low, discordant, 0.5)), exact: true };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / discordant;
  return { statistic, pValue: 2 * (1 - normalCdf(Math.sqrt(statistic))), exact: false };
}

function binomialPmf(k: number, n: number, p: number): number {
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  return Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log(1 - p));
}
