import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { mulberry32 } from '../../../shared/data/split';
import type { DeploymentTraffic, ScoreRequest } from '../../../shared/ports';
import type { Release } from '../../../shared/release/types';
import { harness } from './harness';

type Harness = ReturnType<typeof harness>;

/** x, color, and a numeric target 50 + 10x + noise. */
function regressionCsv(rows: number, seed: number): string {
  const random = mulberry32(seed);
  const lines = ['x,color,label'];
  for (let i = 0; i < rows; i++) {
    const x = Math.sin(i * 12.9898 + seed) * 3;
    lines.push(`${x.toFixed(4)},${i % 2 ? 'red' : 'blue'},${(50 + 10 * x + 4 * (random() - 0.5)).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

/** A regressor that reads x: one number per row. */
const regressor = (_source: unknown, request: ScoreRequest) => {
  const x = request.input_data.columns.indexOf('x');
  return { predictions: request.input_data.data.map((row) => 50 + 10 * Number(row[x])) };
};

function regressionHarness(): Harness {
  const h = harness();
  const pipeline = h.deps.config.pipelines['default']!;
  pipeline.task = 'regression';
  pipeline.evaluation = {
    ...pipeline.evaluation,
    metric: 'rmse',
    floor: undefined,
    minImprovement: 0,
    inconclusive: 'promote',
    nonInferiorityMargin: 100,
  };
  for (const w of Object.values(h.workspaces)) {
    w.scorer = regressor;
    w.invoke = (_e, request, deployment) => ({ status: 200, latencyMs: 12, deployment, body: regressor(undefined, request) });
  }
  return h;
}

/**
 * What the router would count per look: `requests` answers per deployment, keyed by the first
 * prediction as the router keys them, the stable's ~ 50 + 10·3·sin(u) (the holdout's shape),
 * the canary's shifted by `bias` and stretched by `scale` around 50.
 */
function regressorTraffic(h: Harness, seed: number, bias: number, scale: number, requests = 400) {
  const random = mulberry32(seed);
  const counts = (shift: number, stretch: number) => {
    const predictions: Record<string, number> = {};
    for (let i = 0; i < requests; i++) {
      const value = 50 + stretch * 30 * Math.sin(2 * Math.PI * random()) + shift;
      const key = String(Math.round(value * 100) / 100);
      predictions[key] = (predictions[key] ?? 0) + 1;
    }
    return predictions;
  };
  h.workspaces.prod.traffic = (names) =>
    Object.fromEntries(
      names.map((name): [string, DeploymentTraffic] => {
        const canary = name === 'v002';
        return [
          name,
          {
            requests,
            errors: 0,
            synthetic: requests,
            slowerThan: [requests / 2, requests / 100],
            predictions: canary ? counts(bias, scale) : counts(0, 1),
            latencyP50Ms: 10,
            latencyP99Ms: 40,
          },
        ];
      }),
    );
}

async function canaryOf(bias: number, scale: number, seed: number): Promise<Release> {
  const h = regressionHarness();
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', regressionCsv(80, 1))));
  await h.drain();
  regressorTraffic(h, seed, bias, scale);
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', regressionCsv(80, 2))));
  await h.drain();
  return (await h.engine.repo.list()).find((r) => r.data?.blob === 'default/day2.csv')!;
}

describe("a regressor's canary through the real stage (simulated router counts)", () => {
  it('promotes an equal regressor, comparing its predictions in the quartile bins of its holdout predictions', async () => {
    for (const seed of [1, 2, 3]) {
      const release = await canaryOf(0, 1, seed);
      expect({ seed, status: release.status, reason: release.reason }).toEqual({ seed, status: 'succeeded', reason: undefined });
      expect(release.canary?.predictionBins).toHaveLength(2);
      expect(release.canary?.verdict).toBe('pass');
    }
  });

  it('rolls back a biased regressor and a noisier one, naming the bin whose share moved', async () => {
    const biased = await canaryOf(10, 1, 4); // about half the predictions' spread
    expect(biased.status).toBe('rolled_back');
    expect(biased.reason).toMatch(/share of predictions of class '(< [\d.-]+|>= [\d.-]+|[\d.-]+ to [\d.-]+)'/);
    const noisier = await canaryOf(0, 1.5, 5);
    expect(noisier.status).toBe('rolled_back');
  });
});
