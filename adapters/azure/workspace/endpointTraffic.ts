import type { MetricsClient, MetricsQueryResult } from '@azure/monitor-query-metrics';
import type { DeploymentTraffic, TrafficWindow } from '../../../shared/ports';
import { AutopilotError, ensureError } from '../../../shared/errors';

export const ONLINE_ENDPOINT_NAMESPACE = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints';
const REQUESTS = 'RequestsPerMinute';
const P50 = 'RequestLatency_P50';
const P99 = 'RequestLatency_P99';
const MINUTE = 60_000;

/** What the canary analysis reads and with which aggregation (`autopilot doctor` checks Azure Monitor still offers each). */
const AVERAGE = 'Average';
export const CANARY_METRICS = [
  { metric: REQUESTS, aggregation: AVERAGE },
  { metric: P50, aggregation: AVERAGE },
  { metric: P99, aggregation: AVERAGE },
] as const;

/**
 * Per-deployment traffic of an online endpoint from Azure Monitor, minute grain, over
 * (since, until] where `until` is the end of the last minute Monitor has surely published:
 * complete (a running minute would be counted again, with more requests, by the next call)
 * and at least `publicationDelayMs` old (a minute read before it is published would be read
 * empty, and the next window starts after it: its requests would never be counted).
 */
export async function endpointTraffic(
  metrics: MetricsClient,
  endpointId: string,
  since: string,
  slowThresholdsMs: number[],
  now: Date,
  publicationDelayMs = 60_000,
): Promise<TrafficWindow> {
  const sinceMs = Date.parse(since);
  if (Number.isNaN(sinceMs)) throw new AutopilotError(`trafficSince: '${since}' is not an ISO time`);
  const until = new Date(Math.floor((now.getTime() - publicationDelayMs) / MINUTE) * MINUTE);
  if (until.getTime() <= sinceMs) return { since, until: since, byDeployment: {} };
  const window = { startTime: new Date(sinceMs), endTime: until, interval: 'PT1M' };
  // Two queries: latency metrics have no statusCodeClass dimension, and the service
  // refuses a filter naming a dimension one of the metrics lacks. RequestsPerMinute answers
  // the Average aggregation only (supported-metrics list for onlineEndpoints): one sample per
  // minute and dimension combination, so split by every dimension, where the average of one
  // sample is its count, and add them up here (unsplit, Average would be a mean of samples).
  const [requests, latency] = await Promise.all([
    query(metrics, endpointId, [REQUESTS], {
      ...window,
      aggregation: AVERAGE,
      filter: "deployment eq '*' and statusCodeClass eq '*' and statusCode eq '*' and modelStatusCode eq '*'",
    }),
    query(metrics, endpointId, [P50, P99], { ...window, aggregation: AVERAGE, filter: "deployment eq '*'" }),
  ]);
  const byDeployment: Record<string, DeploymentTraffic> = {};
  const entry = (d: string) => (byDeployment[d] ??= { requests: 0, errors: 0, slowerThan: [], predictions: {}, synthetic: 0 });
  for (const series of requests.getMetricByName(REQUESTS)?.timeseries ?? []) {
    const deployment = dimension(series, 'deployment');
    if (!deployment) continue;
    const total = (series.data ?? []).reduce((sum, point) => sum + (point.average ?? 0), 0);
    entry(deployment).requests += total;
    if (dimension(series, 'statusCodeClass') === '5xx') entry(deployment).errors += total;
  }
  for (const [metric, field] of [
    [P50, 'latencyP50Ms'],
    [P99, 'latencyP99Ms'],
  ] as const) {
    for (const series of latency.getMetricByName(metric)?.timeseries ?? []) {
      const deployment = dimension(series, 'deployment');
      const values = (series.data ?? []).map((p) => p.average).filter((v): v is number => typeof v === 'number');
      if (deployment && values.length) entry(deployment)[field] = Math.max(...values);
    }
  }
  for (const traffic of Object.values(byDeployment)) traffic.slowerThan = slowThresholdsMs.map((t) => estimateSlowerThan(traffic, t));
  return { since, until: until.toISOString(), byDeployment };
}

/**
 * APPROXIMATION: Monitor gives percentiles, not a latency histogram, so the count of requests
 * slower than a threshold is estimated. Only a threshold outside [p50, p99] gives a usable
 * figure: below p50 at least half were slower (counted as half); above p99 at most 1% were
 * (counted as none). Inside the range we interpolate linearly between 50% and 1%, which is
 * rough; canary thresholds should be chosen outside it. The window's percentile is the worst
 * minute's, so a single slow minute is not averaged away.
 */
export function estimateSlowerThan(
  traffic: Pick<DeploymentTraffic, 'requests' | 'latencyP50Ms' | 'latencyP99Ms'>,
  thresholdMs: number,
): number {
  const { requests, latencyP50Ms: p50, latencyP99Ms: p99 } = traffic;
  if (!requests || p50 === undefined || p99 === undefined) return 0;
  if (thresholdMs < p50) return Math.round(requests * 0.5);
  if (thresholdMs >= p99) return 0;
  const share = p99 === p50 ? 0.01 : 0.5 - ((thresholdMs - p50) / (p99 - p50)) * 0.49;
  return Math.round(requests * share);
}

async function query(
  metrics: MetricsClient,
  id: string,
  names: string[],
  options: Parameters<MetricsClient['queryResources']>[3],
): Promise<MetricsQueryResult> {
  try {
    const [result] = await metrics.queryResources([id], names, ONLINE_ENDPOINT_NAMESPACE, options);
    if (!result) throw new Error('the response held no result for the endpoint');
    const failed = result.metrics.find((m) => m.errorCode && m.errorCode !== 'Success');
    if (failed) throw new Error(`${failed.name}: ${failed.errorCode} ${failed.errorMessage ?? ''}`);
    return result;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    throw new AutopilotError(
      `Azure Monitor metrics query ${names.join(', ')} on ${id} failed${status ? ` (HTTP ${status})` : ''}: ${ensureError(error).message}. ` +
        'Check that the identity has Monitoring Reader on the workspace',
      { retryable: status === undefined || status >= 500 || status === 429, cause: error },
    );
  }
}

function dimension(series: { metadatavalues?: { name?: string; value?: string }[] }, name: string): string | undefined {
  return series.metadatavalues?.find((m) => m.name?.toLowerCase() === name.toLowerCase())?.value;
}
