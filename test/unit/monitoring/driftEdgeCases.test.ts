/** Drift judging on the inputs a careless user or an attacker sends: many categories, partly empty windows, odd values. */
import { createRng } from '../../../examples/tabular/lib/random';
import { compareToBaseline, createWindowProfile, profileBaseline, type DriftReport } from '../../../shared/monitoring/stats';

/** A one-column categorical baseline of `baselineRows` draws against a window of `windowRows` (seeded, `newShare` of the window a category never seen). */
async function categoricalReport(
  seed: number,
  draw: (rng: ReturnType<typeof createRng>) => string,
  rows: { baseline: number; window: number },
  newShare = 0,
): Promise<DriftReport> {
  const rng = createRng(seed);
  const baseline = await profileBaseline(
    ['city'],
    Array.from({ length: rows.baseline }, () => [draw(rng)]),
  );
  const window = createWindowProfile(baseline);
  for (let i = 0; i < rows.window; i++) window.add([rng.next() < newShare ? 'atlantis' : draw(rng)]);
  return compareToBaseline(baseline, window);
}
const uniform = (k: number) => (rng: ReturnType<typeof createRng>) => `c${rng.int(k)}`;
const zipf = (k: number) => {
  const weights = Array.from({ length: k }, (_, i) => 1 / (i + 1));
  return (rng: ReturnType<typeof createRng>) => `c${rng.pick(weights)}`;
};

describe('categorical features with more categories than the baseline lists (100)', () => {
  test('same-distribution windows are neither drift nor degraded data (300 equally likely categories at 1,000 vs 2,000 rows; 150 at 2,000 vs 2,000; Zipf over 500 at 1,000 vs 2,000; seeds 1 to 10)', async () => {
    const alarms: string[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      for (const [name, draw, rows] of [
        ['uniform 300', uniform(300), { baseline: 1000, window: 2000 }],
        ['uniform 150', uniform(150), { baseline: 2000, window: 2000 }],
        ['zipf 500', zipf(500), { baseline: 1000, window: 2000 }],
      ] as const) {
        const r = await categoricalReport(seed, draw, rows);
        if (r.drifted || r.dataQualityDegraded) alarms.push(`${name} seed ${seed}: ${r.reasons.join('; ')}`);
      }
    }
    expect(alarms).toEqual([]);
  });

  test('a new category in 10% of the window is still reported as unseen categories, named (Zipf over 500 at 5,000 vs 2,000 rows)', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await categoricalReport(seed, zipf(500), { baseline: 5000, window: 2000 }, 0.1);
      expect(r.features[0]!.breached).toContain('unseenCategories');
      expect(r.reasons[0]).toMatch(/"atlantis"/);
    }
  });
});

describe('features that could not be judged', () => {
  test('a feature too sparse to judge, while others are judged, is named in the reasons with its counts (not a silent ok)', async () => {
    const rng = createRng(7);
    // `coupon` is missing in 97% of rows on both sides: no null-rate alarm, and 60 values in the window.
    const row = () => [rng.normal(), rng.next() < 0.03 ? rng.normal() : null];
    const baseline = await profileBaseline(['spend', 'coupon'], Array.from({ length: 5000 }, row));
    const window = createWindowProfile(baseline);
    for (let i = 0; i < 2000; i++) window.add(row());
    const r = compareToBaseline(baseline, window);
    const coupon = r.features.find((f) => f.feature === 'coupon')!;
    expect({ drifted: r.drifted, insufficientData: r.insufficientData, status: coupon.status }).toEqual({
      drifted: false,
      insufficientData: false,
      status: 'insufficient-data',
    });
    const baselineValues = baseline.features[1]!.count - baseline.features[1]!.missing;
    expect(r.reasons).toEqual([
      `feature coupon: not judged: ${coupon.values} values in the window and ${baselineValues} in the baseline, 100 needed on each side`,
    ]);
  });
});

describe("Holm's family", () => {
  test('a column with one value on both sides cannot reject, so it is not counted among the tests and costs the others no power', async () => {
    const rng = createRng(8);
    // Six constant columns (a one-country dataset, an unused flag) beside one feature that really moved.
    const columns = ['spend', 'country', 'flag', 'c3', 'c4', 'c5', 'c6'];
    const row = (shift: number) => [rng.normal() + shift, 'US', 0, 'a', 'b', 'c', 'd'];
    const baseline = await profileBaseline(
      columns,
      Array.from({ length: 400 }, () => row(0)),
    );
    const window = createWindowProfile(baseline);
    for (let i = 0; i < 400; i++) window.add(row(0.3));
    const r = compareToBaseline(baseline, window);
    expect(r.multipleTesting).toEqual({ method: 'holm', tests: 1 });
    const spend = r.features[0]!;
    expect(spend.significance!.adjustedPValue).toBe(spend.significance!.pValue);
    expect(r.features.slice(1).map((f) => ({ status: f.status, tested: f.significance !== undefined }))).toEqual(
      columns.slice(1).map(() => ({ status: 'ok', tested: false })),
    );
  });
});

describe('drift reasons a person reads', () => {
  test('a constant baseline reports Wasserstein in the feature’s own units (not "std"), one test in the singular, and no NaN or undefined', async () => {
    const baseline = await profileBaseline(
      ['retries'],
      Array.from({ length: 500 }, () => [3]),
    );
    const window = createWindowProfile(baseline);
    for (let i = 0; i < 500; i++) window.add([5]);
    const r = compareToBaseline(baseline, window);
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0]).toMatch(
      /^feature retries: .*Wasserstein 2 > 0\.1 \(in the feature's units: the baseline is constant; raw 2 with sampling noise 0 taken out\), KS D=1 p<1e-6, Holm-adjusted p<1e-6 < 0\.01 over 1 test, /,
    );
    expect(r.reasons[0]).not.toMatch(/NaN|undefined|Infinity| std/);
  });
});

describe('a numeric feature with two values (0/1)', () => {
  async function binaryReport(seed: number, onesBefore: number, onesAfter: number): Promise<DriftReport> {
    const rng = createRng(seed);
    const baseline = await profileBaseline(
      ['member'],
      Array.from({ length: 10_000 }, () => [rng.next() < onesBefore ? 1 : 0]),
    );
    const window = createWindowProfile(baseline);
    for (let i = 0; i < 5_000; i++) window.add([rng.next() < onesAfter ? 1 : 0]);
    return compareToBaseline(baseline, window);
  }

  test('its 0s and 1s fall in bins of their own, so PSI and JS see the share of ones move (30 % -> 40 % at 10,000 vs 5,000 rows)', async () => {
    const r = await binaryReport(1, 0.3, 0.4);
    const member = r.features[0]!;
    expect(member.histogram.baseline.filter((p) => p > 0)).toHaveLength(2);
    expect(member.metrics.psi).toBeGreaterThan(0.03);
    expect(member.metrics.jensenShannon).toBeGreaterThan(0.05);
    expect(r.drifted).toBe(true);
  });

  test('the same share of ones is not drift (seeds 1 to 10)', async () => {
    const alarms: string[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const r = await binaryReport(seed, 0.3, 0.3);
      if (r.drifted) alarms.push(`seed ${seed}: ${r.reasons.join('; ')}`);
    }
    expect(alarms).toEqual([]);
  });
});
