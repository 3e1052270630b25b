import type { TokenCredential } from '@azure/core-auth';
import type { ServiceClient } from '@azure/core-client';
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import type { ModelVersion as ArmModelVersion } from '@azure/arm-machinelearning';
import type { ModelVersion } from '../../../shared/ports';
import { AutopilotError, ConcurrencyError, NotFoundError } from '../../../shared/errors';
import { createArmMlClient, DEFAULT_ARM_ENDPOINT, sendJson, workspaceArmId, type AzureCoordinates } from '../armMlClient';
import { mapArmError } from './mapArmError';
import { pollArmOperation } from './armOperations';
import { armName, STABLE_API_VERSION } from './armApi';
import { fromArmModelVersion } from './modelMapping';

/** ARM "Registry Model Versions - Get / List" (stable, 2024-04-01; SDK 2.1.1 has no registry operations). */
export const REGISTRY_API_VERSION = '2024-04-01';
/**
 * What `az ml model share` / azure-ai-ml `ModelOperations.share` call: POST `.../registries/{r}/import`
 * of the registry's management front end (ResourceManagementAssetReference, 2021-10-01-dataplanepreview),
 * a deep copy of the workspace asset; 202 + Location, final state via Location.
 */
export const IMPORT_API_VERSION = '2021-10-01-dataplanepreview';
/** Public Azure's registry discovery (azure-ai-ml `_azure_environments`: AzureCloud registry_discovery_endpoint). */
export const DEFAULT_REGISTRY_DISCOVERY_ENDPOINT = 'https://eastus.api.azureml.ms';

export interface RegistryCoordinates {
  name: string;
  subscriptionId: string;
  resourceGroup: string;
}
/** A workspace whose model versions can be shared: its location goes into the source asset id. */
/** The workspace a shared model comes from. */
export type SourceWorkspace = AzureCoordinates;

export interface AzureMlRegistryOptions {
  credential: TokenCredential;
  /** ARM endpoint. @default https://management.azure.com */
  endpoint?: string;
  /** Registry discovery endpoint (sovereign clouds, a test fake). @default https://eastus.api.azureml.ms */
  discoveryEndpoint?: string;
  /** Extra CA certificate to trust. @default none */
  trustedCa?: string;
  /** Pause between polls of the import. @default 2000 */
  pollIntervalMs?: number;
}

/** The asset id deployments in any workspace take for a registry model (deployment YAML `model:`). */
export function registryAssetId(registry: string, name: string, version: number): string {
  return `azureml://registries/${registry}/models/${name}/versions/${version}`;
}

export function parseRegistryAssetId(id: string): { registry: string; name: string; version: number } | undefined {
  const m = /^azureml:\/\/registries\/([^/]+)\/models\/([^/]+)\/versions\/(\d+)$/.exec(id);
  return m ? { registry: m[1]!, name: m[2]!, version: Number(m[3]) } : undefined;
}

/**
 * Model versions of one Azure ML registry: read through ARM, shared in from a workspace as
 * `az ml model share` does. Every workspace resolves a registry asset, whatever its subscription.
 */
export class AzureMlRegistry {
  private readonly client: ServiceClient;
  private readonly endpoint: string;

  constructor(
    readonly coordinates: RegistryCoordinates,
    private readonly options: AzureMlRegistryOptions,
  ) {
    armName('registry', coordinates.name);
    this.endpoint = (options.endpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
    this.client = createArmMlClient(options.credential, coordinates.subscriptionId, {
      endpoint: this.endpoint,
      trustedCa: options.trustedCa,
    }).client;
  }

  get path(): string {
    const { subscriptionId, resourceGroup, name } = this.coordinates;
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.MachineLearningServices/registries/${name}`;
  }

  assetId(name: string, version: number): string {
    return registryAssetId(this.coordinates.name, name, version);
  }

  async getModel(name: string, version: number): Promise<ModelVersion | undefined> {
    const response = await this.send(
      'GET',
      `${this.endpoint}${this.path}/models/${armName('model', name)}/versions/${version}?api-version=${REGISTRY_API_VERSION}`,
    );
    if (response.status === 404) return undefined;
    return this.toModelVersion(name, this.json(response, `${name}:${version}`));
  }

  /** Every version of every model of the registry (ARM "Registry Model Containers - List", then versions). */
  async listAllModels(): Promise<ModelVersion[]> {
    const names: string[] = [];
    let next: string | undefined = `${this.endpoint}${this.path}/models?api-version=${REGISTRY_API_VERSION}`;
    while (next) {
      const page = this.json(await this.send('GET', next), this.coordinates.name) as { value?: { name?: string }[]; nextLink?: string };
      names.push(...(page.value ?? []).flatMap((c) => (c.name ? [c.name] : [])));
      next = page.nextLink;
    }
    return (await Promise.all(names.map((n) => this.listModels(n)))).flat();
  }

  async listModels(name: string): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    let next: string | undefined =
      `${this.endpoint}${this.path}/models/${armName('model', name)}/versions?api-version=${REGISTRY_API_VERSION}`;
    while (next) {
      const response = await this.send('GET', next);
      if (response.status === 404) return [];
      const page = this.json(response, name) as { value?: ArmModelVersion[]; nextLink?: string };
      out.push(...(page.value ?? []).map((v) => this.toModelVersion(name, v)));
      next = page.nextLink;
    }
    return out.sort((a, b) => a.version - b.version);
  }

  /**
   * Shares workspace model `from` into the registry as `name:version` (what `az ml model share`
   * does) and answers the registry version. Idempotent: a version already shared from the same
   * source is reused; one holding another model is refused, since the import would overwrite it.
   */
  async share(from: ModelVersion, source: SourceWorkspace): Promise<ModelVersion> {
    const existing = await this.getModel(from.name, from.version);
    if (existing) {
      // The import copies the source's tags, so the dev version's idempotency key marks its copy.
      if (existing.idempotencyKey === from.idempotencyKey) return existing;
      throw new ConcurrencyError(
        `registry model '${this.assetId(from.name, from.version)}' already holds another model (idempotency key '${existing.idempotencyKey}'); archive it or rename the pipeline's model`,
      );
    }
    const sourceAssetId = await this.sourceAssetId(source, from);
    const base = await this.managementFrontEnd();
    // destinationName/destinationVersion/sourceAssetId: ResourceManagementAssetReferenceDetails (azure-ai-ml WorkspaceAssetReference).
    const started = await this.send('POST', `${base}${this.path}/import?api-version=${IMPORT_API_VERSION}`, {
      properties: { destinationName: from.name, destinationVersion: String(from.version), sourceAssetId },
    });
    if (started.status >= 400)
      throw mapArmError(
        { statusCode: started.status, message: started.bodyAsText },
        'registry model',
        this.assetId(from.name, from.version),
      );
    if (started.status === 202) await this.waitForLocation(started.headers.get('location'), from);
    const shared = await this.getModel(from.name, from.version);
    if (!shared)
      throw new AutopilotError(
        `sharing ${from.name}:${from.version} into registry '${this.coordinates.name}' reported success but the version is not there`,
        { retryable: true },
      );
    return shared;
  }

  /** `azureml://locations/{location}/workspaces/{workspace GUID}/models/{name}/versions/{version}` (azure-ai-ml ASSET_ID_FORMAT). */
  private async sourceAssetId(source: SourceWorkspace, from: ModelVersion): Promise<string> {
    const path = workspaceArmId(source);
    const response = await this.send('GET', `${this.endpoint}${path}?api-version=${STABLE_API_VERSION}`);
    const workspace = this.json(response, source.workspace) as { location?: string; properties?: { workspaceId?: string } };
    const guid = workspace.properties?.workspaceId;
    if (!guid)
      throw new AutopilotError(
        `workspace '${source.workspace}' answered no properties.workspaceId; cannot name model ${from.name}:${from.version} for the registry`,
      );
    return `azureml://locations/${(workspace.location ?? source.location).replace(/\s+/g, '').toLowerCase()}/workspaces/${guid}/models/${from.name}/versions/${from.version}`;
  }

  /** The registry's regional management front end, from registry discovery (as azure-ai-ml's RegistryDiscovery). */
  private async managementFrontEnd(): Promise<string> {
    const discovery = (this.options.discoveryEndpoint ?? DEFAULT_REGISTRY_DISCOVERY_ENDPOINT).replace(/\/+$/, '');
    const response = await this.send('GET', `${discovery}/registrymanagement/v1.0/registries/${this.coordinates.name}/discovery`);
    const found = this.json(response, this.coordinates.name) as { primaryRegionResourceProviderUri?: string };
    if (!found.primaryRegionResourceProviderUri)
      throw new AutopilotError(`registry discovery answered no primaryRegionResourceProviderUri for '${this.coordinates.name}'`);
    return `${found.primaryRegionResourceProviderUri.replace(/\/+$/, '')}/mferp/managementfrontend`;
  }

  /** ARM polling, final state via Location: 202 while running, 200 once done. */
  private async waitForLocation(location: string | undefined, from: ModelVersion): Promise<void> {
    if (!location) return;
    await pollArmOperation(
      () => this.send('GET', location),
      `sharing of ${from.name}:${from.version} into registry '${this.coordinates.name}'`,
      (poll) => {
        if (poll.status === 200 || poll.status === 204) return 'done';
        if (poll.status !== 202)
          throw mapArmError({ statusCode: poll.status, message: poll.bodyAsText }, 'registry import of', `${from.name}:${from.version}`);
        return 'running';
      },
      this.options.pollIntervalMs,
    );
  }

  private toModelVersion(name: string, arm: ArmModelVersion): ModelVersion {
    const createdAt = (arm.systemData as { createdAt?: string | Date } | undefined)?.createdAt;
    const model = fromArmModelVersion(name, { ...arm, systemData: createdAt ? { createdAt: new Date(createdAt) } : undefined });
    // Deployments take the asset id; the version's own modelUri points into registry storage.
    return { ...model, path: this.assetId(name, model.version) };
  }

  private json(response: PipelineResponse, id: string): ArmModelVersion & Record<string, unknown> {
    if (response.status === 404)
      throw new NotFoundError('registry model', id, `check azure.registry in autopilot.yaml (registry '${this.coordinates.name}')`);
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'registry model', id);
    return JSON.parse(response.bodyAsText ?? '{}');
  }

  private send(method: 'GET' | 'POST', url: string, body?: unknown): Promise<PipelineResponse> {
    return sendJson(this.client, method, url, body);
  }
}
