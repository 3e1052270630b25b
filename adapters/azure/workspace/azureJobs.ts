import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { JobBase } from '@azure/arm-machinelearning';
import type { JobInfo, SubmitJobRequest } from '../../../shared/ports';
import { parseJobSpec } from '../../../shared/jobs';
import { armCall, mapArmError, orUndefined } from './mapArmError';
import { toCommandJob, toJobInfo } from './jobMapping';
import { environmentIdFor } from './environmentAssets';
import { BadRequestError } from '../../../shared/errors';
import { jobLogText } from './jobLogText';
import { blobDatastoreTarget, DEFAULT_DATA_DATASTORE, type BlobDatastoreTarget } from './datastoreInputs';
import { MlflowMetrics } from './mlflowMetrics';
import { armScope } from '../armMlClient';
import { armName, STABLE_API_VERSION, type ArmWorkspaceClient } from './armWorkspaceClient';
import type { AzureMlWorkspaceOptions } from './azureMlWorkspaceOptions';

export type AzureJobsOptions = Pick<
  AzureMlWorkspaceOptions,
  'credential' | 'defaultCompute' | 'mlflowTokenScope' | 'logger' | 'endpoint' | 'dataDatastore'
>;

/** Command jobs of one workspace: submit (with their code asset), status with MLflow metrics, log, cancel. */
export class AzureJobs {
  private readonly mlflow: MlflowMetrics;
  private datastore?: BlobDatastoreTarget;

  constructor(
    private readonly arm: ArmWorkspaceClient,
    private readonly options: AzureJobsOptions,
  ) {
    this.mlflow = new MlflowMetrics({
      credential: options.credential,
      send: (method, path, apiVersion) => arm.sendRaw(method, path, apiVersion),
      workspacePath: arm.workspacePath,
      apiVersion: STABLE_API_VERSION,
      agent: arm.agent,
      scope: options.mlflowTokenScope ?? armScope(options.endpoint),
      logger: options.logger,
    });
  }

  async submitJob(request: SubmitJobRequest): Promise<JobInfo> {
    const existing = await this.getJob(request.name);
    if (existing) return existing;
    const spec = parseJobSpec(await readFile(request.specPath, 'utf8'), request.specPath);
    if (spec.environment === undefined) {
      throw new BadRequestError(
        `${request.specPath}: Azure ML runs a job in an environment; set \`environment:\` (azureml:<name>@latest, a registry URI, or inline with image or build)`,
        'environment',
      );
    }
    const environmentId = (await environmentIdFor(spec.environment, request.specPath, this.arm))!;
    const code = await this.arm.codeAsset(resolve(dirname(request.specPath), spec.code));
    const readsUrls = [...Object.values(request.inputs), ...Object.values(request.optionalInputs ?? {})].some((input) =>
      /^https?:/i.test(input.path ?? ''),
    );
    const datastore = readsUrls ? await this.dataDatastore() : undefined;
    const body = toCommandJob(spec, request, {
      codeId: code.id,
      codeHash: code.hash,
      defaultCompute: this.options.defaultCompute,
      environmentId,
      workspacePath: this.arm.workspacePath,
      datastore,
    });
    // Raw PUT through the client's pipeline (auth, retries): SDK 2.1.1 has no serializer
    // mapping for uri_file/uri_folder inputs and silently drops their `uri`.
    const response = await this.arm.sendRaw(
      'PUT',
      `${this.arm.workspacePath}/jobs/${armName('job', request.name)}`,
      STABLE_API_VERSION,
      body,
    );
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'job', request.name);
    return toJobInfo(JSON.parse(response.bodyAsText ?? '{}') as JobBase);
  }

  /** The datastore inputs of the app's storage go through, looked up once (checked each time until found). */
  private async dataDatastore(): Promise<BlobDatastoreTarget> {
    if (this.datastore) return this.datastore;
    const { client, rg, ws } = this.arm;
    const name = this.options.dataDatastore ?? DEFAULT_DATA_DATASTORE;
    const found = await orUndefined(() => client.datastores.get(rg, ws, name), 'datastore', name);
    this.datastore = blobDatastoreTarget(name, ws, found?.properties);
    return this.datastore;
  }

  async getJob(name: string): Promise<JobInfo | undefined> {
    const { client, rg, ws } = this.arm;
    const job = await orUndefined(() => client.jobs.get(rg, ws, name), 'job', name);
    if (!job) return undefined;
    const info = toJobInfo(job);
    // Only a finished run's metrics are final; a running job's would be a partial picture.
    if (info.status === 'completed') info.metrics = await this.mlflow.forRun(name);
    return info;
  }

  /** Status, error and the Studio link: the log files themselves sit in the workspace datastore. */
  async jobLog(name: string, maxBytes?: number): Promise<string> {
    const response = await this.arm.sendRaw('GET', `${this.arm.workspacePath}/jobs/${armName('job', name)}`, STABLE_API_VERSION);
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'job', name);
    const raw = JSON.parse(response.bodyAsText ?? '{}') as JobBase & {
      properties: { error?: { message?: string }; errorMessage?: string };
    };
    const error = raw.properties.error?.message ?? raw.properties.errorMessage;
    return jobLogText(toJobInfo(raw), error, this.arm.workspacePath, maxBytes);
  }

  async cancelJob(name: string): Promise<void> {
    const { client, rg, ws, lro } = this.arm;
    await armCall(() => client.jobs.beginCancelAndWait(rg, ws, name, lro), 'job', name);
  }
}
