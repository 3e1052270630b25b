import type { CommandJob, JobBase, JobInputUnion } from '@azure/arm-machinelearning';
import type { JobInfo, JobInputValue, JobStatus, SubmitJobRequest } from '../../../shared/ports';
import type { JobSpec } from '../../../shared/jobs';
import { computeArmId } from './assetReferences';
import { BadRequestError } from '../../../shared/errors';
import { datastoreUri, type BlobDatastoreTarget } from './datastoreInputs';

/** Job property carrying the full SHA-256 of the code folder (the code asset version is only its prefix). */
export const CODE_HASH_PROPERTY = 'autopilot.codeHash';

export interface CommandJobOptions {
  /** ARM id of the code asset holding the spec's `code:` folder. */
  codeId: string;
  /** SHA-256 of that folder, reported back as `JobInfo.codeHash`. */
  codeHash: string;
  /** Compute for a spec that names none (an ARM id or short form). @default none */
  defaultCompute?: string;
  /** The workspace's ARM id: short compute names become `<workspace>/computes/<name>`. */
  workspacePath: string;
  /** ARM id (or asset reference) of the spec's environment, registered first when defined inline. */
  environmentId: string;
  /** The datastore blob URLs of the app's storage are read through. @default none (URIs go as given) */
  datastore?: BlobDatastoreTarget;
}

/** Builds the ARM command job body from our job spec, the request's input values and the uploaded code. */
export function toCommandJob(spec: JobSpec, request: SubmitJobRequest, options: CommandJobOptions): JobBase {
  const inputs: Record<string, JobInputUnion> = {};
  const given = { ...request.inputs };
  for (const [name, value] of Object.entries(request.optionalInputs ?? {})) if (name in spec.inputs) given[name] = value;
  for (const name of Object.keys(given)) {
    if (!(name in spec.inputs)) throw new BadRequestError(`input '${name}' is not declared in ${request.specPath}`, `inputs.${name}`);
  }
  for (const [name, declared] of Object.entries(spec.inputs)) {
    const value: JobInputValue | undefined = given[name];
    const declaredType = typeof declared === 'object' ? declared.type : undefined;
    const type = value?.type ?? declaredType;
    if (type === 'uri_file' || type === 'uri_folder') {
      const uri = value?.path ?? (typeof declared === 'object' ? declared.path : undefined);
      if (!uri) throw new BadRequestError(`input '${name}' needs a path`, `inputs.${name}`);
      inputs[name] = { jobInputType: type, uri: (options.datastore && datastoreUri(uri, options.datastore, name)) ?? uri };
      continue;
    }
    const literal = value?.value ?? (typeof declared === 'object' ? declared.default : declared);
    if (literal !== undefined) inputs[name] = { jobInputType: 'literal', value: String(literal) };
  }
  const compute = spec.compute ?? options.defaultCompute;
  const properties: CommandJob = {
    jobType: 'Command',
    command: spec.command,
    codeId: options.codeId,
    environmentId: options.environmentId,
    computeId: compute === undefined ? undefined : computeArmId(compute, options.workspacePath, request.specPath),
    displayName: spec.display_name,
    experimentName: spec.experiment_name,
    environmentVariables: spec.environment_variables,
    inputs,
    // The job reads its inputs as the identity that submits it (the app's managed identity, which
    // holds a data role on its storage account): no data credentials live in the workspace, and
    // it works on serverless compute, which has no identity of its own by default.
    identity: { identityType: 'UserIdentity' },
    outputs: Object.fromEntries(Object.entries(spec.outputs).map(([n, o]) => [n, { jobOutputType: o.type }])),
    tags: { ...spec.tags, ...request.tags },
    properties: { [CODE_HASH_PROPERTY]: options.codeHash },
    limits:
      (spec.limits?.timeout ?? request.timeoutSeconds)
        ? { jobLimitsType: 'Command', timeout: `PT${request.timeoutSeconds ?? spec.limits?.timeout}S` }
        : undefined,
  };
  return { properties };
}

const STATUS: Record<string, JobStatus> = {
  NotStarted: 'queued',
  Queued: 'queued',
  Preparing: 'queued',
  Provisioning: 'queued',
  Starting: 'queued',
  Running: 'running',
  Finalizing: 'running',
  CancelRequested: 'running',
  Completed: 'completed',
  Failed: 'failed',
  NotResponding: 'failed',
  Canceled: 'canceled',
  Paused: 'running',
  Unknown: 'queued',
};

export function toJobInfo(job: JobBase): JobInfo {
  const p = job.properties as CommandJob;
  const tags = Object.fromEntries(Object.entries(p.tags ?? {}).filter(([, v]) => v != null)) as Record<string, string>;
  const info: JobInfo = {
    name: job.name ?? '',
    status: STATUS[p.status ?? 'Unknown'] ?? 'queued',
    // A Date from the SDK's deserialiser, an ISO string from a raw response.
    createdAt: job.systemData?.createdAt ? new Date(job.systemData.createdAt).toISOString() : new Date(0).toISOString(),
    // Metrics live in MLflow tracking, not in ARM: the workspace adds them (mlflowMetrics.ts).
    metrics: {},
    outputs: Object.fromEntries(Object.keys(p.outputs ?? {}).map((o) => [o, `azureml://jobs/${job.name}/outputs/${o}`])),
    tags,
  };
  const codeHash = p.properties?.[CODE_HASH_PROPERTY];
  if (codeHash) info.codeHash = codeHash;
  return info;
}
