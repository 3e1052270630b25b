import { mulberry32 } from '../../../shared/data/split';
import { computeMetrics, f1ForClass, macroF1, rocAuc, macroAucOvR } from '../../../shared/evaluation/metrics';
import { pairedBootstrap } from '../../../shared/evaluation/paired/bootstrap';
import { delongPaired } from '../../../shared/evaluation/paired/delong';
import { mcnemarEvidence } from '../../../shared/evaluation/paired/evidence';
import { pairedEvidence, UnpairableError, type PairedRows } from '../../../shared/evaluation/paired/pairedEvidence';
import { PairedF1, rankScores, weightedAuc, weightedMacroAuc } from '../../../shared/evaluation/paired/weightedMetrics';

/** Two correlated binary scorers on n rows: a shared nuisance plus each its own noise. */
function twoScorers(n: number, seed: number, strengthA = 1, strengthB = 1) {
  const rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const truth: string[] = [];
  const a: number[][] = [];
  const b: number[][] = [];
  for (let i = 0; i < n; i++) {
    const y = rng() < 0.4 ? 1 : 0;
    const shared = gauss();
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const pa = sig(strengthA * (y - 0.4) * 2 + shared + 0.5 * gauss());
    const pb = sig(strengthB * (y - 0.4) * 2 + shared + 0.5 * gauss());
    truth.push(String(y));
    a.push([1 - pa, pa]);
    b.push([1 - pb, pb]);
  }
  const rows = (p: number[][]) => ({ labels: p.map((r) => (r[1]! > 0.5 ? '1' : '0')), probabilities: p, classes: ['0', '1'] });
  return { truth, candidate: rows(a), champion: rows(b) } satisfies PairedRows;
}

describe('the weighted metrics the bootstrap resamples', () => {
  const rows = twoScorers(300, 7);
  const ones = new Uint32Array(300).fill(1);
  const isPositive = Uint8Array.from(rows.truth, (t) => (t === '1' ? 1 : 0));

  it('weightedAuc with all weights 1 equals rocAuc, ties included', async () => {
    const rounded = rows.candidate.probabilities.map((p) => Math.round(p[1]! * 10) / 10);
    expect(weightedAuc(await rankScores(rounded, isPositive), ones)).toBeCloseTo(
      rocAuc(
        rows.truth.map((t) => t === '1'),
        rounded,
      ),
      12,
    );
  });

  it('rankScores on more rows than one sorted run (merged runs, ties across runs) still gives rocAuc', async () => {
    const rng = mulberry32(21);
    const truth = Array.from({ length: 20_000 }, () => rng() < 0.3);
    const scores = truth.map((y) => Math.round((rng() + (y ? 0.3 : 0)) * 500) / 500);
    let turns = 0;
    const ranked = await rankScores(scores, truth.map(Number), async () => {
      turns++;
    });
    expect(turns).toBeGreaterThan(0);
    for (let r = 1; r < scores.length; r++) expect(scores[ranked.order[r]!]! >= scores[ranked.order[r - 1]!]!).toBe(true);
    expect(weightedAuc(ranked, new Uint32Array(20_000).fill(1))).toBeCloseTo(rocAuc(truth, scores), 12);
  });

  it('weightedAuc with integer weights equals rocAuc on the rows repeated that often', async () => {
    const weights = Uint32Array.from({ length: 300 }, (_, i) => i % 3);
    const scores = rows.candidate.probabilities.map((p) => p[1]!);
    const repeatedTruth: boolean[] = [];
    const repeatedScores: number[] = [];
    weights.forEach((w, i) => {
      for (let k = 0; k < w; k++) {
        repeatedTruth.push(isPositive[i] === 1);
        repeatedScores.push(scores[i]!);
      }
    });
    expect(weightedAuc(await rankScores(scores, isPositive), weights)).toBeCloseTo(rocAuc(repeatedTruth, repeatedScores), 12);
  });

  it('weightedMacroAuc equals macroAucOvR and weightedF1 equals f1ForClass / macroF1', async () => {
    const truth = [0, 1, 2, 2, 1, 0, 2, 1, 0, 0];
    const probs = truth.map((t, i) => {
      const row = [0.2, 0.3, 0.1];
      row[(t + (i % 4 === 0 ? 1 : 0)) % 3]! += 0.5;
      return row;
    });
    const perClass = await Promise.all(
      [0, 1, 2].map((k) =>
        rankScores(
          probs.map((p) => p[k]!),
          truth.map((t) => (t === k ? 1 : 0)),
        ),
      ),
    );
    const w = new Uint32Array(truth.length).fill(1);
    expect(weightedMacroAuc(perClass, w)).toBeCloseTo(macroAucOvR(truth, probs), 12);
    const predicted = Int32Array.from(probs, (p) => p.indexOf(Math.max(...p)));
    const other = Int32Array.from(truth, (t, i) => (i % 3 === 0 ? (t + 1) % 3 : t));
    const macro = new PairedF1(Int32Array.from(truth), predicted, other, 3);
    expect(macro.f1s(macro.allRows())).toEqual(
      [macroF1(truth, [...predicted]), macroF1(truth, [...other])].map((v) => expect.closeTo(v, 12)),
    );
    const binary = new PairedF1(Int32Array.from(truth), predicted, other, 3, 1);
    expect(binary.f1s(binary.allRows())).toEqual(
      [f1ForClass(truth, [...predicted], 1), f1ForClass(truth, [...other], 1)].map((v) => expect.closeTo(v, 12)),
    );
  });

  it('PairedF1 counted per cell equals F1 on the rows repeated as often as drawn', () => {
    const truth = Int32Array.from({ length: 60 }, (_, i) => i % 3);
    const a = Int32Array.from(truth, (t, i) => (i % 4 === 0 ? (t + 1) % 3 : t));
    const b = Int32Array.from(truth, (t, i) => (i % 5 === 0 ? (t + 2) % 3 : t));
    const times = Uint32Array.from(truth, (_, i) => (i * 7) % 4);
    const f1 = new PairedF1(truth, a, b, 3);
    const cellCounts = new Uint32Array(f1.cells);
    f1.cellOf.forEach((c, i) => {
      cellCounts[c]! += times[i]!;
    });
    const repeat = (v: Int32Array) => [...v].flatMap((x, i) => Array<number>(times[i]!).fill(x));
    expect(f1.improvement(cellCounts)).toBeCloseTo(macroF1(repeat(truth), repeat(a)) - macroF1(repeat(truth), repeat(b)), 12);
  });
});

describe('pairedEvidence', () => {
  it('uses DeLong for binary auc, and its estimate is the AUC difference', async () => {
    const rows = twoScorers(400, 3, 1.3, 1);
    const evidence = await pairedEvidence('auc', rows);
    const aucOf = (m: PairedRows['candidate']) => computeMetrics(rows.truth, m.probabilities!, m.classes!).auc;
    expect(evidence.test).toBe('DeLong');
    expect(evidence.improvement).toBeCloseTo(aucOf(rows.candidate) - aucOf(rows.champion), 12);
  });

  it('a paired bootstrap of the AUC difference has about the DeLong standard error', async () => {
    const rows = twoScorers(1000, 11);
    const d = delongPaired(
      rows.truth.map((t) => t === '1'),
      rows.candidate.probabilities.map((p) => p[1]!),
      rows.champion.probabilities.map((p) => p[1]!),
    );
    const positive = Uint8Array.from(rows.truth, (t) => (t === '1' ? 1 : 0));
    const a = await rankScores(
      rows.candidate.probabilities.map((p) => p[1]!),
      positive,
    );
    const b = await rankScores(
      rows.champion.probabilities.map((p) => p[1]!),
      positive,
    );
    const replicates = await pairedBootstrap(1000, (w) => weightedAuc(a, w) - weightedAuc(b, w), { samples: 1000, seed: 5 });
    const mean = replicates.reduce((s, v) => s + v, 0) / replicates.length;
    const sd = Math.sqrt(replicates.reduce((s, v) => s + (v - mean) ** 2, 0) / (replicates.length - 1));
    expect(sd / Math.sqrt(d.variance)).toBeGreaterThan(0.85);
    expect(sd / Math.sqrt(d.variance)).toBeLessThan(1.15);
  });

  it('the log_loss bootstrap has about the analytic standard error of a mean of paired differences, and is seeded', async () => {
    const rows = twoScorers(2000, 13);
    const evidence = await pairedEvidence('log_loss', rows, { samples: 1000, seed: 9 });
    const loss = (p: readonly (readonly number[])[], i: number) => -Math.log(p[i]![Number(rows.truth[i])]!);
    const diffs = rows.truth.map((_, i) => loss(rows.champion.probabilities, i) - loss(rows.candidate.probabilities, i));
    const mean = diffs.reduce((s, v) => s + v, 0) / diffs.length;
    const se = Math.sqrt(diffs.reduce((s, v) => s + (v - mean) ** 2, 0) / (diffs.length - 1) / diffs.length);
    expect(evidence.improvement).toBeCloseTo(mean, 12);
    expect(evidence.standardError / se).toBeGreaterThan(0.9);
    expect(evidence.standardError / se).toBeLessThan(1.1);
    expect((await pairedEvidence('log_loss', rows, { samples: 1000, seed: 9 })).interval(0.05)).toEqual(evidence.interval(0.05));
  });

  it('uses McNemar for accuracy, on the rows exactly one model gets right', async () => {
    const rows: PairedRows = {
      truth: ['a', 'a', 'b', 'b', 'a'],
      candidate: { labels: ['a', 'a', 'b', 'a', 'b'] },
      champion: { labels: ['a', 'b', 'a', 'a', 'b'] },
    };
    const evidence = await pairedEvidence('accuracy', rows);
    expect(evidence).toMatchObject({ test: 'McNemar (exact binomial)', rows: 5, improvement: 0.4 });
    expect(evidence.pAbove(0)).toBeCloseTo(0.25, 12); // b = 2, c = 0: P(X ≥ 2 | 2, 1/2)
  });

  it("McNemar's interval inverts its own test: each end is where the one-sided p-value crosses alpha", async () => {
    const evidence = mcnemarEvidence(1000, 70, 40);
    const [low, high] = evidence.interval(0.05);
    expect(evidence.pAbove(low - 1e-6)).toBeLessThanOrEqual(0.05);
    expect(evidence.pAbove(low + 1e-6)).toBeGreaterThan(0.05);
    expect(evidence.pBelow(high + 1e-6)).toBeLessThanOrEqual(0.05);
    expect(evidence.pBelow(high - 1e-6)).toBeGreaterThan(0.05);
    expect(low).toBeLessThan(0.03);
    expect(high).toBeGreaterThan(0.03);
  });

  it('throws UnpairableError when a model gave no probabilities for auc', async () => {
    const rows = twoScorers(50, 1);
    await expect(pairedEvidence('auc', { ...rows, champion: { labels: rows.champion.labels } })).rejects.toThrow(
      new UnpairableError('auc', 'the champion gave no class probabilities for every row'),
    );
  });
});
