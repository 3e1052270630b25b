import type { EnvironmentName } from '../../../shared/config/schema';
import type { ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';
import type { ShadowReport, TrafficWindow } from '../../../shared/ports';
import type { DeploymentMetrics } from './deploymentMetrics';
import type { RoutingEntry } from './endpointRouting';
import type { CollectionCounters } from './inferenceCollector';

export type CollectionStats = { total: CollectionCounters; byEndpoint: Record<string, Omit<CollectionCounters, 'buffered'>> };

/**
 * What the host asks of the router, wherever it runs (its own process, or the host's for tests
 * with injected clocks). Every call resolves once the router has done it: a routing change
 * pushed with `setEndpoint` applies to every request the router reads after the call resolves.
 */
export interface RouterControl {
  /** Starts serving; resolves with the port it listens on. */
  start(): Promise<number>;
  /** Stops serving, then writes the inference data still buffered. */
  stop(): Promise<void>;
  setEndpoint(entry: RoutingEntry): Promise<void>;
  removeEndpoint(name: string): Promise<void>;
  /** Starts a new tally for the endpoint's shadow. */
  resetShadow(endpoint: string): Promise<void>;
  metrics(endpoint: string): Promise<Record<string, DeploymentMetrics>>;
  trafficSince(endpoint: string, since: string, slowThresholdsMs: readonly number[]): Promise<TrafficWindow>;
  shadowReport(endpoint: string): Promise<ShadowReport>;
  collectionStats(): Promise<CollectionStats | undefined>;
  flushCollected(): Promise<void>;
}

/** Where the router hands answered live requests for inference collection: an InferenceCollector, or the relay to one in another process. */
export interface CollectionSink {
  collects(environment: EnvironmentName): boolean;
  collect(exchange: ScoredExchange): void;
  stats?(): CollectionStats;
  /** Writes (or hands on) what it holds, waiting at most its stop timeout. */
  flushWithin(): Promise<void>;
  stop(): Promise<void>;
}
