import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { FakeScoring, type ScoringView } from './FakeScoring';
import { DeploymentBody, EndpointBody, EndpointPatchBody, EnvironmentVersionBody, JobBody, ModelVersionBody } from './armMlSchemas';
import { checkAgainstRestSpec, describeProblems } from './restSpec';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';
import { FakeDataAccess } from './dataAccess';
import { ArmHttpError, type ExtraRoute } from './extraRoute';

// In ./extraRoute.ts so route modules (./dataAccess.ts) use them without importing this fake (an import cycle).
export { ArmHttpError, type ExtraRoute } from './extraRoute';

export const STABLE_API_VERSION = '2022-10-01';
/** The newer api-version, spoken for online endpoints only (it has `mirrorTraffic`). */
export const MIRROR_API_VERSION = '2024-04-01';

/** `specOperation`: the REST spec operation that judged the body (restSpec.ts), when one matched. */
export interface RecordedCall {
  method: string;
  path: string;
  apiVersion: string | null;
  body?: unknown;
  status: number;
  receivedAt: number;
  specOperation?: string;
}
export type FaultStatus = 429 | 503 | 409;
export interface JobProgression {
  /** Jobs whose tags match end Failed. @default none */
  fail?: (tags: Record<string, string>) => boolean;
  /** Told when a job completes (e.g. to log its MLflow metrics). @default none */
  onCompleted?: (workspacePath: string, job: string) => void;
}
/** Workspace properties the fake answers on GET of the workspace itself. */
export interface FakeWorkspaceProperties {
  mlFlowTrackingUri?: string;
  [key: string]: unknown;
}
type Resource = Record<string, any>;
/** `readyAt`: the service finishes at that time whether or not anyone polls (deployments). */
interface Operation {
  pollsLeft: number;
  complete: () => void;
  kind: 'async' | 'location';
  resultPath?: string;
  readyAt?: number;
  done?: boolean;
}

const WS = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/(.+)$/;

/**
 * An in-memory fake of the ARM Machine Learning operations the azure workspace adapter uses,
 * served over HTTPS so the real SDK pipeline (bearer token, retry, LRO polling) runs unchanged.
 */
export class ArmMlFake {
  readonly calls: RecordedCall[] = [];
  private readonly resources = new Map<string, Resource>();
  private readonly operations = new Map<string, Operation>();
  private readonly faults: { pathSuffix: string; status: FaultStatus; remaining: number }[] = [];
  private readonly extraRoutes: ExtraRoute[] = [];
  /** How long a new deployment takes to provision, as Azure ML's take minutes. @default 0 (one poll) */
  deploymentProvisioningMs = 0;
  /** New deployments stay 'Creating' until finishProvisioning(): the test, not a timer, decides when Azure is done. @default false */
  holdProvisioning = false;
  /** Workspace path (lower case) -> what GET of that workspace answers in `properties`. */
  private readonly workspaces = new Map<string, FakeWorkspaceProperties>();
  /** Datastores and storage roles: a job whose input its identity cannot read fails when it runs. */
  readonly dataAccess = new FakeDataAccess();
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly scoring: FakeScoring,
  ) {
    this.extraRoutes.push(this.dataAccess.route);
  }

  static async start(tls: { key: string; cert: string }): Promise<ArmMlFake> {
    let fake: ArmMlFake | undefined;
    const server = createServer(tls, (req, res) => void fake!.handle(req, res));
    const port = await listenLocally(server);
    const scoring = await FakeScoring.start(tls, (endpoint) => fake?.scoringView(endpoint));
    fake = new ArmMlFake(server, `https://127.0.0.1:${port}`, scoring);
    return fake;
  }

  /** What the scoring server sees of an endpoint: its split and the model id of each deployment. */
  private scoringView(endpoint: string): ScoringView | undefined {
    const suffix = `/onlineendpoints/${endpoint.toLowerCase()}`;
    const key = [...this.resources.keys()].find((k) => k.endsWith(suffix));
    if (!key) return undefined;
    const models: Record<string, string> = {};
    const collecting: Record<string, string[]> = {};
    for (const [k, d] of this.resources) {
      if (k.startsWith(`${key}/deployments/`) && d.properties.provisioningState === 'Succeeded') {
        models[d.name] = String(d.properties.model).split('/models/')[1] ?? '';
        const collections = Object.entries(
          (d.properties.dataCollector?.collections ?? {}) as Record<string, { dataCollectionMode?: string }>,
        );
        collecting[d.name] = collections.filter(([, c]) => c.dataCollectionMode !== 'Disabled').map(([name]) => name);
      }
    }
    const resource = this.resources.get(key)!;
    return { id: resource.id, traffic: resource.properties.traffic ?? {}, models, collecting };
  }

  /** Serves an extra route, tried before the built-in ones (see ExtraRoute). */
  addRoute(route: ExtraRoute): void {
    this.extraRoutes.push(route);
  }

  /** The stored resource at an ARM id (a model version, a deployment), for routes added from other files. */
  resourceAt(id: string): Readonly<Resource> | undefined {
    return this.resources.get(id.toLowerCase());
  }

  /** The workspace path whose GET answers `workspaceId` (see fakeWorkspaceId), if set with setWorkspace. */
  workspacePathOf(workspaceId: string): string | undefined {
    return [...this.workspaces.keys()].find((path) => fakeWorkspaceId(path) === workspaceId.toLowerCase());
  }

  /** Makes GET of the workspace answer (404 otherwise, as for a workspace that does not exist). */
  setWorkspace(workspacePath: string, properties: FakeWorkspaceProperties = {}): void {
    this.workspaces.set(workspacePath.toLowerCase(), properties);
  }

  /** The next `times` calls whose path ends with `pathSuffix` answer `status`. */
  injectFault(pathSuffix: string, status: FaultStatus, times = 1): void {
    this.faults.push({ pathSuffix, status, remaining: times });
  }

  /**
   * Jobs move along by themselves, one status per GET (Queued -> Running -> Completed), as
   * on a compute that picks them up at once; a job whose tags match `fail` ends Failed.
   */
  progressJobs(options: JobProgression = {}): void {
    this.jobProgression = options;
  }
  private jobProgression?: JobProgression;

  /** Job key -> why it cannot read an input (it fails when it would start running). */
  private readonly unreadableJobs = new Map<string, string>();

  /** Moves a job along as the service would (Queued -> Running -> Completed...). */
  setJobStatus(workspacePath: string, name: string, status: string): void {
    const job = this.resources.get(`${workspacePath}/jobs/${name}`.toLowerCase());
    if (!job) throw new Error(`no job ${name}`);
    job.properties.status = status;
  }

  callsTo(method: string, pathSuffix: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.path.toLowerCase().endsWith(pathSuffix.toLowerCase()));
  }

  async stop(): Promise<void> {
    await this.scoring.stop();
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      apiVersion: url.searchParams.get('api-version'),
      body,
      status: 0,
      receivedAt: Date.now(),
    };
    this.calls.push(call);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'x-ms-request-id': randomUUID(), ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    try {
      if (!req.headers.authorization?.startsWith('Bearer ')) throw new ArmHttpError(401, 'AuthenticationFailed', 'missing bearer token');
      const fault = this.faults.find((f) => f.remaining > 0 && url.pathname.toLowerCase().endsWith(f.pathSuffix.toLowerCase()));
      if (fault) {
        fault.remaining--;
        const headers: Record<string, string> = fault.status === 429 ? { 'retry-after': '1' } : {};
        return send(
          fault.status,
          { error: { code: fault.status === 409 ? 'Conflict' : 'Transient', message: `injected ${fault.status}` } },
          headers,
        );
      }
      if (typeof body === 'string') throw new ArmHttpError(400, 'InvalidJson', 'request body is not JSON');
      this.refuseOffSpec(call, url.pathname, body);
      const [status, payload, headers] = this.route(call.method, url, body);
      send(status, payload, headers);
    } catch (error) {
      const e = error instanceof ArmHttpError ? error : new ArmHttpError(500, 'InternalError', String(error));
      send(e.status, { error: { code: e.code, message: e.message } });
    }
  }

  /**
   * Every body (core and extra routes alike) is judged first against the published REST spec of its
   * api-version; the zod schemas of the routes then add what the spec does not say (ARM id forms...).
   */
  private refuseOffSpec(call: RecordedCall, path: string, body: unknown): void {
    if (call.method === 'GET' || call.method === 'DELETE') return;
    const verdict = checkAgainstRestSpec(call.apiVersion, call.method, path, body);
    if (!verdict) return;
    call.specOperation = verdict.operationId;
    if (verdict.problems.length) {
      throw new ArmHttpError(
        400,
        'UserError',
        `invalid request body (REST spec ${verdict.operationId}, api-version ${call.apiVersion}): ${describeProblems(verdict.problems)}`,
      );
    }
  }

  private route(method: string, url: URL, body: unknown): [number, unknown?, Record<string, string>?] {
    const apiVersion = url.searchParams.get('api-version');
    this.finishDueOperations();
    if (url.pathname.startsWith('/fake/operations/')) return this.poll(url.pathname.split('/')[3]!);
    for (const extra of this.extraRoutes) {
      const answer = extra(method, url, body);
      if (answer) return answer;
    }
    const workspace = this.workspaces.get(url.pathname.toLowerCase());
    if (workspace && method === 'GET') {
      const name = url.pathname.split('/').pop()!;
      return [
        200,
        {
          id: url.pathname,
          name,
          type: 'Microsoft.MachineLearningServices/workspaces',
          location: 'westeurope',
          properties: { workspaceId: fakeWorkspaceId(url.pathname), ...workspace },
        },
      ];
    }
    const m = WS.exec(url.pathname);
    if (!m) throw new ArmHttpError(404, 'InvalidResourcePath', `no such path ${url.pathname}`);
    const isMirrorVersion = apiVersion === MIRROR_API_VERSION && /^onlineEndpoints\/[^/]+$/.test(m[4]!);
    // A deployment goes at the newer version only when it has what 2022-10-01 lacks (dataCollector).
    const isNewerDeployment = apiVersion === MIRROR_API_VERSION && /^onlineEndpoints\/[^/]+\/deployments\/[^/]+$/.test(m[4]!);
    if (apiVersion !== STABLE_API_VERSION && !isMirrorVersion && !isNewerDeployment) {
      throw new ArmHttpError(400, 'InvalidApiVersionParameter', `api-version '${apiVersion}' is not supported here`);
    }
    const parts = m[4]!.split('/');
    const key = url.pathname.toLowerCase();
    const id = url.pathname;
    const name = parts[parts.length - 1]!;
    const route = `${method} ${parts.map((p, i) => (i % 2 === 1 ? '*' : p)).join('/')}`;
    switch (route) {
      case 'PUT jobs/*': {
        const b = validate(JobBody, body);
        this.refuseUnknownEnvironment(b.properties.environmentId);
        const job = {
          id,
          name,
          type: 'Microsoft.MachineLearningServices/workspaces/jobs',
          properties: { ...b.properties, status: 'Queued' },
          systemData: { createdAt: new Date().toISOString() },
        };
        this.resources.set(key, job);
        const unreadable = this.dataAccess.unreadableInput(id.slice(0, id.indexOf('/jobs/')), b.properties);
        if (unreadable) this.unreadableJobs.set(key, unreadable);
        return [201, job];
      }
      case 'GET jobs/*': {
        const job = this.existing(key, name);
        if (this.jobProgression) {
          const unreadable = this.unreadableJobs.get(key);
          const failed = unreadable !== undefined || this.jobProgression.fail?.(job.properties.tags ?? {});
          const next: Record<string, string> = { Queued: 'Running', Running: failed ? 'Failed' : 'Completed' };
          const before = job.properties.status;
          job.properties.status = next[before] ?? before;
          if (before !== 'Completed' && job.properties.status === 'Completed')
            this.jobProgression.onCompleted?.(id.slice(0, id.indexOf('/jobs/')), name);
          if (job.properties.status === 'Failed') {
            job.properties.error = {
              code: 'UserError',
              message: unreadable ? `Data capability failed to mount ${unreadable}` : 'Execution failed: train.py exited with code 1',
            };
          }
        }
        return [200, job];
      }
      case 'PUT environments/*/versions/*': {
        const b = validate(EnvironmentVersionBody, body);
        // Environment versions are immutable, as model versions are.
        const existing = this.resources.get(key);
        if (existing && JSON.stringify(existing.properties) !== JSON.stringify(b.properties)) {
          throw new ArmHttpError(
            409,
            'Conflict',
            `environment version ${name} already exists with another definition; register a new version`,
          );
        }
        const environment = {
          id,
          name,
          type: 'Microsoft.MachineLearningServices/workspaces/environments/versions',
          properties: b.properties,
          systemData: { createdAt: new Date().toISOString() },
        };
        this.resources.set(key, environment);
        return [201, environment];
      }
      case 'GET environments/*/versions': {
        // $orderBy=createdtime desc and $top, as azure-ai-ml asks for `@latest`.
        const versions = [...this.resources.entries()]
          .filter(([k]) => k.startsWith(`${key}/`) && !k.slice(key.length + 1).includes('/'))
          .map(([, v]) => v);
        versions.push(...this.seededVersions(id));
        const order = url.searchParams.get('$orderBy');
        if (order && order !== 'createdtime desc')
          throw new ArmHttpError(400, 'BadArgument', `$orderBy '${order}' is not supported by the fake`);
        if (order) versions.sort((a, b) => String(b.systemData.createdAt).localeCompare(String(a.systemData.createdAt)));
        const top = url.searchParams.get('$top');
        return [200, { value: top ? versions.slice(0, Number(top)) : versions }];
      }
      case 'GET environments/*/versions/*':
      case 'GET models/*/versions/*':
      case 'GET onlineEndpoints/*':
      case 'GET onlineEndpoints/*/deployments/*':
        return [200, this.existing(key, name)];
      case 'POST jobs/*/cancel': {
        const job = this.existing(key.replace(/\/cancel$/, ''), parts[1]!);
        job.properties.status = 'CancelRequested';
        return this.locationOperation(undefined, () => (job.properties.status = 'Canceled'));
      }
      case 'PUT models/*/versions/*': {
        const b = validate(ModelVersionBody, body);
        // Versions are immutable in Azure ML: a PUT may only repeat what the version already points at.
        const existing = this.resources.get(key);
        if (existing && existing.properties.modelUri !== b.properties.modelUri) {
          throw new ArmHttpError(409, 'Conflict', `model version ${name} already exists with another asset; register a new version`);
        }
        const version = {
          id,
          name,
          type: 'Microsoft.MachineLearningServices/workspaces/models/versions',
          properties: b.properties,
          systemData: { createdAt: new Date().toISOString() },
        };
        this.resources.set(key, version);
        return [201, version];
      }
      case 'GET models/*/versions':
      case 'GET onlineEndpoints':
      case 'GET onlineEndpoints/*/deployments':
        return [
          200,
          {
            value: [...this.resources.entries()]
              .filter(([k]) => k.startsWith(`${key}/`) && !k.slice(key.length + 1).includes('/'))
              .map(([, v]) => v),
          },
        ];
      case 'GET models': {
        // Containers are implicit here: one per name that has a version.
        const versions = [...this.resources.entries()].filter(([k]) => k.startsWith(`${key}/`)).map(([, v]) => v);
        const containers = new Map(versions.map((v) => [String(v.id).split('/models/')[1]!.split('/')[0]!, v]));
        return [200, { value: [...containers.keys()].map((n) => ({ id: `${id}/${n}`, name: n, properties: {} })) }];
      }
      case 'PUT onlineEndpoints/*': {
        const b = validate(EndpointBody, body);
        const existing = this.resources.get(key);
        // 2022-10-01 has no mirrorTraffic: a PUT in it leaves the mirror as it was.
        const mirrorTraffic = isMirrorVersion
          ? this.validMirror(key, b.properties.mirrorTraffic ?? {}, b.properties.traffic ?? {})
          : (existing?.properties.mirrorTraffic ?? {});
        // A managed online endpoint gets a system-assigned identity unless told otherwise
        // (how-to-access-resources-from-endpoints-managed-identities); GET answers its read-only ids.
        const identity = {
          ...(b.identity ?? existing?.identity ?? { type: 'SystemAssigned' }),
          principalId: existing?.identity?.principalId ?? randomUUID(),
          tenantId: '72f988bf-0000-0000-0000-0000000000aa',
        };
        const endpoint = {
          ...b,
          id,
          name,
          identity,
          properties: {
            ...b.properties,
            mirrorTraffic,
            scoringUri: this.scoring.scoringUri(name),
            provisioningState: existing ? 'Updating' : 'Creating',
          },
        };
        this.resources.set(key, endpoint);
        return this.asyncOperation(existing ? 200 : 201, endpoint, () => (endpoint.properties.provisioningState = 'Succeeded'));
      }
      case 'POST onlineEndpoints/*/listKeys': {
        this.existing(key.replace(/\/listkeys$/, ''), parts[1]!);
        return [200, { primaryKey: this.scoring.keyFor(parts[1]!), secondaryKey: `${this.scoring.keyFor(parts[1]!)}-2` }];
      }
      case 'PATCH onlineEndpoints/*': {
        const endpoint = this.existing(key, name);
        const b = validate(EndpointPatchBody, body);
        if (b.tags) endpoint.tags = b.tags;
        return this.asyncOperation(202, undefined, () => undefined);
      }
      case 'PUT onlineEndpoints/*/deployments/*': {
        this.existing(key.slice(0, key.indexOf('/deployments/')), parts[1]!);
        const b = validate(DeploymentBody, body);
        this.refuseNoCodeCustomModel(b.properties.model, b.properties.codeConfiguration !== undefined);
        this.refuseUnknownEnvironment(b.properties.environmentId);
        const deployment = {
          ...b,
          id,
          name,
          properties: { ...b.properties, provisioningState: 'Creating' },
          systemData: { createdAt: new Date().toISOString() },
        };
        this.resources.set(key, deployment);
        return this.locationOperation(
          deployment,
          () => (deployment.properties.provisioningState = 'Succeeded'),
          id,
          this.holdProvisioning ? Number.POSITIVE_INFINITY : this.deploymentProvisioningMs || undefined,
        );
      }
      case 'DELETE onlineEndpoints/*/deployments/*': {
        const deployment = this.existing(key, name);
        const endpoint = this.resources.get(key.slice(0, key.indexOf('/deployments/')));
        if ((endpoint?.properties.traffic?.[name] ?? 0) > 0)
          throw new ArmHttpError(400, 'BadArgument', `deployment ${name} still takes traffic`);
        deployment.properties.provisioningState = 'Deleting';
        return this.locationOperation(undefined, () => {
          this.resources.delete(key);
          // The service drops a deleted deployment from the endpoint's split.
          if (endpoint?.properties.traffic) delete endpoint.properties.traffic[name];
        });
      }
      default:
        throw new ArmHttpError(405, 'UnsupportedOperation', `${route} is not implemented by the fake`);
    }
  }

  /**
   * Azure ML generates the scoring script and environment only for MLflow models ("no-code deployment",
   * MicrosoftDocs/azure-ai-docs how-to-deploy-mlflow-models-online-endpoints.md); any other model needs
   * codeConfiguration. A model the fake cannot see (a registry without registryRoutes) is not judged.
   */
  private refuseNoCodeCustomModel(modelId: string, hasCode: boolean): void {
    if (hasCode) return;
    const model = this.resources.get(modelId.toLowerCase()) ?? this.modelLookups.map((lookup) => lookup(modelId)).find(Boolean);
    const type = (model?.properties as { modelType?: string } | undefined)?.modelType ?? 'custom_model';
    if (model && type !== 'mlflow_model') {
      throw new ArmHttpError(
        400,
        'BadArgument',
        `model ${modelId} is a ${type}: only an mlflow_model can be deployed without codeConfiguration and environmentId`,
      );
    }
  }

  /** A workspace environment named by ARM id must exist (references in other forms are resolved by the service; not judged here). */
  private refuseUnknownEnvironment(environmentId: string | undefined): void {
    if (!environmentId?.startsWith('/subscriptions/') || !/\/environments\/[^/]+\/versions\/[^/]+$/i.test(environmentId)) return;
    const id = environmentId.toLowerCase();
    const seeded = this.seededVersions(environmentId.slice(0, environmentId.lastIndexOf('/'))).some(
      (v) => String(v.id).toLowerCase() === id,
    );
    if (!this.resources.has(id) && !seeded) throw new ArmHttpError(404, 'ResourceNotFound', `environment ${environmentId} not found`);
  }

  /** An online endpoint that already exists (a release deployed it), with no deployments and no traffic. */
  seedEndpoint(workspacePath: string, name: string): void {
    const id = `${workspacePath}/onlineEndpoints/${name}`;
    this.resources.set(id.toLowerCase(), {
      id,
      name,
      type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints',
      location: 'westeurope',
      properties: {
        authMode: 'Key',
        traffic: {},
        mirrorTraffic: {},
        scoringUri: this.scoring.scoringUri(name),
        provisioningState: 'Succeeded',
      },
    });
  }

  /**
   * Environment versions every workspace of the fake has, as `az ml environment create` leaves
   * them (an image): what specs referencing `azureml:<name>:<version>` or `@latest` need.
   */
  seedEnvironment(name: string, version: string): void {
    this.seeded.set(name.toLowerCase(), [...(this.seeded.get(name.toLowerCase()) ?? []), version]);
  }
  private readonly seeded = new Map<string, string[]>();

  private seededVersions(environmentsKey: string): Resource[] {
    const m = /^(.*\/workspaces\/[^/]+)\/environments\/([^/]+)\/versions$/i.exec(environmentsKey);
    if (!m) return [];
    return (this.seeded.get(m[2]!.toLowerCase()) ?? []).map((version, i) => ({
      id: `${m[1]}/environments/${m[2]}/versions/${version}`,
      name: version,
      type: 'Microsoft.MachineLearningServices/workspaces/environments/versions',
      properties: { image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04', osType: 'Linux' },
      systemData: { createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() },
    }));
  }

  /** Model versions held elsewhere (registries), by asset id, for the deployment checks. */
  readonly modelLookups: ((assetId: string) => Resource | undefined)[] = [];

  private existing(key: string, name: string): Resource {
    const found = this.resources.get(key);
    if (!found) throw new ArmHttpError(404, 'ResourceNotFound', `${name} not found`);
    return found;
  }

  /**
   * The service's rules for mirrored traffic: at most 50%, to one deployment of this endpoint,
   * which takes no live traffic.
   */
  private validMirror(endpointKey: string, mirror: Record<string, number>, live: Record<string, number>): Record<string, number> {
    const mirrored = Object.entries(mirror).filter(([, percent]) => percent > 0);
    if (mirrored.length > 1) throw new ArmHttpError(400, 'BadArgument', 'mirrorTraffic may name one deployment only');
    const total = Object.values(mirror).reduce((a, b) => a + b, 0);
    if (total > 50) throw new ArmHttpError(400, 'BadArgument', `mirrorTraffic sums to ${total}; at most 50 is allowed`);
    for (const [deployment] of mirrored) {
      if ((live[deployment] ?? 0) > 0)
        throw new ArmHttpError(400, 'BadArgument', `deployment ${deployment} cannot take both live and mirrored traffic`);
    }
    for (const deployment of Object.keys(mirror)) {
      if (!this.resources.has(`${endpointKey}/deployments/${deployment.toLowerCase()}`)) {
        throw new ArmHttpError(400, 'BadArgument', `mirrorTraffic names deployment ${deployment}, which this endpoint does not have`);
      }
    }
    return mirror;
  }

  private asyncOperation(status: number, payload: unknown, complete: () => void): [number, unknown, Record<string, string>] {
    const id = randomUUID();
    this.operations.set(id, { pollsLeft: 1, complete, kind: 'async' });
    return [status, payload, { 'azure-asyncoperation': `${this.url}/fake/operations/${id}?api-version=${STABLE_API_VERSION}` }];
  }

  private locationOperation(
    payload: unknown,
    complete: () => void,
    resultPath?: string,
    durationMs?: number,
  ): [number, unknown, Record<string, string>] {
    const id = randomUUID();
    this.operations.set(id, {
      pollsLeft: 1,
      complete,
      kind: 'location',
      resultPath,
      ...(durationMs ? { readyAt: Date.now() + durationMs } : {}),
    });
    return [202, payload, { location: `${this.url}/fake/operations/${id}?api-version=${STABLE_API_VERSION}`, 'retry-after': '0' }];
  }

  /** Held deployments finish on the next request to the fake, polled or not. */
  finishProvisioning(): void {
    for (const op of this.operations.values()) if (op.readyAt === Number.POSITIVE_INFINITY) op.readyAt = 0;
  }

  /** Timed operations end at their time, polled or not, as the service's do. */
  private finishDueOperations(): void {
    for (const op of this.operations.values()) {
      if (op.readyAt !== undefined && !op.done && Date.now() >= op.readyAt) {
        op.complete();
        op.done = true;
      }
    }
  }

  /** First poll: still running; second: done (the mutation lands then); timed ones: done at their time. */
  private poll(id: string): [number, unknown?, Record<string, string>?] {
    const op = this.operations.get(id);
    if (!op) throw new ArmHttpError(404, 'OperationNotFound', `operation ${id} not found`);
    const running = op.readyAt !== undefined ? !op.done : op.pollsLeft > 0;
    if (running) {
      op.pollsLeft--;
      return op.kind === 'async'
        ? [200, { id, status: 'InProgress' }]
        : [202, undefined, { location: `${this.url}/fake/operations/${id}?api-version=${STABLE_API_VERSION}`, 'retry-after': '0' }];
    }
    if (!op.done) op.complete();
    op.done = true;
    if (op.kind === 'async') return [200, { id, status: 'Succeeded' }];
    return op.resultPath ? [200, this.resources.get(op.resultPath.toLowerCase())] : [204];
  }
}

/** A stable GUID per workspace path, as the service's `properties.workspaceId`. */
export function fakeWorkspaceId(workspacePath: string): string {
  const hex = createHash('sha256').update(workspacePath.toLowerCase()).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new ArmHttpError(400, 'UserError', `invalid request body: ${detail}`);
  }
  return parsed.data;
}
