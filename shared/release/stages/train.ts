import { trainingPortsOf } from '../../jobs/trainingPorts';
import type { StageHandlerOf } from '../context';

/** Submits the training job once (its name is derived from the release) and follows it. */
export const train: StageHandlerOf<{ dev: 'jobs' }> = async (release, ctx) => {
  const data = release.data;
  if (!data?.trainBlob) return { kind: 'end', status: 'failed', reason: 'no training split; validate did not run' };
  const jobs = ctx.workspaces.dev.jobs;
  const name = trainingJobName(release.id);
  const ports = trainingPortsOf(ctx.pipeline);
  const job =
    (await jobs.getJob(name)) ??
    (await jobs.submitJob({
      name,
      specPath: ctx.pipeline.training.job,
      inputs: {
        [ports.dataInput]: { type: 'uri_file', path: ctx.data.urlOf({ container: ctx.settings.artifactsContainer, name: data.trainBlob }) },
      },
      optionalInputs: {
        ...(ports.labelInput && { [ports.labelInput]: { type: 'string', value: ctx.pipeline.data.labelColumn } }),
        seed: { type: 'integer', value: ctx.pipeline.training.seed },
        task: { type: 'string', value: ctx.pipeline.task },
      },
      tags: { 'autopilot.release': release.id, 'autopilot.pipeline': release.pipeline },
      timeoutSeconds: ctx.pipeline.training.timeoutMinutes * 60,
    }));
  const summary = { name: job.name, status: job.status, durationMs: job.durationMs, codeHash: job.codeHash };
  switch (job.status) {
    case 'queued':
    case 'running': {
      const since = job.startedAt ? Math.round((ctx.clock.now().getTime() - Date.parse(job.startedAt)) / 1000) : 0;
      return {
        kind: 'wait',
        delaySeconds: ctx.settings.jobPollSeconds,
        detail: `job ${job.name} ${job.status}${since ? ` ${since} s` : ''}`,
        patch: { job: summary },
      };
    }
    case 'completed':
      return {
        kind: 'advance',
        detail: `job ${job.name} completed in ${((job.durationMs ?? 0) / 1000).toFixed(1)} s`,
        patch: { job: summary, metrics: { ...release.metrics, training: job.metrics } },
      };
    default:
      return {
        kind: 'end',
        status: 'failed',
        reason: `training job ${job.name} ${job.status}: ${job.error ?? 'no error reported'}`,
        patch: { job: summary },
      };
  }
};

export function trainingJobName(releaseId: string): string {
  return `${releaseId}-train`;
}
