import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { EnvironmentName } from '../../../shared/config/schema';
import type { DeployRequest, DeploymentInfo, EndpointInfo, ShadowReport, TrafficSignals } from '../../../shared/ports';
import { AutopilotError, BadRequestError, NotSupportedError, StillProvisioningError } from '../../../shared/errors';
import { parseDeploymentSpec } from '../../../shared/jobs';
import { checkTrafficSum } from '../../../shared/endpoints/trafficSum';
import { armCall, armErrorText, mapArmError } from './mapArmError';
import { requireEnvironment, toArmDataCollector, toArmDeployment, toDeploymentInfo } from './deploymentMapping';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentIdFor } from './environmentAssets';
import { asyncOperationStatus, pollArmOperation } from './armOperations';
import { sendJson } from '../armMlClient';
import { shadowFromMetrics } from './shadowFromMetrics';
import { pollWithin } from './pollWithin';
import { armName, MIRROR_API_VERSION, type ArmWorkspaceClient, type RawEndpointJson } from './armWorkspaceClient';

type Split = { traffic?: Record<string, number>; mirrorTraffic?: Record<string, number> };

/** Online endpoints of one workspace: deployments, live traffic split and mirrored (shadow) traffic. */
export class AzureOnlineEndpoints {
  /** Mirror target and start time per endpoint: metrics are counted from the moment the shadow was set. */
  private readonly shadows = new Map<string, { deployment: string; since: string }>();

  /** @param traffic Monitor metrics of an endpoint, for the shadow report. */
  constructor(
    private readonly arm: ArmWorkspaceClient,
    private readonly environment: EnvironmentName,
    private readonly traffic: TrafficSignals,
  ) {}

  async deploy(request: DeployRequest): Promise<DeploymentInfo> {
    const { client, rg, ws, lro } = this.arm;
    const spec = parseDeploymentSpec(await readFile(request.specPath, 'utf8'), request.specPath);
    requireEnvironment(spec, request.specPath);
    // An MLflow model deployed without code has no code asset and no environment (Azure ML's no-code deployment).
    const environmentId = spec.code_configuration && (await environmentIdFor(spec.environment, request.specPath, this.arm));
    const code = spec.code_configuration && (await this.arm.codeAsset(resolve(dirname(request.specPath), spec.code_configuration.code)));
    const budgetMs = this.arm.provisioningWaitMs;
    const interval = this.arm.pollIntervalMs ?? 2000;
    let endpoint = await this.arm.rawEndpoint(request.endpoint);
    if (!endpoint) {
      await armCall(
        async () =>
          pollWithin(
            await client.onlineEndpoints.beginCreateOrUpdate(
              rg,
              ws,
              request.endpoint,
              {
                location: this.arm.location,
                properties: { authMode: 'Key', traffic: {} },
              },
              lro,
            ),
            budgetMs,
            interval,
          ),
        'endpoint',
        request.endpoint,
      );
      endpoint = await this.arm.rawEndpoint(request.endpoint);
    }
    const endpointState = endpoint?.properties.provisioningState;
    if (endpointState === 'Failed' || endpointState === 'Canceled') {
      throw new AutopilotError(
        `endpoint '${request.endpoint}' is in state ${endpointState}; delete it in Azure ML studio (or \`az ml online-endpoint delete\`) and the next release recreates it`,
      );
    }
    if (endpointState !== 'Succeeded') throw new StillProvisioningError(`endpoint '${request.endpoint}'`);
    const body = toArmDeployment(spec, request, {
      location: this.arm.location,
      workspacePath: this.arm.workspacePath,
      codeId: code?.id,
      environmentId,
      modelRegistry: this.arm.modelRegistry,
    });
    const id = `${request.endpoint}/${request.deployment}`;
    const dataCollector = toArmDataCollector(spec);
    let operationError: string | undefined;
    if (dataCollector) {
      operationError = await this.putDeploymentRaw(
        request.endpoint,
        request.deployment,
        { ...body, properties: { ...body.properties, dataCollector } },
        budgetMs,
        interval,
      );
    } else {
      // Not ...AndWait: a deployment takes minutes; past the budget it is answered as 'creating'.
      await armCall(
        async () =>
          pollWithin(
            await client.onlineDeployments.beginCreateOrUpdate(rg, ws, request.endpoint, request.deployment, body, lro),
            budgetMs,
            interval,
          ),
        'deployment',
        id,
      );
    }
    const deployed = await armCall(() => client.onlineDeployments.get(rg, ws, request.endpoint, request.deployment), 'deployment', id);
    const info = toDeploymentInfo(request.endpoint, deployed);
    return info.state === 'failed' && operationError ? { ...info, error: operationError } : info;
  }

  /**
   * A deployment with properties SDK 2.1.1 would drop (dataCollector): PUT as raw JSON at
   * MIRROR_API_VERSION, then its operation polled (Azure-AsyncOperation, else Location) until it
   * ends or the budget does, as the SDK's poller would; the caller then reads the deployment's state.
   * Returns the error of an operation that ended Failed or Canceled (`code: message`).
   */
  private async putDeploymentRaw(
    endpoint: string,
    deployment: string,
    body: unknown,
    budgetMs: number,
    intervalMs: number,
  ): Promise<string | undefined> {
    const id = `${endpoint}/${deployment}`;
    const response = await this.arm.sendRaw(
      'PUT',
      `${this.arm.endpointPath(endpoint)}/deployments/${armName('deployment', deployment)}`,
      MIRROR_API_VERSION,
      body,
    );
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'deployment', id);
    const asyncUrl = response.headers.get('azure-asyncoperation');
    const statusUrl = asyncUrl ?? response.headers.get('location');
    const deadline = Date.now() + budgetMs;
    while (statusUrl && Date.now() < deadline) {
      await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
      const poll = await sendJson(this.arm.client, 'GET', statusUrl);
      if (poll.status >= 400) throw mapArmError({ statusCode: poll.status, message: poll.bodyAsText }, 'deployment', id);
      const operation = asyncUrl ? (JSON.parse(poll.bodyAsText || '{}') as { status?: string; error?: unknown }) : undefined;
      const status = operation?.status;
      if (status === 'Failed' || status === 'Canceled')
        return armErrorText(JSON.stringify({ error: operation?.error ?? { message: `the operation ended ${status}` } }));
      if (asyncUrl ? status === 'Succeeded' : poll.status !== 202) return undefined;
    }
    return undefined;
  }

  async setTraffic(endpoint: string, traffic: Record<string, number>): Promise<EndpointInfo> {
    checkTrafficSum(endpoint, traffic);
    await this.putSplit(
      endpoint,
      (current) => ({
        traffic,
        // Azure ML gives a deployment live or mirrored traffic, never both: one that now takes live traffic stops being mirrored.
        mirrorTraffic: Object.fromEntries(
          Object.entries(current.mirrorTraffic ?? {}).filter(([deployment]) => !((traffic[deployment] ?? 0) > 0)),
        ),
      }),
      `traffic update of endpoint '${endpoint}'`,
    );
    return (await this.getEndpoint(endpoint))!;
  }

  /**
   * Live and mirrored traffic are both endpoint properties, set by a PUT of the whole endpoint
   * (its PATCH takes tags and identity only). The endpoint is read and written at
   * MIRROR_API_VERSION as raw JSON, so setting one split never drops the other.
   */
  private async putSplit(endpoint: string, split: (current: RawEndpointJson['properties']) => Split, what: string): Promise<void> {
    const current = await this.arm.rawEndpointJson(endpoint);
    if (!current) throw mapArmError({ statusCode: 404 }, 'endpoint', endpoint);
    // Read-only properties are left out of the PUT.
    const { provisioningState: _state, scoringUri: _scoring, swaggerUri: _swagger, ...writable } = current.properties;
    const { location, kind, sku, tags } = current;
    const body = {
      location,
      kind,
      sku,
      tags,
      identity: writableIdentity(current.identity),
      properties: { ...writable, ...split(current.properties) },
    };
    const response = await this.arm.sendRaw('PUT', this.arm.endpointPath(endpoint), MIRROR_API_VERSION, body);
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'endpoint', endpoint);
    const statusUrl = response.headers.get('azure-asyncoperation');
    if (statusUrl)
      await pollArmOperation(() => sendJson(this.arm.client, 'GET', statusUrl), what, asyncOperationStatus(what), this.arm.pollIntervalMs);
  }

  async deleteDeployment(endpoint: string, deployment: string): Promise<void> {
    const { client, rg, ws, lro } = this.arm;
    await armCall(
      () => client.onlineDeployments.beginDeleteAndWait(rg, ws, endpoint, deployment, lro),
      'deployment',
      `${endpoint}/${deployment}`,
    );
  }

  async getEndpoint(name: string): Promise<EndpointInfo | undefined> {
    const raw = await this.arm.rawEndpointJson(name);
    if (!raw) return undefined;
    const deployments: DeploymentInfo[] = [];
    for await (const d of this.arm.client.onlineDeployments.list(this.arm.rg, this.arm.ws, name))
      deployments.push(toDeploymentInfo(name, d));
    return {
      name,
      environment: this.environment,
      id: raw.id,
      scoringUri: raw.properties.scoringUri ?? '',
      traffic: raw.properties.traffic ?? {},
      mirrorTraffic: raw.properties.mirrorTraffic ?? {},
      deployments,
    };
  }

  async listEndpoints(): Promise<EndpointInfo[]> {
    const names: string[] = [];
    for await (const e of this.arm.client.onlineEndpoints.list(this.arm.rg, this.arm.ws)) names.push(e.name!);
    const out = await Promise.all(names.map((n) => this.getEndpoint(n)));
    return out.filter((e): e is EndpointInfo => e !== undefined);
  }

  /**
   * Mirror traffic within one endpoint (Azure ML mirrors to deployments of the same endpoint only).
   * Azure ML discards the mirror's answers, so ShadowOptions (how answers compare) have nothing to apply to.
   */
  async setShadow(endpoint: string, target: { endpoint: string; deployment: string }, percent: number): Promise<void> {
    if (target.endpoint !== endpoint) {
      throw new NotSupportedError(
        `mirroring ${endpoint} to ${target.endpoint}/${target.deployment}`,
        'azure',
        'Azure ML mirrors traffic only between deployments of one endpoint',
      );
    }
    if (percent > 50)
      throw new BadRequestError(
        `Azure ML mirrors at most 50% of an endpoint's traffic, asked ${percent}% for ${endpoint}/${target.deployment}`,
        'shadowPercent',
      );
    await this.putSplit(
      endpoint,
      (current) => {
        const live = current.traffic?.[target.deployment] ?? 0;
        if (percent > 0 && live > 0) {
          throw new BadRequestError(
            `deployment '${target.deployment}' takes ${live}% of ${endpoint}'s live traffic; Azure ML mirrors only to a deployment without live traffic`,
            'shadow',
          );
        }
        return { mirrorTraffic: percent > 0 ? { [target.deployment]: percent } : {} };
      },
      `mirror traffic update of endpoint '${endpoint}'`,
    );
    if (percent > 0) this.shadows.set(endpoint, { deployment: target.deployment, since: this.arm.now().toISOString() });
    else this.shadows.delete(endpoint);
  }

  /**
   * Mirrored requests and 5xx of both sides since the shadow was set, from Monitor metrics.
   * Azure ML discards the shadow's answers, so `compared` and `agreed` stay 0. A shadow set by
   * another process (no remembered start) is counted over the last hour.
   */
  async shadowReport(endpoint: string): Promise<ShadowReport> {
    let shadow = this.shadows.get(endpoint);
    if (!shadow) {
      const mirrored = Object.entries((await this.arm.rawEndpointJson(endpoint))?.properties.mirrorTraffic ?? {}).find(
        ([, percent]) => percent > 0,
      );
      if (!mirrored) return { mirrored: 0, compared: 0, agreed: 0, shadowErrors: 0, liveErrors: 0 };
      shadow = { deployment: mirrored[0], since: new Date(this.arm.now().getTime() - 3_600_000).toISOString() };
    }
    return shadowFromMetrics(await this.traffic.trafficSince(endpoint, shadow.since, []), shadow.deployment);
  }
}

/**
 * The endpoint's identity as a PUT may carry it: ManagedServiceIdentity's `principalId` and
 * `tenantId`, and each user-assigned identity's ids, are read-only (common-types
 * managedidentity.json); Azure ML gives every endpoint a system-assigned identity, so a GET
 * always answers them.
 */
export function writableIdentity(identity: unknown): unknown {
  if (!identity || typeof identity !== 'object') return identity;
  const { principalId: _principal, tenantId: _tenant, userAssignedIdentities, ...rest } = identity as Record<string, unknown>;
  if (!userAssignedIdentities || typeof userAssignedIdentities !== 'object') return rest;
  return { ...rest, userAssignedIdentities: Object.fromEntries(Object.keys(userAssignedIdentities).map((id) => [id, {}])) };
}
