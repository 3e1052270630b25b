import type { EnvironmentName } from '../../../shared/config/schema';
import type { ModelRef } from '../../../shared/ports';

/** Where an endpoint's live requests are also copied, to compare another deployment's answers. */
export interface ShadowRouting {
  endpoint: string;
  deployment: string;
  /** Share of live requests copied, 0..100. */
  percent: number;
  /** Numeric predictions within this agree (a regressor's); others must be equal. */
  tolerance?: number | undefined;
}

/** What the router needs to know about an endpoint; the router holds the latest one pushed to it. */
export interface EndpointRouting {
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
  /**
   * `model`: the version the deployment serves, stamped on collected inference records.
   * `collectionSamplingRate`: the share of its live requests collected (collectedShare() of its spec's `data_collector`, 0 when it turns every collection off); absent: all.
   */
  deployments: Record<string, { url: string | undefined; requestTimeoutMs: number; model?: ModelRef; collectionSamplingRate?: number }>;
  shadow?: ShadowRouting | undefined;
}

/** An endpoint a workspace serves through the host; the host pushes `routing()` to the router whenever the workspace says it changed. */
export interface RoutedEndpoint {
  readonly name: string;
  readonly environment: EnvironmentName;
  routing(): EndpointRouting;
}

/** An endpoint as the router holds it: a copy of its routing, as last pushed. */
export interface RoutingEntry {
  name: string;
  environment: EnvironmentName;
  routing: EndpointRouting;
}
