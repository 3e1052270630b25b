import type { EnvironmentName } from '../../../shared/config/schema';
import type {
  EndpointScoring,
  InvokeResult,
  LoadRequest,
  ScoreRequest,
  SyntheticLoad,
  TrafficSignals,
  TrafficWindow,
} from '../../../shared/ports';
import { checkLoadDeployments, toLoadSettings } from '../../load/loadSettings';
import type { LoadStatus } from '../../load/syntheticLoad';
import type { LocalEndpointHost } from '../inference/endpointHost';
import type { LocalOnlineEndpoints } from './onlineEndpoints';

/**
 * What goes through the router to one environment's endpoints: requests, their traffic
 * facts and synthetic load. The router serves every environment, so each call first checks
 * the endpoint is this environment's; loads are kept under `<environment>/<id>`.
 */
export class LocalEndpointScoring implements EndpointScoring, TrafficSignals, SyntheticLoad {
  constructor(
    private readonly environment: EnvironmentName,
    private readonly host: LocalEndpointHost,
    private readonly endpoints: LocalOnlineEndpoints,
  ) {}

  /** One request through the router (measured like live traffic); HTTP failures are results, not throws. */
  async invokeEndpoint(
    endpoint: string,
    request: ScoreRequest,
    options: { deployment?: string; synthetic?: boolean } = {},
  ): Promise<InvokeResult> {
    this.endpoints.requireEndpoint(endpoint);
    return this.host.invoke(endpoint, request, options);
  }

  /** See LocalEndpointHost.trafficSince: pass the returned `until` as the next `since`. */
  async trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow> {
    this.endpoints.requireEndpoint(endpoint);
    return this.host.trafficSince(endpoint, since, slowThresholdsMs);
  }

  /** Starts synthetic load on one of this environment's endpoints, or updates the load with that id. */
  async ensureLoad(request: LoadRequest): Promise<void> {
    this.endpoints.requireStarted('ensureLoad');
    const settings = toLoadSettings(request);
    const endpoint = this.endpoints.requireEndpoint(settings.endpoint);
    checkLoadDeployments(
      settings,
      endpoint.name,
      endpoint.deployments.map((d) => d.name),
    );
    this.host.ensureLoad(this.loadKey(settings.id), settings);
  }

  async stopLoad(id: string): Promise<void> {
    this.host.stopLoad(this.loadKey(id));
  }

  /** Counters of a load (local only): sent, answers per deployment, errors, skipped ticks. */
  loadStatus(id: string): LoadStatus | undefined {
    return this.host.loadStatus(this.loadKey(id));
  }

  /** Stops every load of this environment (the workspace stops). */
  stopAll(): void {
    this.host.stopLoads(this.loadKey(''));
  }

  private loadKey(id: string): string {
    return `${this.environment}/${id}`;
  }
}
