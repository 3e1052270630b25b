import { join } from 'node:path';
import type { EnvironmentName } from '../../../shared/config/schema';
import { AutopilotError, NotFoundError } from '../../../shared/errors';
import type { DeploymentInfo, EndpointInfo, Logger, ModelRef, ModelVersion } from '../../../shared/ports';
import type { EndpointRouting, LocalEndpointHost } from '../inference/endpointHost';
import type { ScoringProcess } from '../inference/scoringProcess';
import { armEndpointId, type DeploymentRecord, type EndpointRecord } from './endpointRecord';
import { KeyedMutex } from './keyedMutex';
import { writeJsonAtomic } from './writeJsonAtomic';

/** DeploymentInfo plus what only the local backend knows about the serving process. */
export interface LocalDeploymentInfo extends DeploymentInfo {
  /** Times the scoring server was restarted after it died. */
  restarts: number;
  /** Whether its scoring server answers right now. */
  serving: boolean;
  pid?: number;
}

export interface LocalOnlineEndpointsOptions {
  environment: EnvironmentName;
  /** `<root>/endpoints`: one `<name>.json` per endpoint, logs in `<name>/<deployment>.log`. */
  dir: string;
  host: LocalEndpointHost;
  getModel: (ref: ModelRef) => Promise<ModelVersion | undefined>;
  logger?: Logger;
}

export interface ScoringServer {
  process: ScoringProcess;
  requestTimeoutMs: number;
  /** The share of live requests collected (collectedShare() of its spec's `data_collector`), as Azure ML's collector keeps them. */
  collectionSamplingRate?: number | undefined;
  /** The spec's digest when launched: a redeploy of an edited spec launches again. */
  specDigest: string;
}

/**
 * One environment's endpoints in memory, their scoring servers and the router's view of them.
 * Shared by the lifecycle (./onlineEndpoints.ts), the traffic and shadow settings
 * (./endpointTrafficSettings.ts), the launch of scoring servers (./launchDeployment.ts) and
 * the logs (./localDeploymentLogs.ts); changes to one endpoint run one at a time (`perEndpoint`).
 */
export class EndpointStore {
  readonly records = new Map<string, EndpointRecord>();
  readonly servers = new Map<string, ScoringServer>();
  readonly perEndpoint = new KeyedMutex();
  started = false;

  constructor(readonly options: LocalOnlineEndpointsOptions) {}

  /** The endpoint's record, or NotFoundError. */
  require(endpoint: string): EndpointRecord {
    const record = this.records.get(endpoint);
    if (!record) throw new NotFoundError('endpoint', endpoint, `no such endpoint in ${this.options.environment}`);
    return record;
  }

  /** The endpoint, or NotFoundError (for calls that go to the router, which knows every environment's endpoints). */
  requireEndpoint(name: string): EndpointInfo {
    const record = this.records.get(name);
    if (!record)
      throw new NotFoundError(
        'endpoint',
        name,
        `no such endpoint in ${this.options.environment}${this.started ? '' : ' (call start() first)'}`,
      );
    return this.info(record);
  }

  /** Changes wait for start(), so saved endpoints are restored before they change. */
  requireStarted(operation: string): void {
    if (!this.started)
      throw new AutopilotError(
        `local ${this.options.environment} workspace: ${operation} called before start(); call start() first, so saved endpoints are restored before they change`,
      );
  }

  /** Registers the endpoint with the router, which asks `routing` where its requests go. */
  serve(record: EndpointRecord): void {
    this.options.host.register({
      name: record.name,
      environment: this.options.environment,
      routing: () => this.routing(record.name),
    });
    this.records.set(record.name, record);
  }

  /** Saves the endpoint, then tells the router: a change is in effect when the call that made it returns. */
  async persist(record: EndpointRecord): Promise<void> {
    await writeJsonAtomic(join(this.options.dir, `${record.name}.json`), record);
    await this.options.host.routingChanged(record.name);
  }

  server(endpoint: string, deployment: string): ScoringServer | undefined {
    return this.servers.get(serverKey(endpoint, deployment));
  }

  info(record: EndpointRecord): EndpointInfo {
    return {
      name: record.name,
      environment: record.environment,
      scoringUri: this.options.host.scoringUri(record.name),
      traffic: { ...record.traffic },
      mirrorTraffic: { ...record.mirrorTraffic },
      deployments: record.deployments.map((d) => this.deploymentInfo(record.name, d)),
      id: armEndpointId(record.environment, record.name),
    };
  }

  deploymentInfo(endpoint: string, deployment: DeploymentRecord): LocalDeploymentInfo {
    const server = this.server(endpoint, deployment.name)?.process;
    const info: LocalDeploymentInfo = {
      name: deployment.name,
      endpoint,
      model: { ...deployment.model },
      state: deployment.state,
      createdAt: deployment.createdAt,
      restarts: server?.restarts ?? 0,
      serving: server?.url !== undefined,
    };
    if (deployment.error !== undefined) info.error = deployment.error;
    if (server?.pid !== undefined) info.pid = server.pid;
    return info;
  }

  private routing(name: string): EndpointRouting {
    const record = this.records.get(name);
    if (!record) return { traffic: {}, mirrorTraffic: {}, deployments: {} };
    const shadow = record.shadow && {
      endpoint: record.shadow.endpoint,
      deployment: record.shadow.deployment,
      percent: record.shadow.percent,
      tolerance: record.shadow.tolerance,
    };
    const deployments: EndpointRouting['deployments'] = {};
    for (const deployment of record.deployments) {
      const server = this.server(name, deployment.name);
      deployments[deployment.name] = {
        url: server?.process.url,
        requestTimeoutMs: server?.requestTimeoutMs ?? 5000,
        model: deployment.model,
        ...(server?.collectionSamplingRate !== undefined && { collectionSamplingRate: server.collectionSamplingRate }),
      };
    }
    return { traffic: record.traffic, mirrorTraffic: record.mirrorTraffic, deployments, shadow };
  }
}

/** The key of a deployment's scoring server in `EndpointStore.servers`. */
export function serverKey(endpoint: string, deployment: string): string {
  return `${endpoint}/${deployment}`;
}
