import type { Agent } from 'node:https';
import type { AzureMachineLearningWorkspaces, OnlineEndpoint } from '@azure/arm-machinelearning';
import { createArmMlClient, DEFAULT_ARM_ENDPOINT, sendJson, workspaceArmId } from '../armMlClient';
import { mapArmError, orUndefined } from './mapArmError';
import { armName, MIRROR_API_VERSION } from './armApi';
import { ensureCodeAsset, type CodeAsset } from './codeAssets';
import type { AzureMlWorkspaceOptions } from './azureMlWorkspaceOptions';

// In ./armApi.ts so ./azureRegistry.ts can use them without importing this client (an import cycle).
export { armName, MIRROR_API_VERSION, STABLE_API_VERSION } from './armApi';

/** An online endpoint as the raw JSON has it, `mirrorTraffic` included. */
export interface RawEndpointJson {
  id: string;
  location: string;
  kind?: string;
  sku?: unknown;
  tags?: Record<string, string>;
  identity?: unknown;
  properties: {
    scoringUri?: string;
    traffic?: Record<string, number>;
    mirrorTraffic?: Record<string, number>;
    [other: string]: unknown;
  };
}

export type ArmWorkspaceClientOptions = Pick<
  AzureMlWorkspaceOptions,
  | 'subscriptionId'
  | 'resourceGroup'
  | 'workspace'
  | 'location'
  | 'credential'
  | 'endpoint'
  | 'trustedCa'
  | 'pollIntervalMs'
  | 'provisioningWaitSeconds'
  | 'now'
  | 'onCodeUploadProgress'
  | 'modelRegistry'
>;

/**
 * What every part of the Azure workspace adapter shares: the ARM ML client (trusting the
 * extra CA if any), the workspace's coordinates and raw ARM calls for what SDK 2.1.1 lacks.
 */
export class ArmWorkspaceClient {
  readonly client: AzureMachineLearningWorkspaces;
  readonly rg: string;
  readonly ws: string;
  readonly lro: { updateIntervalInMs?: number };
  readonly agent?: Agent;

  constructor(private readonly options: ArmWorkspaceClientOptions) {
    this.rg = options.resourceGroup;
    this.ws = options.workspace;
    this.lro = { updateIntervalInMs: options.pollIntervalMs };
    const { client, agent } = createArmMlClient(options.credential, options.subscriptionId, {
      endpoint: options.endpoint,
      trustedCa: options.trustedCa,
    });
    this.client = client;
    this.agent = agent;
  }

  get workspacePath(): string {
    return workspaceArmId(this.options);
  }

  get location(): string {
    return this.options.location;
  }

  /** Name of the registry whose assets this workspace deploys (staging/prod with azure.registry). */
  get modelRegistry(): string | undefined {
    return this.options.modelRegistry?.registry.coordinates.name;
  }

  /** How long one call waits for an endpoint or deployment being provisioned. */
  get provisioningWaitMs(): number {
    return (this.options.provisioningWaitSeconds ?? 60) * 1000;
  }

  get pollIntervalMs(): number | undefined {
    return this.options.pollIntervalMs;
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async sendRaw(method: 'PATCH' | 'GET' | 'PUT' | 'POST', path: string, apiVersion: string, body?: unknown) {
    return sendJson(this.client, method, `${this.options.endpoint ?? DEFAULT_ARM_ENDPOINT}${path}?api-version=${apiVersion}`, body);
  }

  rawEndpoint(name: string): Promise<OnlineEndpoint | undefined> {
    return orUndefined(() => this.client.onlineEndpoints.get(this.rg, this.ws, name), 'endpoint', name);
  }

  /** A raw GET at MIRROR_API_VERSION: the SDK's model has no `mirrorTraffic`, the raw JSON keeps it. */
  async rawEndpointJson(name: string): Promise<RawEndpointJson | undefined> {
    const response = await this.sendRaw('GET', this.endpointPath(name), MIRROR_API_VERSION);
    if (response.status === 404) return undefined;
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'endpoint', name);
    return JSON.parse(response.bodyAsText ?? '{}');
  }

  endpointPath(name: string): string {
    return `${this.workspacePath}/onlineEndpoints/${armName('endpoint', name)}`;
  }

  /** The code folder as a code asset: uploaded once per content, found by hash afterwards. */
  codeAsset(folder: string, name?: string): Promise<CodeAsset> {
    const onProgress = this.options.onCodeUploadProgress;
    return ensureCodeAsset(
      folder,
      { send: (method, path, apiVersion, body) => this.sendRaw(method, path, apiVersion, body), workspacePath: this.workspacePath },
      {
        ...(name !== undefined && { name }),
        onProgress: onProgress && ((progress) => onProgress(folder, progress)),
      },
    );
  }
}
