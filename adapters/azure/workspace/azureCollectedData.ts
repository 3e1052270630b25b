import { ContainerClient } from '@azure/storage-blob';
import type { AzureBlobDatastore } from '@azure/arm-machinelearning';
import type { TokenCredential } from '@azure/core-auth';
import type { EnvironmentName } from '../../../shared/config/schema';
import type { CollectedInferenceBatch, OnlineEndpoints } from '../../../shared/ports';
import { collectedBatches } from '../../../shared/monitoring/collectedInference';
import { toExcludedSet } from '../../../shared/monitoring/toInferenceRecords';
import { hourStarts } from '../../../shared/monitoring/inferenceBlobName';
import { AutopilotError } from '../../../shared/errors';
import { mapArmError, orUndefined } from './mapArmError';
import { STABLE_API_VERSION, type ArmWorkspaceClient } from './armWorkspaceClient';

/** "Storage Accounts - Get Properties" (Microsoft.Storage, stable): `primaryEndpoints.blob`, which differs by cloud and private endpoint. */
export const STORAGE_API_VERSION = '2023-05-01';
/** The datastore every workspace has, where the data collector writes by default. */
const WORKSPACE_BLOBSTORE = 'workspaceblobstore';
/** Hours looked at per run: a monitor window longer than this reads only its last hours. */
const MAX_HOURS = 48;

/**
 * Reads what Azure ML's data collector wrote for an endpoint's deployments from the
 * workspace's default blob store, with the app's identity (it needs Storage Blob Data Reader
 * on the workspace's storage account: infra/main.json grants it).
 */
export class AzureCollectedData {
  private container?: ContainerClient;

  constructor(
    private readonly arm: ArmWorkspaceClient,
    private readonly credential: TokenCredential,
    private readonly environment: EnvironmentName,
    private readonly endpoints: Pick<OnlineEndpoints, 'getEndpoint'>,
  ) {}

  async *collectedInference(
    endpoint: string,
    fromIso: string,
    toIso: string,
    excludedColumns: readonly string[],
  ): AsyncGenerator<CollectedInferenceBatch> {
    const info = await this.endpoints.getEndpoint(endpoint);
    if (!info) return;
    const container = await this.blobstore();
    yield* collectedBatches(
      (prefix) => this.texts(container, prefix),
      info.deployments,
      hourStarts(new Date(fromIso), new Date(toIso)).slice(-MAX_HOURS),
      {
        endpoint,
        environment: this.environment,
        excluded: toExcludedSet(excludedColumns),
      },
    );
  }

  private async texts(container: ContainerClient, prefix: string): Promise<string[]> {
    const texts: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix })) {
      if (!blob.name.endsWith('.jsonl')) continue;
      texts.push((await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8'));
    }
    return texts;
  }

  /** The workspace's default blob container: workspace -> its storage account's blob endpoint, datastore -> container. */
  private async blobstore(): Promise<ContainerClient> {
    if (this.container) return this.container;
    const workspace = await this.getJson<{ properties?: { storageAccount?: string } }>(
      this.arm.workspacePath,
      STABLE_API_VERSION,
      'workspace',
    );
    const accountId = workspace.properties?.storageAccount;
    if (!accountId) throw new AutopilotError(`workspace ${this.arm.ws} names no storage account; the data collector writes there`);
    const account = await this.getJson<{ properties?: { primaryEndpoints?: { blob?: string } } }>(
      accountId,
      STORAGE_API_VERSION,
      'storage account',
    );
    const blobEndpoint = account.properties?.primaryEndpoints?.blob;
    if (!blobEndpoint) throw new AutopilotError(`storage account ${accountId} has no blob endpoint`);
    const { client, rg, ws } = this.arm;
    const datastore = await orUndefined(() => client.datastores.get(rg, ws, WORKSPACE_BLOBSTORE), 'datastore', WORKSPACE_BLOBSTORE);
    const containerName = (datastore?.properties as AzureBlobDatastore | undefined)?.containerName;
    if (!containerName)
      throw new AutopilotError(`workspace ${ws} has no ${WORKSPACE_BLOBSTORE} blob datastore; the data collector writes there`);
    this.container = new ContainerClient(`${blobEndpoint.replace(/\/?$/, '/')}${containerName}`, this.credential);
    return this.container;
  }

  private async getJson<T>(path: string, apiVersion: string, what: string): Promise<T> {
    const response = await this.arm.sendRaw('GET', path, apiVersion);
    if (response.status >= 400)
      throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, what, path.split('/').pop() ?? path);
    return JSON.parse(response.bodyAsText ?? '{}') as T;
  }
}
