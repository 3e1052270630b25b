import delongFixture from '../../fixtures/evaluation/delong.json';
import mcnemarFixture from '../../fixtures/evaluation/mcnemar.json';
import { delongPaired } from '../../../shared/evaluation/paired/delong';
import { discordantLowerTail, discordantUpperTail, EXACT_BELOW, mcnemarTwoSided } from '../../../shared/evaluation/paired/mcnemar';
import { normalEvidence } from '../../../shared/evaluation/paired/evidence';
import { rocAuc } from '../../../shared/evaluation/metrics';

/** Reference numbers from scripts/gate-fixtures.py (pairwise DeLong with numpy, scipy's binomtest and chi2). */
describe('the paired tests against reference numbers', () => {
  it.each(delongFixture.cases.map((c) => [c.name, c] as const))('delongPaired matches the pairwise DeLong definition: %s', (_name, c) => {
    const result = delongPaired(
      c.truth.map((y) => y === 1),
      c.scoresA,
      c.scoresB,
    );
    expect(result.aucA).toBeCloseTo(c.aucA, 12);
    expect(result.aucB).toBeCloseTo(c.aucB, 12);
    expect(result.aucA).toBeCloseTo(rocAuc(c.truth, c.scoresA), 12);
    expect(result.variance).toBeCloseTo(c.variance, 12);
    const z = result.difference / Math.sqrt(result.variance);
    expect(z).toBeCloseTo(c.z, 9);
    // Two-sided p from our one-sided p-values (normal CDF accurate to ~1e-7).
    const evidence = normalEvidence('DeLong', c.truth.length, result.difference, Math.sqrt(result.variance));
    expect(2 * Math.min(evidence.pAbove(0), evidence.pBelow(0))).toBeCloseTo(c.pTwoSided, 6);
  });

  it('delongPaired gives variance 0 and difference 0 for the same scores twice (pROC: Z = 0, p = 1)', () => {
    const c = delongFixture.cases[1]!;
    const result = delongPaired(
      c.truth.map((y) => y === 1),
      c.scoresA,
      c.scoresA,
    );
    expect(result).toMatchObject({ difference: 0, variance: 0 });
    expect(normalEvidence('DeLong', c.truth.length, 0, 0).pAbove(0)).toBe(1);
  });

  it.each(mcnemarFixture.cases.map((c) => [c.b, c.c, c] as const))(
    'mcnemarTwoSided(%i, %i) matches scipy (exact binomial below 25 discordant pairs, chi-square above)',
    (b, c, ref) => {
      const result = mcnemarTwoSided(b, c);
      expect(result.exact).toBe(ref.exact);
      expect(result.pValue).toBeCloseTo(ref.pTwoSided, 6);
    },
  );

  it('the one-sided discordant tails equal scipy.stats.binomtest exactly below 25 pairs, and approximate it above', () => {
    for (const c of mcnemarFixture.cases) {
      const n = c.b + c.c;
      for (const one of c.oneSided) {
        const greater = discordantUpperTail(c.b, n, one.pi0);
        const less = discordantLowerTail(c.b, n, one.pi0);
        if (n < EXACT_BELOW) {
          expect(greater).toBeCloseTo(one.exactGreater, 12);
          expect(less).toBeCloseTo(one.exactLess, 12);
        } else {
          // Continuity-corrected normal approximation: close in absolute terms.
          expect(Math.abs(greater - one.exactGreater)).toBeLessThan(0.01);
          expect(Math.abs(less - one.exactLess)).toBeLessThan(0.01);
        }
      }
    }
  });
});
