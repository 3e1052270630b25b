import { trainingPortsOf } from '../../jobs/trainingPorts';
import type { StageHandlerOf } from '../context';
import { manifestOf } from './validate';

/**
 * Registers the candidate in the dev workspace whatever the gate said (the record of
 * what was tried), keyed by the release so a retried step never makes a second version.
 */
export const register: StageHandlerOf<{ dev: 'models' }> = async (release, ctx) => {
  if (!release.job || !release.gate) return { kind: 'end', status: 'failed', reason: 'nothing to register: no training job or evaluation' };
  const ports = trainingPortsOf(ctx.pipeline);
  const model = await ctx.workspaces.dev.models.registerModel({
    name: release.pipeline,
    source: { job: release.job.name, output: ports.modelOutput, format: ports.modelFormat },
    idempotencyKey: release.id,
    metrics: release.metrics.candidate ?? {},
    tags: {
      'autopilot.release': release.id,
      'autopilot.pipeline': release.pipeline,
      'autopilot.gate': release.gate.passed ? 'passed' : 'rejected',
      // The baseline drift monitors compare prod traffic with (autopilot-artifacts container).
      ...(release.data?.profileBlob ? { 'autopilot.profile': release.data.profileBlob } : {}),
    },
    lineage: {
      dataUrl: release.data?.url,
      dataETag: release.data?.eTag,
      dataSha256: release.data?.sha256,
      jobName: release.job.name,
      codeHash: release.job.codeHash,
      releaseId: release.id,
      ...(release.data?.trainingSet && { trainingSet: manifestOf(release.id) }),
    },
    description: release.gate.reason,
  });
  const ref = { name: model.name, version: model.version };
  if (!release.gate.passed) {
    return { kind: 'end', status: 'rejected', reason: `evaluation gate: ${release.gate.reason}`, patch: { model: ref } };
  }
  return { kind: 'advance', detail: `registered ${model.name}:${model.version}`, patch: { model: ref } };
};
