import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { DeploymentTraffic } from '../../../shared/ports';
import { appendLook, canaryLook, MAX_LOOKS, MAX_LOOKS_CHARS } from '../../../shared/release/canaryLooks';
import { DEFAULT_ENGINE_OPTIONS, type StageContext } from '../../../shared/release/context';
import { canary } from '../../../shared/release/stages/canary';
import { Release, type CanaryLook } from '../../../shared/release/types';
import { createCanaryAnalysis, updateCanaryAnalysis, type DeploymentCounts } from '../../../shared/rollout';
import { csv, harness } from './harness';

const counts = (requests: number, errors: number, predictions: Record<string, number> = {}): DeploymentCounts => ({
  requests,
  errors,
  slowerThan: [],
  predictions,
});
const at = new Date('2026-12-04T10:00:00Z');
const context = (since: string, stepIndex = 0) => ({ at, stepIndex, weight: 10, since });

function lookWith(since: string, metrics: number): CanaryLook {
  // Figures as wide as real ones, so the size check below measures what a record holds.
  const metric = { id: 'class:retained', statistic: -12.3457, boundary: 7.6009, rejected: false, sufficient: false };
  const stamp = '2026-12-04T10:00:00.000Z';
  return {
    at: stamp,
    stepIndex: 0,
    weight: 10,
    since,
    canary: { requests: 123456, errors: 123 },
    stable: { requests: 1234567, errors: 1234 },
    metrics: Array.from({ length: metrics }, () => metric),
    verdict: 'continue',
  };
}

describe('canaryLook', () => {
  it('records cumulative counts per arm and, per metric, the statistic against its boundary', () => {
    let analysis = createCanaryAnalysis({ alpha: 0.01 });
    analysis = updateCanaryAnalysis(analysis, { canary: counts(100, 3), stable: counts(900, 2) });
    analysis = updateCanaryAnalysis(analysis, { canary: counts(100, 4), stable: counts(900, 1) });
    const look = canaryLook(analysis, context('2026-12-04T09:59:55.000Z', 1));
    expect(look).toMatchObject({
      at: '2026-12-04T10:00:00.000Z',
      stepIndex: 1,
      weight: 10,
      since: '2026-12-04T09:59:55.000Z',
      canary: { requests: 200, errors: 7 },
      stable: { requests: 1800, errors: 3 },
    });
    expect(look.metrics.map((m) => m.id)).toEqual(['errors', 'latencyP50', 'latencyP99']);
    const errors = look.metrics[0]!;
    // Alpha 0.01 split over errors, p50, p99 and one share for classes found later.
    expect(errors.boundary).toBeCloseTo(Math.log(400), 4);
    expect(errors.statistic).toBeGreaterThan(errors.boundary);
    expect(errors.rejected).toBe(true);
    expect(look.verdict).toBe('rollback');
    // Unmeasured latency metrics stay at the mixture's start, log 1.
    expect(look.metrics[1]).toMatchObject({ statistic: 0, rejected: false, sufficient: false });
  });

  it('adds a metric per class the analysis discovered, and survives JSON unchanged', () => {
    const analysis = updateCanaryAnalysis(createCanaryAnalysis(), {
      canary: counts(50, 0, { yes: 20, no: 30 }),
      stable: counts(50, 0, { yes: 25, no: 25 }),
    });
    const look = canaryLook(analysis, context('s'));
    expect(look.metrics.map((m) => m.id)).toEqual(['errors', 'latencyP50', 'latencyP99', 'class:no', 'class:yes']);
    expect(JSON.parse(JSON.stringify(look))).toEqual(look);
    expect(look.metrics.every((m) => Number.isFinite(m.statistic) && Number.isFinite(m.boundary))).toBe(true);
  });
});

describe('appendLook', () => {
  it('replaces the look of an interval analysed again instead of adding a duplicate', () => {
    const looks = appendLook(appendLook([], lookWith('t1', 3)), lookWith('t2', 3));
    const again = { ...lookWith('t2', 3), verdict: 'pass' };
    const next = appendLook(looks, again);
    expect(next.map((l) => [l.since, l.verdict])).toEqual([
      ['t1', 'continue'],
      ['t2', 'pass'],
    ]);
    expect(looks).toHaveLength(2); // the input is not changed
  });

  it(`keeps the last ${MAX_LOOKS} looks`, () => {
    let looks: CanaryLook[] = [];
    for (let i = 0; i < MAX_LOOKS + 7; i++) looks = appendLook(looks, lookWith(`t${i}`, 3));
    expect(looks).toHaveLength(MAX_LOOKS);
    expect(looks[0]!.since).toBe('t7');
    expect(looks.at(-1)!.since).toBe(`t${MAX_LOOKS + 6}`);
  });

  it('keeps fewer looks when each carries many metrics, so the release record stays within a table row', () => {
    let looks: CanaryLook[] = [];
    for (let i = 0; i < MAX_LOOKS; i++) looks = appendLook(looks, lookWith(`t${i}`, 23));
    const size = JSON.stringify(looks).length;
    expect(size).toBeLessThanOrEqual(MAX_LOOKS_CHARS);
    // One more look would not have fitted: the budget is used, not undercut.
    expect(size + JSON.stringify(lookWith('t', 23)).length).toBeGreaterThan(MAX_LOOKS_CHARS);
    expect(looks.at(-1)!.since).toBe(`t${MAX_LOOKS - 1}`);
    expect(looks.length).toBeGreaterThan(50);
  });
});

describe('the canary stage records its looks', () => {
  const arm = (requests: number, errors: number): DeploymentTraffic => ({
    requests,
    errors,
    synthetic: requests,
    slowerThan: [requests / 2, requests / 100],
    predictions: { no: requests * 0.7, yes: requests * 0.3 },
    latencyP50Ms: 10,
    latencyP99Ms: 40,
  });

  async function canaryRelease(traffic: () => Record<string, DeploymentTraffic>, stopAtLooks?: number) {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    await h.drain();
    h.workspaces.prod.scorer = (_s, req) => ({
      predictions: req.input_data.data.map(() => 'no'),
      probabilities: req.input_data.data.map(() => [0.5, 0.5]),
      classes: ['no', 'yes'],
    });
    h.workspaces.prod.traffic = traffic;
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    for (let i = 0; i < 500; i++) {
      const message = h.queue.take();
      if (!message) break;
      h.advance(1);
      await h.runner.run(message);
      for (const job of h.workspaces.dev.jobs.values()) if (job.status === 'running') h.workspaces.dev.finishJob(job.name);
      const record = (await h.engine.repo.get(message.releaseId))!.value;
      if (stopAtLooks !== undefined && (record.canary?.looks.length ?? 0) >= stopAtLooks) return { h, release: record };
    }
    return { h, release: (await h.engine.repo.list())[0]! };
  }

  it('appends one look per analysis, with the step weight and counts that only grow', async () => {
    const { release } = await canaryRelease(() => ({ v002: arm(200, 0), v001: arm(200, 0) }));
    expect(release.status).toBe('succeeded');
    const looks = release.canary!.looks;
    expect(looks.length).toBeGreaterThan(2);
    expect([...new Set(looks.map((l) => l.weight))]).toEqual([10, 50]);
    expect(looks.map((l) => l.canary.requests)).toEqual(looks.map((_, i) => 200 * (i + 1)));
    expect(new Set(looks.map((l) => l.since)).size).toBe(looks.length);
    expect(looks.at(-1)!.verdict).toBe('pass');
    expect(Release.parse(JSON.parse(JSON.stringify(release)))).toEqual(release);
  });

  it('keeps the look that decided a rollback, with the rejected metric', async () => {
    const { release } = await canaryRelease(() => ({ v002: arm(200, 20), v001: arm(200, 0) }));
    expect(release.status).toBe('rolled_back');
    const last = release.canary!.looks.at(-1)!;
    expect(last.verdict).toBe('rollback');
    expect(last.metrics.find((m) => m.id === 'errors')).toMatchObject({ rejected: true });
    expect(last.canary.errors).toBe(20 * release.canary!.looks.length);
  });

  it('adds no second look when a step is redriven from the same record', async () => {
    const { h, release } = await canaryRelease(() => ({ v002: arm(100, 0), v001: arm(100, 0) }), 2);
    const ctx: StageContext = {
      ...h.deps,
      pipeline: h.deps.config.pipelines['default']!,
      settings: DEFAULT_ENGINE_OPTIONS,
      signal: new AbortController().signal,
    };
    const first = await canary(release, ctx);
    const second = await canary(release, ctx);
    expect(first.patch?.canary?.looks).toHaveLength(3);
    expect(second.patch?.canary?.looks).toHaveLength(3);
    // A record that already holds the look of this cursor gets it replaced, not doubled.
    const stored = {
      ...release,
      canary: { ...release.canary!, looks: [...release.canary!.looks, { ...first.patch!.canary!.looks.at(-1)! }] },
    };
    const redriven = await canary(stored, ctx);
    expect(redriven.patch?.canary?.looks.map((l) => l.since)).toEqual(first.patch?.canary?.looks.map((l) => l.since));
  });
});
