import { mulberry32 } from '../../../shared/data/split';
import { EvaluationPolicy } from '../../../shared/config/schema';
import { decideGate } from '../../../shared/evaluation/gate';
import { affordableResamples, GATE_ROW_VISITS, pairedBootstrap, SLICE_ROW_VISITS } from '../../../shared/evaluation/paired/bootstrap';
import { pairedEvidence, type PairedRows } from '../../../shared/evaluation/paired/pairedEvidence';

/** n rows of `classes` classes; each model right about 70 % of the time, with probabilities. */
function rows(n: number, classes: number, seed: number): PairedRows {
  const rng = mulberry32(seed);
  const names = Array.from({ length: classes }, (_, k) => `c${k}`);
  const truth = Array.from({ length: n }, () => names[(rng() * classes) | 0]!);
  const model = () => {
    const probabilities = truth.map((t) => {
      const raw = names.map((c) => rng() + (c === t ? 0.8 : 0));
      const sum = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / sum);
    });
    return { labels: probabilities.map((p) => names[p.indexOf(Math.max(...p))]!), probabilities, classes: names };
  };
  return { truth, candidate: model(), champion: model() };
}

describe('the gate bootstrap on a large holdout', () => {
  it('gives the event loop a turn: a setImmediate scheduled before the gate runs before the gate decides', async () => {
    const large = rows(20_000, 2, 1);
    expect(20_000 * 300).toBeGreaterThan(SLICE_ROW_VISITS); // more than one slice of draws, whatever the clock says
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    const gate = decideGate(
      EvaluationPolicy.parse({ metric: 'f1', bootstrapSamples: 300 }),
      { f1: 0.7 },
      { f1: 0.7 },
      { rows: large },
    ).then(() => order.push('gate'));
    await gate;
    expect(order).toEqual(['other work', 'gate']);
  });

  it('slices do not change the replicates: the same seed gives the same numbers however often it yields', async () => {
    const values = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i));
    const mean = (counts: Uint32Array) => counts.reduce((s, c, i) => s + c * values[i]!, 0) / 500;
    let yields = 0;
    let clock = 0;
    const everyResample = await pairedBootstrap(500, mean, {
      samples: 50,
      seed: 3,
      now: () => (clock += 1000),
      yieldToLoop: async () => {
        yields++;
      },
    });
    expect(yields).toBe(49);
    const never = await pairedBootstrap(500, mean, {
      samples: 50,
      seed: 3,
      now: () => 0,
      yieldToLoop: () => Promise.reject(new Error('should not yield')),
    });
    expect(never).toEqual(everyResample);
  });

  it('caps the work: resamples as asked while they fit the row-visit budget, else as many as fit but at least 200', () => {
    expect(affordableResamples(10_000, 1, 2000)).toBe(2000); // log_loss at 10k: 4e7 visits
    expect(affordableResamples(100_000, 0, 2000)).toBe(Math.floor(GATE_ROW_VISITS / 100_000)); // f1 at 100k: 1000
    expect(affordableResamples(100_000, 6, 2000)).toBe(200); // 3-class AUC at 100k: 142 fit, 200 at least
    expect(affordableResamples(1_000_000, 20, 2000)).toBe(200);
    expect(affordableResamples(1_000_000, 20, 150)).toBe(150);
  });

  it('over the budget, multiclass AUC is tested with the bootstrap standard error and a normal test', async () => {
    const data = rows(400, 3, 7);
    const full = await pairedEvidence('auc', data, { samples: 2000, seed: 5 });
    const capped = await pairedEvidence('auc', data, { samples: 2000, seed: 5, rowVisits: 400 * 7 * 300 });
    expect(full.test).toBe('paired bootstrap (2000 resamples)');
    expect(capped.test).toBe('paired bootstrap (300 resamples, normal with their standard error)');
    expect(capped.improvement).toBe(full.improvement);
    expect(capped.standardError / full.standardError).toBeGreaterThan(0.85);
    expect(capped.standardError / full.standardError).toBeLessThan(1.15);
    const [low, high] = capped.interval(0.05);
    expect(capped.pAbove(low)).toBeCloseTo(0.05, 6);
    expect(capped.pBelow(high)).toBeCloseTo(0.05, 6);
  });
});
