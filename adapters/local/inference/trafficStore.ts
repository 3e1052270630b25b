import { BadRequestError } from '../../../shared/errors';
import type { TrafficWindow } from '../../../shared/ports';
import { aggregateTraffic, isErrorStatus, nearestRank } from './aggregateTraffic';
import { LATENCY_WINDOW, DeploymentCounters, type DeploymentMetrics } from './deploymentMetrics';
import { ObservationRing, OBSERVATIONS_PER_DEPLOYMENT, type Observation } from './observationRing';

interface DeploymentTally {
  ring: ObservationRing;
  counters: DeploymentCounters;
}

export interface TrafficStoreOptions {
  /** Wall clock in ms. @default Date.now */
  now?: () => number;
  /** Observations kept per deployment. @default OBSERVATIONS_PER_DEPLOYMENT (100,000) */
  capacity?: number;
}

/** Refuses a window query the store cannot answer (checked by the host too, for a typed error across the process boundary); returns `since` in ms. */
export function checkTrafficQuery(since: string, slowThresholdsMs: readonly number[]): number {
  const sinceMs = Date.parse(since);
  if (Number.isNaN(sinceMs)) throw new BadRequestError(`since must be an ISO time, got ${JSON.stringify(since)}`, 'since');
  const bad = slowThresholdsMs.find((t) => !Number.isFinite(t) || t < 0);
  if (bad !== undefined) throw new BadRequestError(`slow thresholds must be milliseconds >= 0, got ${bad}`, 'slowThresholdsMs');
  return sinceMs;
}

/** What one deployment served in a window, raw, with the window's end. */
export interface ObservedWindow {
  /** The newest observation included (ms), or `since` when none. */
  until: number;
  byDeployment: Record<string, Observation[]>;
}

/**
 * Every request the router answered, per endpoint and deployment, for canary analysis
 * (`window`) and dashboards (`metrics`).
 *
 * Paging without gaps or double counting: `at` has 1-ms resolution and never goes back
 * (a wall clock stepped back is held at the last time issued), and a window stops short of
 * the current millisecond, so every observation recorded later has `at` greater than the
 * window's `until`. Callers pass `until` back as `since` and see each observation once.
 */
export class TrafficStore {
  private readonly endpoints = new Map<string, Map<string, DeploymentTally>>();
  private readonly now: () => number;
  private lastIssued = 0;

  constructor(private readonly options: TrafficStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  record(endpoint: string, deployment: string, observation: Omit<Observation, 'at'>): void {
    const traffic = this.deployment(endpoint, deployment);
    traffic.ring.push(this.tick(), observation);
    const { counters } = traffic;
    counters.requests++;
    if (isErrorStatus(observation.status) || observation.malformed) counters.errors++;
    if (observation.mirrored) counters.mirrored++;
    counters.statuses[observation.status] = (counters.statuses[observation.status] ?? 0) + 1;
  }

  /** Observations of an endpoint strictly after `since` (ms), mirrored copies left out. */
  window(endpoint: string, since: number): ObservedWindow {
    const before = this.tick();
    let until = since;
    const byDeployment: Record<string, Observation[]> = {};
    for (const [deployment, { ring }] of this.endpoints.get(endpoint) ?? []) {
      const observations = ring.between(since, before);
      const last = observations.at(-1);
      if (last && last.at > until) until = last.at;
      byDeployment[deployment] = observations.filter((o) => !o.mirrored);
    }
    return { until, byDeployment };
  }

  /**
   * The window after `since` (ISO) aggregated per deployment, `until` as ISO; deployments
   * in `current` appear with zero counts when they served nothing.
   */
  trafficSince(endpoint: string, since: string, slowThresholdsMs: readonly number[], current: readonly string[] = []): TrafficWindow {
    const sinceMs = checkTrafficQuery(since, slowThresholdsMs);
    const window = this.window(endpoint, sinceMs);
    const byDeployment: TrafficWindow['byDeployment'] = {};
    for (const name of new Set([...current, ...Object.keys(window.byDeployment)])) {
      byDeployment[name] = aggregateTraffic(window.byDeployment[name] ?? [], slowThresholdsMs);
    }
    return { since, until: window.until === sinceMs ? since : new Date(window.until).toISOString(), byDeployment };
  }

  /** All-time counters per deployment, with latency percentiles over the latest LATENCY_WINDOW requests. */
  metrics(endpoint: string): Record<string, DeploymentMetrics> {
    const result: Record<string, DeploymentMetrics> = {};
    for (const [deployment, { ring, counters }] of this.endpoints.get(endpoint) ?? []) {
      const samples = Math.min(ring.size, LATENCY_WINDOW);
      const latencies = Array.from({ length: samples }, (_, i) => ring.newest(i).latencyMs).sort((a, b) => a - b);
      const latencyMs: DeploymentMetrics['latencyMs'] = { samples };
      if (samples > 0) {
        latencyMs.p50 = nearestRank(latencies, 0.5);
        latencyMs.p99 = nearestRank(latencies, 0.99);
      }
      const { requests, errors, mirrored, statuses } = counters;
      result[deployment] = { requests, errors, mirrored, statuses: { ...statuses }, latencyMs };
    }
    return result;
  }

  /** The current millisecond, never earlier than one already issued. */
  private tick(): number {
    this.lastIssued = Math.max(this.lastIssued, Math.floor(this.now()));
    return this.lastIssued;
  }

  private deployment(endpoint: string, deployment: string): DeploymentTally {
    let forEndpoint = this.endpoints.get(endpoint);
    if (!forEndpoint) this.endpoints.set(endpoint, (forEndpoint = new Map()));
    let traffic = forEndpoint.get(deployment);
    if (!traffic) {
      traffic = { ring: new ObservationRing(this.options.capacity ?? OBSERVATIONS_PER_DEPLOYMENT), counters: new DeploymentCounters() };
      forEndpoint.set(deployment, traffic);
    }
    return traffic;
  }
}
