import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { StillProvisioningError } from '../../../shared/errors';
import type { ModelSource, ScoreRequest } from '../../../shared/ports';
import type { Release } from '../../../shared/release/types';
import { csv, goodScorer, harness } from './harness';

/**
 * Found by the scale-out suite (test/integration/scaleout): on Azure a job's output is scored
 * by an evaluation deployment, which takes minutes to provision. The evaluate step that finds
 * it still being provisioned must leave it be and wait; it used to free it ("the scoring server
 * must not outlive the evaluation"), i.e. delete it, so the next step created it again, and
 * again, until the stage gave up: no release on Azure got past evaluate.
 */
describe('evaluate while the evaluation deployment is being provisioned', () => {
  it('waits without tearing the deployment down, then scores it once it serves and frees it', async () => {
    const h = harness();
    const created = await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv(200))));
    const id = (created as { release: Release }).release.id;
    let provisioned = false;
    h.workspaces.dev.scorer = (source: ModelSource, request: ScoreRequest) => {
      if (!provisioned) throw new StillProvisioningError('evaluation deployment autopilot-eval-1/e1');
      return goodScorer(source, request);
    };
    for (let i = 0; i < 20; i++) {
      const message = h.queue.take();
      if (!message) break;
      h.advance(1);
      const release = await h.runner.run(message);
      for (const job of h.workspaces.dev.jobs.values()) if (job.status === 'running') h.workspaces.dev.finishJob(job.name, 'completed');
      if (release?.stage === 'evaluate' && release.stages.evaluate?.detail?.includes('still being provisioned')) break;
    }
    const waiting = (await h.engine.repo.get(id))!.value;
    expect({ status: waiting.status, stage: waiting.stage }).toEqual({ status: 'running', stage: 'evaluate' });
    // Still being provisioned: kept for the next step, not deleted.
    expect(h.workspaces.dev.finishedScorings).toEqual([]);

    provisioned = true;
    h.advance(5);
    await h.runner.run(h.queue.take()!);
    expect((await h.engine.repo.get(id))!.value.stage).toBe('register');
    expect(h.workspaces.dev.finishedScorings).toEqual([{ job: expect.any(String), output: 'model', format: 'custom_model' }]);
  });
});
