import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnvironmentName } from '../../../shared/config/schema';
import { AutopilotError, BadRequestError, ensureError, NotFoundError } from '../../../shared/errors';
import type {
  ShadowOptions,
  DeploymentInfo,
  DeploymentLogSource,
  DeploymentLogs,
  DeploymentLogsOptions,
  DeployRequest,
  EndpointInfo,
  Logger,
  ModelRef,
  ModelVersion,
  OnlineEndpoints,
  ShadowReport,
  ShadowTraffic,
} from '../../../shared/ports';
import { resolveDeploymentLogsOptions } from '../../../shared/endpoints/deploymentLogs';
import type { EndpointRouting, LocalEndpointHost } from '../inference/endpointHost';
import { loadDeploymentSpec } from '../inference/loadDeploymentSpec';
import { noCodeDeploymentProblem } from '../../../shared/jobs/deploymentSpec';
import { ScoringProcess } from '../inference/scoringProcess';
import { armEndpointId, EndpointRecord, type DeploymentRecord } from './endpointRecord';
import { KeyedMutex } from './keyedMutex';
import { validateName } from './names';
import { validateMirrorTraffic, validateShadow, validateTraffic } from './validateTraffic';
import { EndpointConflictError } from './workspaceErrors';
import { readJsonFile, writeJsonAtomic } from './writeJsonAtomic';
import { readScoringLog } from './scoringLogFile';

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

interface Server {
  process: ScoringProcess;
  requestTimeoutMs: number;
}

/**
 * One environment's online endpoints: state on disk, scoring servers as child processes,
 * served through the router (the endpoint host). Plays the shadow and log roles too.
 */
export class LocalOnlineEndpoints implements OnlineEndpoints, ShadowTraffic, DeploymentLogSource {
  private readonly records = new Map<string, EndpointRecord>();
  private readonly servers = new Map<string, Server>();
  private readonly perEndpoint = new KeyedMutex();
  private started = false;

  constructor(private readonly options: LocalOnlineEndpointsOptions) {}

  /** Re-serves what the files describe: registers the endpoints and starts their deployments. */
  async start(): Promise<void> {
    this.started = true;
    await mkdir(this.options.dir, { recursive: true });
    const files = (await readdir(this.options.dir)).filter((f) => f.endsWith('.json'));
    await Promise.all(
      files.map(async (file) => {
        const record = await readJsonFile(EndpointRecord, join(this.options.dir, file));
        if (!record || record.environment !== this.options.environment) return;
        try {
          this.serve(record);
        } catch (error) {
          this.options.logger?.error(`endpoint ${record.name} not restored`, { error: ensureError(error).message });
          return;
        }
        const alive = record.deployments.filter((d) => d.state !== 'failed');
        await Promise.all(alive.map((deployment) => this.launch(record, deployment, deployment.model, deployment.specPath)));
        await this.persist(record);
      }),
    );
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.servers.values()].map((server) => server.process.stop()));
    this.servers.clear();
    for (const name of this.records.keys()) this.options.host.unregister(name, this.options.environment);
    this.records.clear();
  }

  async deploy(request: DeployRequest): Promise<LocalDeploymentInfo> {
    this.requireStarted('deploy');
    validateName('endpoint', request.endpoint);
    validateName('deployment', request.deployment);
    return this.perEndpoint.run(request.endpoint, async () => {
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
      let record = this.records.get(request.endpoint);
      if (!record) {
        record = {
          name: request.endpoint,
          environment: this.options.environment,
          createdAt: new Date().toISOString(),
          traffic: {},
          mirrorTraffic: {},
          deployments: [],
        };
        this.serve(record);
      }
      const existing = record.deployments.find((d) => d.name === request.deployment);
      const running = this.servers.get(key(record.name, request.deployment));
      const sameModel = existing && existing.model.name === request.model.name && existing.model.version === request.model.version;
      if (existing && sameModel && existing.state === 'succeeded' && existing.specPath === spec.specPath && running) {
        return this.deploymentInfo(record.name, existing);
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
      await this.persist(record);
      await this.launch(record, deployment, request.model, spec.specPath, request.tags);
      await this.persist(record);
      return this.deploymentInfo(record.name, deployment);
    });
  }

  async setTraffic(endpoint: string, traffic: Record<string, number>): Promise<EndpointInfo> {
    this.requireStarted('setTraffic');
    return this.perEndpoint.run(endpoint, async () => {
      const record = this.require(endpoint);
      validateTraffic(record, traffic);
      record.traffic = { ...traffic };
      await this.persist(record);
      return this.info(record);
    });
  }

  /** Shadow traffic (Azure ML `mirror_traffic`): copies of requests, answers discarded. */
  async setMirrorTraffic(endpoint: string, mirrorTraffic: Record<string, number>): Promise<EndpointInfo> {
    this.requireStarted('setMirrorTraffic');
    return this.perEndpoint.run(endpoint, async () => {
      const record = this.require(endpoint);
      validateMirrorTraffic(record, mirrorTraffic);
      record.mirrorTraffic = { ...mirrorTraffic };
      await this.persist(record);
      return this.info(record);
    });
  }

  /**
   * Copies `percent` of the endpoint's live requests to a deployment of any environment's
   * endpoint (0 removes the shadow). The setting is saved with the endpoint; its tally
   * of agreements starts afresh.
   */
  async setShadow(
    endpoint: string,
    target: { endpoint: string; deployment: string },
    percent: number,
    options: ShadowOptions = {},
  ): Promise<void> {
    this.requireStarted('setShadow');
    return this.perEndpoint.run(endpoint, async () => {
      const record = this.require(endpoint);
      const targetRouting = this.options.host.routingOf(target.endpoint);
      validateShadow(endpoint, target, percent, targetRouting && Object.keys(targetRouting.deployments));
      if (percent === 0) delete record.shadow;
      else
        record.shadow = {
          endpoint: target.endpoint,
          deployment: target.deployment,
          percent,
          setAt: new Date().toISOString(),
          ...(options.tolerance !== undefined && { tolerance: options.tolerance }),
        };
      await this.persist(record);
      await this.options.host.resetShadow(endpoint);
    });
  }

  async deleteDeployment(endpoint: string, deployment: string): Promise<void> {
    this.requireStarted('deleteDeployment');
    return this.perEndpoint.run(endpoint, async () => {
      const record = this.require(endpoint);
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
      await this.servers.get(key(endpoint, deployment))?.process.stop();
      this.servers.delete(key(endpoint, deployment));
      record.deployments = record.deployments.filter((d) => d.name !== deployment);
      delete record.traffic[deployment];
      delete record.mirrorTraffic[deployment];
      await this.persist(record);
    });
  }

  /** What the deployment's scoring server printed, from its log file (it survives restarts of the stack). */
  async deploymentLogs(endpoint: string, deployment: string, options: DeploymentLogsOptions = {}): Promise<DeploymentLogs> {
    const window = resolveDeploymentLogsOptions(options, new Date());
    // Validated before they become parts of the log file's path.
    validateName('endpoint', endpoint);
    validateName('deployment', deployment);
    const record = this.require(endpoint);
    if (!record.deployments.some((d) => d.name === deployment)) {
      throw new NotFoundError(
        'deployment',
        `${endpoint}/${deployment}`,
        `endpoint '${endpoint}' has ${record.deployments.map((d) => d.name).join(', ') || 'no deployments'}`,
      );
    }
    return { source: 'local scoring process', lines: await readScoringLog(join(this.options.dir, endpoint, `${deployment}.log`), window) };
  }

  async getEndpoint(name: string): Promise<EndpointInfo | undefined> {
    const record = this.records.get(name);
    return record && this.info(record);
  }

  async listEndpoints(): Promise<EndpointInfo[]> {
    return [...this.records.values()].sort((a, b) => a.name.localeCompare(b.name)).map((r) => this.info(r));
  }

  /** Counts since the shadow was last set (kept in memory: a restart of the host starts them afresh). */
  async shadowReport(endpoint: string): Promise<ShadowReport> {
    this.requireEndpoint(endpoint);
    return this.options.host.shadowReport(endpoint);
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

  /**
   * Starts a scoring server for `model` under `deployment`; on success it replaces the
   * running one (which is stopped after the switch, so requests never see a gap). On
   * failure the deployment is marked failed and a previous server, if any, keeps serving.
   */
  private async launch(
    record: EndpointRecord,
    deployment: DeploymentRecord,
    model: ModelRef,
    specPath: string,
    tags?: Record<string, string>,
  ): Promise<void> {
    const id = key(record.name, deployment.name);
    const previous = this.servers.get(id);
    const label = `deployment '${deployment.name}' of endpoint '${record.name}' (model ${model.name}:${model.version})`;
    let server: ScoringProcess | undefined;
    try {
      const version = await this.options.getModel(model);
      if (!version)
        throw new NotFoundError('model', `${model.name}:${model.version}`, `register or import it in ${this.options.environment} first`);
      const spec = await loadDeploymentSpec(specPath);
      await mkdir(join(this.options.dir, record.name), { recursive: true });
      server = new ScoringProcess(
        {
          label,
          scriptPath: spec.scriptPath,
          codeDir: spec.codeDir,
          modelDir: version.path,
          environmentVariables: spec.spec.environment_variables,
          liveness: spec.spec.liveness_probe,
          scoringTimeoutMs: spec.spec.request_settings.request_timeout_ms,
          logFile: join(this.options.dir, record.name, `${deployment.name}.log`),
        },
        {
          ...(this.options.logger ? { logger: this.options.logger } : {}),
          // A server that died or came back changes where requests go, before any save.
          onUrlChange: () =>
            void this.options.host
              .routingChanged(record.name)
              .catch((error: unknown) =>
                this.options.logger?.error(`the router was not told that ${label} changed`, { error: ensureError(error).message }),
              ),
        },
      );
      await server.start();
      this.servers.set(id, { process: server, requestTimeoutMs: spec.spec.request_settings.request_timeout_ms });
      Object.assign(deployment, { model, specPath, state: 'succeeded' as const });
      if (tags) deployment.tags = { ...tags };
      delete deployment.error;
      await previous?.process.stop();
    } catch (error) {
      await server?.stop();
      const message = ensureError(error).message;
      deployment.state = 'failed';
      deployment.error = previous
        ? `${message}\n(the previous model ${deployment.model.name}:${deployment.model.version} keeps serving)`
        : message;
      if (!previous) Object.assign(deployment, { model, specPath });
      this.options.logger?.error(`${label} failed`, { error: message });
    }
  }

  private serve(record: EndpointRecord): void {
    this.options.host.register({
      name: record.name,
      environment: this.options.environment,
      routing: () => this.routing(record.name),
    });
    this.records.set(record.name, record);
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
      const server = this.servers.get(key(name, deployment.name));
      deployments[deployment.name] = {
        url: server?.process.url,
        requestTimeoutMs: server?.requestTimeoutMs ?? 5000,
        model: deployment.model,
      };
    }
    return { traffic: record.traffic, mirrorTraffic: record.mirrorTraffic, deployments, shadow };
  }

  private require(endpoint: string): EndpointRecord {
    const record = this.records.get(endpoint);
    if (!record) throw new NotFoundError('endpoint', endpoint, `no such endpoint in ${this.options.environment}`);
    return record;
  }

  private info(record: EndpointRecord): EndpointInfo {
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

  private deploymentInfo(endpoint: string, deployment: DeploymentRecord): LocalDeploymentInfo {
    const server = this.servers.get(key(endpoint, deployment.name))?.process;
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

  /** Saves the endpoint, then tells the router: a change is in effect when the call that made it returns. */
  private async persist(record: EndpointRecord): Promise<void> {
    await writeJsonAtomic(join(this.options.dir, `${record.name}.json`), record);
    await this.options.host.routingChanged(record.name);
  }
}

function key(endpoint: string, deployment: string): string {
  return `${endpoint}/${deployment}`;
}
