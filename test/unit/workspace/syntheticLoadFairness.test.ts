import { toLoadSettings } from '../../../adapters/load/loadSettings';
import { SyntheticLoad } from '../../../adapters/load/syntheticLoad';
import { mulberry32 } from '../../../shared/data/split';

/*
 * The synthetic top-up feeds the canary analysis, which compares the arms' rates of bad
 * events (e.g. "predicted class 1"). That comparison is fair only if both arms see the
 * same distribution of rows. 200 rows, as the canary stage replays; class '1' on every
 * fourth row, so the even rows are 50% '1' and the odd rows 0%: a split by parity (the
 * old round-robin) shows as 50% vs 0%.
 */

const START = Date.parse('2025-01-01T00:00:00.000Z');
const ROWS = Array.from({ length: 200 }, (_, i) => [i]);
const classOf = (row: number) => (row % 4 === 0 ? '1' : '0');

/** Sends `count` requests through a real SyntheticLoad and returns the rows each arm got. */
async function replay(count: number, seed: number, deployments = ['canary', 'stable']): Promise<Record<string, number[]>> {
  const byArm: Record<string, number[]> = {};
  const load = new SyntheticLoad(
    toLoadSettings({
      id: 'r',
      endpoint: 'e',
      deployments,
      request: { input_data: { columns: ['row'], data: ROWS } },
      requestsPerSecond: 500,
      until: new Date(Date.now() + (count * 1000) / 500).toISOString(),
    }),
    async (_endpoint, deployment, body) => {
      const row = (JSON.parse(body) as { input_data: { data: number[][] } }).input_data.data[0]![0]!;
      (byArm[deployment!] ??= []).push(row);
      return { status: 200, deployment };
    },
    () => Date.now(),
    mulberry32(seed),
  );
  load.start();
  await jest.advanceTimersByTimeAsync((count * 1000) / 500 + 100);
  expect(load.status()).toMatchObject({ running: false, sent: count, skipped: 0 });
  return byArm;
}

const share = (rows: number[], cls: string) => rows.filter((r) => classOf(r) === cls).length / rows.length;

describe('SyntheticLoad assigns rows to deployments without bias', () => {
  beforeEach(() => jest.useFakeTimers({ now: START }));
  afterEach(() => jest.useRealTimers());

  it('gives both arms the same class mix as the rows (25% class 1), where round-robin gave 50% vs 0%', async () => {
    const { canary, stable } = await replay(20_000, 1);
    // Binomial sd of a share over ~10,000 requests is 0.43 pp: 2 pp is more than 4 sd.
    expect(Math.abs(share(canary!, '1') - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(share(stable!, '1') - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(canary!.length - stable!.length)).toBeLessThan(400);
  });

  it('sends every row to every arm, each about equally often', async () => {
    const { canary, stable } = await replay(20_000, 2);
    for (const rows of [canary!, stable!]) {
      const counts = new Map<number, number>();
      for (const r of rows) counts.set(r, (counts.get(r) ?? 0) + 1);
      expect(counts.size).toBe(200);
      // ~50 per row per arm (Poisson sd ≈ 7): no row is missing or doubled.
      expect(Math.min(...counts.values())).toBeGreaterThan(20);
      expect(Math.max(...counts.values())).toBeLessThan(90);
    }
  });

  it('draws the arm independently of the row: over many seeds the class-1 share differs between arms as chance predicts', async () => {
    // 400 requests per seed; under independence canary − stable share of class 1 has mean 0, sd ≈ 4.3 pp.
    const differences: number[] = [];
    for (let seed = 10; seed < 60; seed++) {
      const { canary, stable } = await replay(400, seed);
      differences.push(share(canary!, '1') - share(stable!, '1'));
    }
    const mean = differences.reduce((a, b) => a + b, 0) / differences.length;
    // The mean of 50 differences has sd ≈ 0.6 pp; round-robin gives +50 pp on every seed.
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(differences.filter((d) => d > 0).length).toBeGreaterThan(10);
    expect(differences.filter((d) => d < 0).length).toBeGreaterThan(10);
  });

  it('aims every request at the only deployment named, or at none when none is named', async () => {
    expect(Object.keys(await replay(100, 3, ['only']))).toEqual(['only']);
    expect(Object.keys(await replay(100, 3, []))).toEqual(['undefined']);
  });
});
