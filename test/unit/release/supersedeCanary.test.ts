import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { csv, until, withChampion } from './harness';

describe('a release superseded by newer data', () => {
  test('gives prod back to the stable deployment when it was cancelled in its canary', async () => {
    const h = await withChampion('supersede');
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    const id = await until(h, (stage) => stage === 'canary');
    await h.runner.run(h.queue.take()!); // the canary's first step: the candidate takes traffic
    const inCanary = (await h.engine.repo.get(id))!.value;
    const candidate = inCanary.deployments.prod!.deployment;
    const stable = inCanary.canary!.stable!;
    expect(h.workspaces.prod.endpoints.get('default-prod')!.traffic[candidate]).toBeGreaterThan(0);

    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day3.csv', csv(60, 3))));

    expect((await h.engine.repo.get(id))!.value).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/superseded by/) });
    const endpoint = h.workspaces.prod.endpoints.get('default-prod')!;
    expect(endpoint.traffic[stable]).toBe(100);
    expect(endpoint.deployments.map((d) => d.name)).not.toContain(candidate);
  });
});
