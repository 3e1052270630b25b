import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { csv, harness } from './harness';

describe('deployments that take minutes to provision (Azure ML)', () => {
  it('waits across steps for a deployment still being created, without creating it again or using up attempts', async () => {
    const h = harness();
    for (const env of ['dev', 'staging', 'prod'] as const) h.workspaces[env].provisioningLooks = 3;
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    await h.drain();
    const release = (await h.engine.repo.list())[0]!;
    expect(release.status).toBe('succeeded');
    for (const env of ['dev', 'staging', 'prod'] as const) expect(h.workspaces[env].deployCalls).toHaveLength(1);
    expect(release.stages.deploy_dev).toMatchObject({ status: 'succeeded', attempts: 0 });
  });

  it('fails the release with the resource named when provisioning outlasts the timeout (45 min by default)', async () => {
    const h = harness();
    h.workspaces.dev.provisioningLooks = Number.MAX_SAFE_INTEGER;
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    for (let i = 0; i < 400; i++) {
      const message = h.queue.take();
      if (!message) break;
      h.advance(60);
      await h.runner.run(message);
      for (const job of h.workspaces.dev.jobs.values()) if (job.status === 'running') h.workspaces.dev.finishJob(job.name, 'completed', '');
    }
    const release = (await h.engine.repo.list())[0]!;
    expect({ status: release.status, reason: release.reason }).toEqual({
      status: 'failed',
      reason: 'deploy_dev failed: deployment default-dev/v001 was still being provisioned after 45 min; see its state in Azure ML studio',
    });
    expect(h.workspaces.dev.deployCalls).toHaveLength(1);
  });
});
