import type { EnvironmentName } from '../../../shared/config/schema';
import { AutopilotError, BadRequestError, NotFoundError } from '../../../shared/errors';
import type { TrainingJobs } from '../../../shared/ports';

/** An output folder of a completed job (and the job's code hash, for lineage); anything else is refused with why. */
export async function completedJobOutput(
  jobs: Pick<TrainingJobs, 'getJob'>,
  environment: EnvironmentName,
  job: string,
  output: string,
): Promise<{ path: string; codeHash?: string }> {
  const info = await jobs.getJob(job);
  if (!info) throw new NotFoundError('job', job, `no such job in ${environment}`);
  if (info.status !== 'completed') {
    throw new AutopilotError(
      `job '${job}' is ${info.status}, not completed; its outputs cannot be used${info.error ? `: ${info.error.split('\n')[0]}` : ''}`,
    );
  }
  const path = info.outputs[output];
  if (!path)
    throw new BadRequestError(
      `job '${job}' has no output '${output}' (outputs: ${Object.keys(info.outputs).join(', ') || 'none'})`,
      'source.output',
    );
  return info.codeHash ? { path, codeHash: info.codeHash } : { path };
}
