import { MetricsClient } from '@azure/monitor-query-metrics';
import type {
  InvokeResult,
  JobOutputSource,
  LoadRequest,
  ModelRegistry,
  ModelSource,
  OnlineEndpoints,
  ScoreRequest,
  ScoreResponse,
  TrafficWindow,
} from '../../../shared/ports';
import { AutopilotError, StillProvisioningError } from '../../../shared/errors';
import { armCall, mapArmError } from './mapArmError';
import { invokeScoring } from './invokeScoring';
import { endpointTraffic } from './endpointTraffic';
import { scoreDeployment, servingDeployment, type ScoringTarget } from './scoringTargets';
import { ensureEvaluationDeployment, evaluationTarget } from './evaluationDeployment';
import { AzureLoads } from './azureLoads';
import { checkLoadDeployments, toLoadSettings } from '../../load/loadSettings';
import { armName, type ArmWorkspaceClient } from './armWorkspaceClient';
import { trustAgent } from '../armMlClient';
import type { AzureMlWorkspaceOptions } from './azureMlWorkspaceOptions';

export type AzureScoringOptions = Pick<AzureMlWorkspaceOptions, 'credential' | 'location' | 'metricsEndpoint' | 'metricsDelaySeconds'>;

/** Scoring through online endpoints of one workspace: requests, batch scoring for evaluation, traffic metrics, synthetic loads. */
export class AzureScoring {
  /** Endpoint keys by endpoint name: listKeys is an ARM call, scoring is hot. Dropped on a 401 (rotated key). */
  private readonly keys = new Map<string, Promise<{ scoringUri: string; key: string }>>();
  private readonly scoringTargets = new Map<string, ScoringTarget>();
  private metricsClient?: MetricsClient;
  // The load's schedule follows the adapter's clock (`now`), so tests can step it instead of timing a window.
  private readonly loads = new AzureLoads(
    (endpoint, request, options) => this.invokeEndpoint(endpoint, request, options),
    () => this.arm.now().getTime(),
  );

  /** @param workspace the endpoints and registry evaluation deployments are registered, deployed, found and deleted through. */
  constructor(
    private readonly arm: ArmWorkspaceClient,
    private readonly workspace: { endpoints: OnlineEndpoints; models: Pick<ModelRegistry, 'registerModel'> },
    private readonly options: AzureScoringOptions,
  ) {}

  async invokeEndpoint(
    endpoint: string,
    request: ScoreRequest,
    options: { deployment?: string; synthetic?: boolean } = {},
  ): Promise<InvokeResult> {
    const { scoringUri, key } = await this.endpointKey(endpoint);
    const result = await invokeScoring(scoringUri, key, request, { ...options, agent: this.arm.agent });
    // A 401 most likely means the key was regenerated: the next call lists keys again.
    if (result.status === 401) this.keys.delete(endpoint);
    return result;
  }

  /**
   * Azure has no endpoint-less scoring: a registered model is scored by the online deployment
   * serving it; a job's output by an evaluation deployment (see evaluationDeployment.ts).
   * The gate scores in 5,000-row batches, so the deployment found is remembered per source
   * (finding it costs ARM calls) and looked up again only after a scoring error.
   */
  async scoreBatch(source: ModelSource, specPath: string, request: ScoreRequest): Promise<ScoreResponse> {
    const key = JSON.stringify(source);
    let target = this.scoringTargets.get(key);
    if (!target) {
      target =
        'job' in source ? await this.evaluationDeployment(source, specPath) : await servingDeployment(this.workspace.endpoints, source);
      this.scoringTargets.set(key, target);
    }
    try {
      return await scoreDeployment(this, target.endpoint, target.deployment, target.label, request);
    } catch (error) {
      this.scoringTargets.delete(key);
      throw error;
    }
  }

  private async evaluationDeployment(source: JobOutputSource, specPath: string): Promise<ScoringTarget> {
    const target = evaluationTarget(this.arm.workspacePath, source.job);
    const info = await ensureEvaluationDeployment(this.workspace, target, source, specPath, { now: this.arm.now() });
    const label = `the output '${source.output}' of job '${source.job}'`;
    if (info.state === 'creating') throw new StillProvisioningError(`evaluation deployment ${target.endpoint}/${target.deployment}`);
    if (info.state !== 'succeeded') {
      throw new AutopilotError(
        `the evaluation deployment ${target.endpoint}/${target.deployment} of ${label} failed: ${info.error ?? 'see the deployment logs in Azure ML studio'}`,
      );
    }
    return { ...target, label };
  }

  /** Removes the evaluation deployment of a job output once the gate has its scores (it bills per hour). */
  async finishedScoring(source: ModelSource): Promise<void> {
    this.scoringTargets.delete(JSON.stringify(source));
    if (!('job' in source)) return;
    const target = evaluationTarget(this.arm.workspacePath, source.job);
    const endpoint = await this.workspace.endpoints.getEndpoint(target.endpoint);
    if (endpoint?.deployments.some((d) => d.name === target.deployment))
      await this.workspace.endpoints.deleteDeployment(target.endpoint, target.deployment);
  }

  async trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow> {
    this.metricsClient ??= this.createMetricsClient();
    const id = `${this.arm.workspacePath}/onlineEndpoints/${armName('endpoint', endpoint)}`;
    return endpointTraffic(
      this.metricsClient,
      id,
      since,
      slowThresholdsMs,
      this.arm.now(),
      (this.options.metricsDelaySeconds ?? 60) * 1000,
    );
  }

  /** Starts or updates a synthetic load against the endpoint's scoring URI (rate and in-flight bounded). */
  async ensureLoad(request: LoadRequest): Promise<void> {
    toLoadSettings(request); // a malformed request is refused before any ARM call
    const info = await this.workspace.endpoints.getEndpoint(request.endpoint);
    if (!info) throw mapArmError({ statusCode: 404 }, 'endpoint', request.endpoint);
    checkLoadDeployments(
      request,
      request.endpoint,
      info.deployments.map((d) => d.name),
    );
    this.loads.ensure(request);
  }

  async stopLoad(id: string): Promise<void> {
    this.loads.stop(id);
  }

  /** Counters of a load: sent, answers per deployment, errors, skipped ticks. */
  loadStatus(id: string) {
    return this.loads.status(id);
  }

  /** Stops every synthetic load of this workspace (on shutdown). */
  stopAll(): void {
    this.loads.stopAll();
  }

  private endpointKey(endpoint: string): Promise<{ scoringUri: string; key: string }> {
    let entry = this.keys.get(endpoint);
    if (!entry) {
      entry = (async () => {
        const raw = await this.arm.rawEndpointJson(endpoint);
        if (!raw) throw mapArmError({ statusCode: 404 }, 'endpoint', endpoint);
        if (!raw.properties.scoringUri)
          throw new AutopilotError(`endpoint '${endpoint}' has no scoring URI yet; wait until it is provisioned`, { retryable: true });
        const keys = await armCall(
          () => this.arm.client.onlineEndpoints.listKeys(this.arm.rg, this.arm.ws, endpoint),
          'endpoint',
          endpoint,
        );
        if (!keys.primaryKey) throw new AutopilotError(`endpoint '${endpoint}' returned no key; is its authMode 'Key'?`);
        return { scoringUri: raw.properties.scoringUri, key: keys.primaryKey };
      })();
      this.keys.set(endpoint, entry);
      entry.catch(() => this.keys.delete(endpoint));
    }
    return entry;
  }

  private createMetricsClient(): MetricsClient {
    const client = new MetricsClient(
      this.options.metricsEndpoint ?? `https://${this.options.location}.metrics.monitor.azure.com`,
      this.options.credential,
    );
    const agent = this.arm.agent;
    if (agent) trustAgent(client.pipeline, agent);
    return client;
  }
}
