import { Agent } from 'node:https';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { TokenCredential } from '@azure/core-auth';
import type { ServiceClient } from '@azure/core-client';
import {
  createHttpHeaders,
  createPipelineRequest,
  type HttpMethods,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';

/** Public Azure's Resource Manager; AUTOPILOT_ARM_ENDPOINT points elsewhere (sovereign clouds, a proxy, a test fake). */
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

/** ARM's token audience is its own origin: management.azure.com, management.chinacloudapi.cn, … */
export function armScope(endpoint: string = DEFAULT_ARM_ENDPOINT): string {
  return `${new URL(endpoint).origin}/.default`;
}

/** A policy that sends every request through `agent` (which trusts an extra CA). */
export function trustedCaPolicy(agent: Agent): PipelinePolicy {
  return { name: 'trustedCa', sendRequest: (req, next) => ((req.agent = agent), next(req)) };
}

/** Where an Azure ML workspace lives, as autopilot.yaml names it. */
export interface AzureCoordinates {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  location: string;
}

/** The workspace's ARM resource id (the prefix of every workspace-scoped path). */
export function workspaceArmId(coordinates: Omit<AzureCoordinates, 'location'>): string {
  return `/subscriptions/${coordinates.subscriptionId}/resourceGroups/${coordinates.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${coordinates.workspace}`;
}

/** One raw JSON request through an SDK client's pipeline (token, retries), for what the SDK lacks. */
export function sendJson(client: ServiceClient, method: HttpMethods, url: string, body?: unknown): Promise<PipelineResponse> {
  const request = createPipelineRequest({
    url,
    method,
    headers: createHttpHeaders({ 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return client.pipeline.sendRequest(client, request);
}

/** Sends every request of `pipeline` through `agent` (which trusts an extra CA). */
export function trustAgent(pipeline: Pipeline, agent: Agent): void {
  pipeline.addPolicy(trustedCaPolicy(agent));
}

export interface ArmMlClientOptions {
  /** ARM base URL. @default https://management.azure.com */
  endpoint?: string;
  /** Extra CA certificate to trust (a private proxy, or a test fake). @default none */
  trustedCa?: string;
  /** @default the SDK's (3 retries with exponential back-off) */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

/**
 * The Azure ML management client on `endpoint`, asking tokens for that cloud's audience
 * (the SDK would otherwise ask for public Azure's whatever the endpoint).
 */
export function createArmMlClient(
  credential: TokenCredential,
  subscriptionId: string,
  options: ArmMlClientOptions = {},
): { client: AzureMachineLearningWorkspaces; agent?: Agent } {
  const endpoint = options.endpoint ?? DEFAULT_ARM_ENDPOINT;
  const client = new AzureMachineLearningWorkspaces(credential, subscriptionId, {
    endpoint,
    credentialScopes: armScope(endpoint),
    ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
  });
  if (!options.trustedCa) return { client };
  const agent = new Agent({ ca: options.trustedCa, keepAlive: true });
  trustAgent(client.pipeline, agent);
  return { client, agent };
}
