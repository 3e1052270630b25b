import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BadRequestError, ensureError, NotFoundError } from '../../../shared/errors';
import type {
  DeploymentLogs,
  DeploymentLogSource,
  DeploymentLogsOptions,
  DeployRequest,
  EndpointInfo,
  OnlineEndpoints,
  ShadowOptions,
  ShadowReport,
  ShadowTraffic,
} from '../../../shared/ports';
import { noCodeDeploymentProblem } from '../../../shared/jobs/deploymentSpec';
import { loadDeploymentSpec } from '../inference/loadDeploymentSpec';
import { EndpointRecord, type DeploymentRecord } from './endpointRecord';
import { EndpointStore, serverKey, type LocalDeploymentInfo, type LocalOnlineEndpointsOptions } from './endpointStore';
import { setMirrorTraffic, setShadow, setTraffic, shadowReport } from './endpointTrafficSettings';
import { launchDeployment } from './launchDeployment';
import { localDeploymentLogs } from './localDeploymentLogs';
import { validateName } from './names';
import { EndpointConflictError } from './workspaceErrors';
import { readJsonFile } from './writeJsonAtomic';

export type { LocalDeploymentInfo, LocalOnlineEndpointsOptions } from './endpointStore';

/**
 * One environment's online endpoints: state on disk, scoring servers as child processes,
 * served through the router (the endpoint host). Plays the shadow and log roles too.
 * This file holds the deployments' lifecycle; the traffic and shadow settings live in
 * ./endpointTrafficSettings.ts, the logs in ./localDeploymentLogs.ts, the state they share
 * in ./endpointStore.ts.
 */
export class LocalOnlineEndpoints implements OnlineEndpoints, ShadowTraffic, DeploymentLogSource {
  private readonly store: EndpointStore;

  constructor(private readonly options: LocalOnlineEndpointsOptions) {
    this.store = new EndpointStore(options);
  }

  /** Re-serves what the files describe: registers the endpoints and starts their deployments. */
  async start(): Promise<void> {
    const store = this.store;
    store.started = true;
    await mkdir(this.options.dir, { recursive: true });
    const files = (await readdir(this.options.dir)).filter((f) => f.endsWith('.json'));
    await Promise.all(
      files.map(async (file) => {
        const record = await readJsonFile(EndpointRecord, join(this.options.dir, file));
        if (!record || record.environment !== this.options.environment) return;
        try {
          store.serve(record);
        } catch (error) {
          this.options.logger?.error(`endpoint ${record.name} not restored`, { error: ensureError(error).message });
          return;
        }
        const alive = record.deployments.filter((d) => d.state !== 'failed');
        await Promise.all(alive.map((deployment) => launchDeployment(store, record, deployment, deployment.model, deployment.specPath)));
        await store.persist(record);
      }),
    );
  }

  async stop(): Promise<void> {
    const store = this.store;
    store.started = false;
    await Promise.all([...store.servers.values()].map((server) => server.process.stop()));
    store.servers.clear();
    for (const name of store.records.keys()) this.options.host.unregister(name, this.options.environment);
    store.records.clear();
  }

  async deploy(request: DeployRequest): Promise<LocalDeploymentInfo> {
    const store = this.store;
    store.requireStarted('deploy');
    validateName('endpoint', request.endpoint);
    validateName('deployment', request.deployment);
    return store.perEndpoint.run(request.endpoint, async () => {
      const owner = this.options.host.owner(request.endpoint);
      if (owner && owner !== this.options.environment) throw new EndpointConflictError(request.endpoint, owner, this.options.environment);
      const spec = await loadDeploymentSpec(request.specPath);
      const model = await this.options.getModel(request.model);
      if (!model) {
        throw new NotFoundError(
          'model',
          `${request.model.name}:${request.model.version}`,
          `register or import it in ${this.options.environment} first`,
        );
      }
      // Azure ML refuses the same deployment: only an MLflow model is served without a scoring script.
      const noCode = spec.scriptPath
        ? undefined
        : noCodeDeploymentProblem(spec.specPath, `model ${model.name}:${model.version}`, model.format ?? 'custom_model');
      if (noCode) throw new BadRequestError(noCode, 'code_configuration');
      let record = store.records.get(request.endpoint);
      if (!record) {
        record = {
          name: request.endpoint,
          environment: this.options.environment,
          createdAt: new Date().toISOString(),
          traffic: {},
          mirrorTraffic: {},
          deployments: [],
        };
        store.serve(record);
      }
      const existing = record.deployments.find((d) => d.name === request.deployment);
      const running = store.server(record.name, request.deployment);
      const sameModel = existing && existing.model.name === request.model.name && existing.model.version === request.model.version;
      // The same model and the same spec, unchanged (a retried or replayed stage): nothing to do.
      // An edited spec (a new sampling_rate or timeout) launches again, as Azure ML's update does.
      const sameSpec = existing?.specPath === spec.specPath && running?.specDigest === spec.digest;
      if (existing && sameModel && existing.state === 'succeeded' && sameSpec) {
        return store.deploymentInfo(record.name, existing);
      }
      const deployment: DeploymentRecord = existing ?? {
        name: request.deployment,
        model: request.model,
        specPath: spec.specPath,
        tags: { ...request.tags },
        state: 'creating',
        createdAt: new Date().toISOString(),
      };
      if (!existing) record.deployments.push(deployment);
      await store.persist(record);
      await launchDeployment(store, record, deployment, request.model, spec.specPath, request.tags);
      await store.persist(record);
      return store.deploymentInfo(record.name, deployment);
    });
  }

  async deleteDeployment(endpoint: string, deployment: string): Promise<void> {
    const store = this.store;
    store.requireStarted('deleteDeployment');
    return store.perEndpoint.run(endpoint, async () => {
      const record = store.require(endpoint);
      if (!record.deployments.some((d) => d.name === deployment)) {
        throw new NotFoundError('deployment', `${endpoint}/${deployment}`);
      }
      const live = record.traffic[deployment] ?? 0;
      const mirrored = record.mirrorTraffic[deployment] ?? 0;
      if (live > 0 || mirrored > 0) {
        throw new BadRequestError(
          `deployment '${deployment}' of endpoint '${endpoint}' still receives ${live > 0 ? `${live}% of live` : `${mirrored}% of mirror`} traffic; ` +
            'move its traffic to another deployment first',
          'deployment',
        );
      }
      await store.server(endpoint, deployment)?.process.stop();
      store.servers.delete(serverKey(endpoint, deployment));
      record.deployments = record.deployments.filter((d) => d.name !== deployment);
      delete record.traffic[deployment];
      delete record.mirrorTraffic[deployment];
      await store.persist(record);
    });
  }

  async getEndpoint(name: string): Promise<EndpointInfo | undefined> {
    const record = this.store.records.get(name);
    return record && this.store.info(record);
  }

  async listEndpoints(): Promise<EndpointInfo[]> {
    return [...this.store.records.values()].sort((a, b) => a.name.localeCompare(b.name)).map((r) => this.store.info(r));
  }

  setTraffic(endpoint: string, traffic: Record<string, number>): Promise<EndpointInfo> {
    return setTraffic(this.store, endpoint, traffic);
  }

  setMirrorTraffic(endpoint: string, mirrorTraffic: Record<string, number>): Promise<EndpointInfo> {
    return setMirrorTraffic(this.store, endpoint, mirrorTraffic);
  }

  setShadow(endpoint: string, target: { endpoint: string; deployment: string }, percent: number, options?: ShadowOptions): Promise<void> {
    return setShadow(this.store, endpoint, target, percent, options);
  }

  shadowReport(endpoint: string): Promise<ShadowReport> {
    return shadowReport(this.store, endpoint);
  }

  deploymentLogs(endpoint: string, deployment: string, options?: DeploymentLogsOptions): Promise<DeploymentLogs> {
    return localDeploymentLogs(this.store, endpoint, deployment, options);
  }

  /** The endpoint, or NotFoundError (for calls that go to the router, which knows every environment's endpoints). */
  requireEndpoint(name: string): EndpointInfo {
    return this.store.requireEndpoint(name);
  }

  /** Changes wait for start(), so saved endpoints are restored before they change. */
  requireStarted(operation: string): void {
    this.store.requireStarted(operation);
  }
}
