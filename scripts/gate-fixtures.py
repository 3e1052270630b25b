#!/usr/bin/python3
"""Reference numbers for the evaluation gate's paired tests (shared/evaluation/paired/).

Run with Debian's python3 (scipy, numpy, scikit-learn):
    /usr/bin/python3 scripts/gate-fixtures.py
It writes test/fixtures/evaluation/delong.json and mcnemar.json, which
test/unit/evaluation/pairedReference.test.ts compares our TypeScript with.

DeLong is computed here from its original definition (DeLong, DeLong & Clarke-Pearson 1988):
the structural components are averages of the pairwise kernel psi(x, y) = 1, 1/2, 0 over all
positive/negative pairs, O(m*n), independent of the midrank algorithm (Sun & Xu 2014) ours uses.
The AUCs are also checked against sklearn's roc_auc_score. McNemar uses scipy.stats.binomtest and
scipy.stats.chi2 (statsmodels is not installed here; its `mcnemar` is binomtest below 25
discordant pairs and the continuity-corrected chi-square above, which is what we reproduce).
"""
import json
import os

import numpy as np
from scipy import stats
from sklearn.metrics import roc_auc_score

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'evaluation')


def delong_pairwise(y, a, b):
    pos, neg = y == 1, y == 0
    comps = []
    for s in (a, b):
        x, z = s[pos][:, None], s[neg][None, :]
        psi = (x > z) + 0.5 * (x == z)
        comps.append((psi.mean(axis=1), psi.mean(axis=0), psi.mean()))
    (v10a, v01a, auca), (v10b, v01b, aucb) = comps
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    m, n = pos.sum(), neg.sum()
    contrast = np.array([1.0, -1.0])
    var = contrast @ s10 @ contrast / m + contrast @ s01 @ contrast / n
    z = (auca - aucb) / np.sqrt(var) if var > 0 else 0.0
    return dict(aucA=auca, aucB=aucb, variance=var, z=z, pTwoSided=2 * stats.norm.sf(abs(z)),
                varianceA=s10[0, 0] / m + s01[0, 0] / n)


def delong_cases():
    rng = np.random.default_rng(20141)
    cases = []
    for name, n, rounding, strength in [('small, tied scores', 40, 1, 1.0), ('ordinal scores 1-5', 113, None, 0.8),
                                        ('continuous, correlated', 300, None, 1.2), ('larger', 2000, 3, 0.6)]:
        y = (rng.random(n) < 0.4).astype(int)
        shared = rng.normal(size=n)
        a = strength * y + 0.8 * shared + 0.6 * rng.normal(size=n)
        b = 0.8 * strength * y + 0.8 * shared + 0.6 * rng.normal(size=n)
        if rounding is not None:
            a, b = np.round(a, rounding), np.round(b, rounding)
        if name.startswith('ordinal'):
            a = np.clip(np.round(a * 1.2 + 3), 1, 5)
            b = np.clip(np.round(b * 1.2 + 3), 1, 5)
        ref = delong_pairwise(y, a, b)
        assert abs(ref['aucA'] - roc_auc_score(y, a)) < 1e-12 and abs(ref['aucB'] - roc_auc_score(y, b)) < 1e-12
        cases.append(dict(name=name, truth=y.tolist(), scoresA=a.tolist(), scoresB=b.tolist(),
                          **{k: float(v) for k, v in ref.items()}))
    return cases


def mcnemar_cases():
    cases = []
    for b, c in [(0, 0), (3, 0), (7, 2), (12, 5), (10, 14), (30, 18), (150, 120), (60, 95), (2000, 1900)]:
        n = b + c
        two = dict(pTwoSided=float(stats.binomtest(b, n, 0.5).pvalue), exact=True) if 0 < n < 25 else \
            dict(pTwoSided=float(stats.chi2.sf((abs(b - c) - 1) ** 2 / n, 1)), exact=False) if n else dict(pTwoSided=1.0, exact=True)
        one = []
        for pi0 in (0.3, 0.5, 0.62):
            if n == 0:
                continue
            exact_greater = float(stats.binomtest(b, n, pi0, alternative='greater').pvalue)
            exact_less = float(stats.binomtest(b, n, pi0, alternative='less').pvalue)
            one.append(dict(pi0=pi0, exactGreater=exact_greater, exactLess=exact_less))
        cases.append(dict(b=b, c=c, **two, oneSided=one))
    return cases


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'delong.json'), 'w') as f:
        json.dump(dict(source='scripts/gate-fixtures.py: pairwise DeLong (1988) with numpy, p from scipy.stats.norm',
                       cases=delong_cases()), f, indent=None)
    with open(os.path.join(OUT, 'mcnemar.json'), 'w') as f:
        json.dump(dict(source='scripts/gate-fixtures.py: scipy.stats.binomtest and scipy.stats.chi2', cases=mcnemar_cases()), f, indent=1)
    print('wrote', OUT)
