import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { DeploymentTraffic, ScoreRequest } from '../../../shared/ports';
import { ReleaseControl } from '../../../shared/release/releaseControl';
import { csv, harness } from './harness';

type Harness = ReturnType<typeof harness>;

function arm(
  requests: number,
  errors: number,
  predictions: Record<string, number> = { no: requests * 0.7, yes: requests * 0.3 },
): DeploymentTraffic {
  return {
    requests,
    errors,
    synthetic: requests,
    slowerThan: [requests / 2, requests / 100],
    predictions,
    latencyP50Ms: 10,
    latencyP99Ms: 40,
  };
}

/** Release 1 goes straight to 100% (nothing to compare with); returns the harness ready for release 2. */
async function withChampion(extra = ''): Promise<Harness> {
  const h = harness('queue', extra);
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
  await h.drain();
  // The champion scores worse on the next holdout, so release 2 passes the gate.
  h.workspaces.prod.scorer = (_s, req: ScoreRequest) => ({
    predictions: req.input_data.data.map(() => 'no'),
    probabilities: req.input_data.data.map(() => [0.5, 0.5]),
    classes: ['no', 'yes'],
  });
  return h;
}

async function secondRelease(h: Harness) {
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
  await h.drain();
  return (await h.engine.repo.list())[0]!;
}

describe('safe rollout in prod', () => {
  it('sends the first model straight to 100% because there is no stable to compare with', async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    await h.drain();
    const release = (await h.engine.repo.list())[0]!;
    expect(release.status).toBe('succeeded');
    expect(release.stages.canary?.detail).toMatch(/no stable deployment to compare with/);
  });

  it('walks a healthy canary through every step and promotes it, with synthetic load while traffic is thin', async () => {
    const h = await withChampion();
    const seen: Record<string, number>[] = [];
    h.workspaces.prod.traffic = (names) => {
      seen.push({ ...(h.workspaces.prod.endpoints.get('default-prod')?.traffic ?? {}) });
      return Object.fromEntries(names.map((n) => [n, arm(200, 0)]));
    };
    const release = await secondRelease(h);
    expect(release.status).toBe('succeeded');
    expect(release.canary?.verdict).toBe('pass');
    expect(seen.map((t) => t['v002'])).toEqual(expect.arrayContaining([10, 50]));
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v002: 100, v001: 0 });
    expect(h.workspaces.prod.loads.size).toBe(0);
  });

  it('switches straight to 100% and keeps stable warm when the policy has no canary steps', async () => {
    const h = await withChampion();
    h.deps.config.pipelines['default']!.rollout.canarySteps = [100];
    const release = await secondRelease(h);
    expect(release.status).toBe('succeeded');
    expect(release.stages.canary?.detail).toMatch(/without a canary \(canarySteps: \[100\]\); v001 kept warm/);
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v002: 100, v001: 0 });
  });

  it('rolls back a canary with 5% errors against 0.1% on stable, and says why', async () => {
    const h = await withChampion();
    let looks = 0;
    h.workspaces.prod.traffic = () => {
      looks++;
      return { v002: arm(200, 10), v001: arm(200, looks % 5 === 0 ? 1 : 0) };
    };
    const release = await secondRelease(h);
    expect(release.status).toBe('rolled_back');
    expect(release.reason).toMatch(/^canary analysis at 10%: .*error rate/);
    expect(release.rollback?.by).toBe('autopilot');
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v001: 100 });
    expect(h.workspaces.prod.loads.size).toBe(0);
  });

  it('rolls back a canary whose predictions are skewed', async () => {
    const h = await withChampion();
    h.workspaces.prod.traffic = () => ({ v002: arm(200, 0, { no: 60, yes: 140 }), v001: arm(200, 0, { no: 140, yes: 60 }) });
    const release = await secondRelease(h);
    expect(release.status).toBe('rolled_back');
    expect(release.reason).toMatch(/class|predict/i);
  });

  it('rolls back on the safe side when a step gathers no evidence in time', async () => {
    const h = await withChampion();
    h.workspaces.prod.traffic = () => ({});
    const release = await secondRelease(h);
    expect(release.status).toBe('rolled_back');
    expect(release.reason).toMatch(/not enough evidence after 120 s/);
  });

  it('rolls the canary back at once when an alert names its endpoint', async () => {
    const h = await withChampion();
    h.workspaces.prod.traffic = (names) => Object.fromEntries(names.map((n) => [n, arm(5, 0)]));
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    const control = new ReleaseControl(h.deps, h.engine);
    for (let i = 0; i < 200; i++) {
      const message = h.queue.take();
      if (!message) break;
      await h.runner.run(message);
      for (const job of h.workspaces.dev.jobs.values()) if (job.status === 'running') h.workspaces.dev.finishJob(job.name);
      if ((await h.engine.repo.get(message.releaseId))!.value.canary) break;
    }
    const result = await control.rollbackCanary('default-prod', 'azure-monitor:high-latency', 'alert high-latency fired');
    expect(result).toBeDefined();
    const release = (await h.engine.repo.get(result!.releaseId))!.value;
    expect(release.status).toBe('rolled_back');
    expect(release.rollback).toMatchObject({ by: 'azure-monitor:high-latency', why: 'alert high-latency fired' });
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v001: 100 });
    await h.drain(); // the canary's pending look finds the release ended and does nothing
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v001: 100 });
    expect(await control.rollbackCanary('default-prod', 'x', 'again')).toBeUndefined();
  });

  it('rolls a promoted model back to the deployment kept warm, in one traffic change', async () => {
    const h = await withChampion();
    h.workspaces.prod.traffic = (names) => Object.fromEntries(names.map((n) => [n, arm(200, 0)]));
    const promoted = await secondRelease(h);
    const control = new ReleaseControl(h.deps, h.engine);
    const result = await control.rollbackPipeline('default', 'eli', 'users report odd scores');
    expect(result).toEqual({ endpoint: 'default-prod', from: 'v002', to: 'v001', releaseId: promoted.id });
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v001: 100, v002: 0 });
    expect((await h.engine.repo.get(promoted.id))!.value).toMatchObject({ status: 'rolled_back', rollback: { by: 'eli' } });
    expect((await h.engine.repo.auditLog(promoted.id)).at(-1)).toMatchObject({ actor: 'eli', action: 'rollback' });
  });
});

describe('staging tests', () => {
  it('fails the release and keeps the old staging model when smoke requests fail', async () => {
    const h = await withChampion();
    h.workspaces.staging.invoke = (_e, _r, deployment) => ({ status: 500, latencyMs: 5, deployment, body: { error: 'boom' } });
    const release = await secondRelease(h);
    expect(release.status).toBe('failed');
    expect(release.reason).toMatch(/^staging smoke test: 5 of 5 requests failed \(first: status 500/);
    expect((await h.workspaces.staging.getEndpoint('default-staging'))?.traffic).toEqual({ v001: 100 });
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v001: 100 });
  });

  it('fails the release when mirrored prod traffic disagrees with the candidate', async () => {
    const h = await withChampion('      # shadow on\n');
    h.deps.config.pipelines['default']!.rollout.staging.shadowPercent = 20;
    h.workspaces.prod.shadow = { mirrored: 60, compared: 60, agreed: 12, shadowErrors: 0, liveErrors: 0 };
    const release = await secondRelease(h);
    expect(release.status).toBe('failed');
    expect(release.reason).toMatch(/staging shadow: 20% agreement with prod on 60 mirrored requests, 0 errors \(< 60% required\)/);
    expect(h.workspaces.prod.shadows.size).toBe(0);
  });
});

describe('approval gate', () => {
  it('waits for an ML engineer, then continues', async () => {
    const h = await withChampion();
    h.deps.config.pipelines['default']!.rollout.approval.required = true;
    h.workspaces.prod.traffic = (names) => Object.fromEntries(names.map((n) => [n, arm(200, 0)]));
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    for (let i = 0; i < 100 && (await h.engine.repo.list())[0]!.stage !== 'approval'; i++) {
      await h.runner.run(h.queue.take()!);
      for (const job of h.workspaces.dev.jobs.values()) if (job.status === 'running') h.workspaces.dev.finishJob(job.name);
    }
    await h.runner.run(h.queue.take()!); // the gate asks for approval
    const release = (await h.engine.repo.list())[0]!;
    expect(release).toMatchObject({ status: 'running', stage: 'approval' });
    expect(release.stages.approval?.detail).toMatch(/waiting for an ML engineer \(prod\) to approve, for up to 60 min/);
    const control = new ReleaseControl(h.deps, h.engine);
    await control.approve(release.id, 'eli');
    await h.drain();
    const after = (await h.engine.repo.get(release.id))!.value;
    expect(after.status).toBe('succeeded');
    expect(after.stages.approval?.detail).toBe('approved by eli');
    await expect(control.approve(release.id, 'eli')).rejects.toThrow(/is not waiting for approval \(it is succeeded at promote\)/);
  });

  it('cancels the release when nobody approves in time', async () => {
    const h = await withChampion();
    h.deps.config.pipelines['default']!.rollout.approval = { required: true, timeoutMinutes: 1 };
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    await h.drain();
    h.advance(61);
    await h.engine.sweep();
    await h.drain();
    const release = (await h.engine.repo.list())[0]!;
    expect(release.status).toBe('cancelled');
    expect(release.reason).toBe('approval timed out after 1 min; prod untouched');
  });
});
