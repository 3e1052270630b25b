import { createServer, type Server } from 'node:https';
import { z } from 'zod';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';
import { ArmHttpError, type ArmMlFake, type ExtraRoute } from './ArmMlFake';

/** The metrics data-plane api-version that @azure/monitor-query-metrics 1.0 speaks. */
export const METRICS_API_VERSION = '2024-02-01';
export const ONLINE_ENDPOINT_NAMESPACE = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints';

/**
 * Azure ML online endpoint metrics as Azure Monitor documents them ("Supported metrics -
 * Microsoft.MachineLearningServices/workspaces/onlineEndpoints", MicrosoftDocs/azure-monitor-docs
 * articles/azure-monitor/reference/supported-metrics/): dimensions, the aggregations the
 * service answers, and PT1M as the only time grain.
 */
const METRICS: Record<string, { dimensions: string[]; aggregations: Aggregation[]; unit: string }> = {
  RequestsPerMinute: {
    dimensions: ['deployment', 'statusCode', 'statusCodeClass', 'modelStatusCode'],
    aggregations: ['average'],
    unit: 'Count',
  },
  RequestLatency: { dimensions: ['deployment'], aggregations: ['average'], unit: 'MilliSeconds' },
  RequestLatency_P50: { dimensions: ['deployment'], aggregations: ['average'], unit: 'MilliSeconds' },
  RequestLatency_P90: { dimensions: ['deployment'], aggregations: ['average'], unit: 'MilliSeconds' },
  RequestLatency_P95: { dimensions: ['deployment'], aggregations: ['average'], unit: 'MilliSeconds' },
  RequestLatency_P99: { dimensions: ['deployment'], aggregations: ['average'], unit: 'MilliSeconds' },
};
type Aggregation = 'average' | 'total' | 'minimum' | 'maximum' | 'count';
const AGGREGATIONS: readonly string[] = ['average', 'total', 'minimum', 'maximum', 'count'];

/**
 * One sample of a metric for one combination of its dimensions in one minute. The service
 * merges the samples of dimensions a query does not split by: `average` is then their mean,
 * not their sum (what a query for request counts must split its way around).
 */
export interface MetricPoint {
  timeStamp: string;
  dimensions: Record<string, string>;
  value: number;
}
export interface MetricsCall {
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

const BatchBody = z.strictObject({ resourceids: z.array(z.string().startsWith('/subscriptions/')).min(1).max(50) });

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A fake of the Azure Monitor metrics batch API (`POST /subscriptions/{id}/metrics:getBatch`). */
export class FakeMonitorMetrics {
  readonly calls: MetricsCall[] = [];
  private readonly points = new Map<string, MetricPoint[]>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(tls: { key: string; cert: string }): Promise<FakeMonitorMetrics> {
    let fake: FakeMonitorMetrics | undefined;
    const server = createServer(tls, (req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'https://fake');
        const call: MetricsCall = { path: url.pathname, query: Object.fromEntries(url.searchParams), body: undefined, status: 0 };
        fake!.calls.push(call);
        let status = 200;
        let payload: unknown;
        try {
          if (!req.headers.authorization?.startsWith('Bearer ')) throw new HttpError(401, 'AuthenticationFailed', 'missing bearer token');
          call.body = JSON.parse(raw || 'null');
          payload = fake!.query(req.method ?? 'GET', url, call.body);
        } catch (error) {
          const e = error instanceof HttpError ? error : new HttpError(400, 'BadRequest', String(error));
          status = e.status;
          payload = { error: { code: e.code, message: e.message } };
        }
        call.status = status;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      });
    });
    const port = await listenLocally(server);
    fake = new FakeMonitorMetrics(server, `https://127.0.0.1:${port}`);
    return fake;
  }

  /** Adds one-minute points of `metric` for the resource (as the service emits them). */
  addPoints(resourceId: string, metric: string, points: MetricPoint[]): void {
    const key = `${resourceId.toLowerCase()}|${metric}`;
    this.points.set(key, [...(this.points.get(key) ?? []), ...points]);
  }

  /**
   * Adds `count` to the one-minute sample of `metric` with these dimensions (created at 0), as
   * the service counts requests into minute buckets.
   */
  accumulate(resourceId: string, metric: string, minuteStart: string, dimensions: Record<string, string>, count: number): void {
    const key = `${resourceId.toLowerCase()}|${metric}`;
    const points = this.points.get(key) ?? [];
    const same = points.find((p) => p.timeStamp === minuteStart && JSON.stringify(p.dimensions) === JSON.stringify(dimensions));
    if (same) same.value += count;
    else points.push({ timeStamp: minuteStart, dimensions, value: count });
    this.points.set(key, points);
  }

  hasPoint(resourceId: string, metric: string, timeStamp: string, dimensions: Record<string, string>): boolean {
    return (this.points.get(`${resourceId.toLowerCase()}|${metric}`) ?? []).some(
      (p) => p.timeStamp === timeStamp && JSON.stringify(p.dimensions) === JSON.stringify(dimensions),
    );
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private query(method: string, url: URL, body: unknown): unknown {
    const sub = /^\/subscriptions\/([^/]+)\/metrics:getBatch$/.exec(url.pathname);
    if (method !== 'POST' || !sub) throw new HttpError(404, 'NotFound', `${method} ${url.pathname} is not the metrics batch API`);
    const q = url.searchParams;
    if (q.get('api-version') !== METRICS_API_VERSION)
      throw new HttpError(400, 'InvalidApiVersion', `api-version '${q.get('api-version')}' is not supported`);
    if (q.get('metricnamespace') !== ONLINE_ENDPOINT_NAMESPACE)
      throw new HttpError(400, 'BadRequest', `unknown metricnamespace '${q.get('metricnamespace')}'`);
    const start = Date.parse(q.get('starttime') ?? '');
    const end = Date.parse(q.get('endtime') ?? '');
    if (Number.isNaN(start) || Number.isNaN(end) || start >= end)
      throw new HttpError(400, 'BadRequest', 'starttime and endtime must be ISO times, start before end');
    const names = (q.get('metricnames') ?? '').split(',').filter(Boolean);
    const unknown = names.filter((n) => !METRICS[n]);
    if (!names.length || unknown.length)
      throw new HttpError(400, 'BadRequest', `unknown metric names: ${unknown.join(', ') || '(none given)'}`);
    const interval = q.get('interval') ?? 'PT1M';
    if (interval !== 'PT1M') throw new HttpError(400, 'BadRequest', `interval ${interval} is not a time grain of these metrics (PT1M)`);
    const aggregations = (q.get('aggregation') ?? 'average')
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean);
    const strange = aggregations.filter((a) => !AGGREGATIONS.includes(a));
    if (strange.length) throw new HttpError(400, 'BadRequest', `unknown aggregation ${strange.join(', ')}`);
    const splitBy = [...(q.get('filter') ?? '').matchAll(/(\w+) eq '\*'/g)].map((m) => m[1]!);
    for (const name of names) {
      const bad = splitBy.filter((d) => !METRICS[name]!.dimensions.includes(d));
      if (bad.length) throw new HttpError(400, 'BadRequest', `metric ${name} has no dimension ${bad.join(', ')}`);
      const unsupported = aggregations.filter((a) => !(METRICS[name]!.aggregations as string[]).includes(a));
      if (unsupported.length) {
        throw new HttpError(
          400,
          'BadRequest',
          `Metric ${name} does not support aggregation ${unsupported.join(', ')}; supported: ${METRICS[name]!.aggregations.join(', ')}`,
        );
      }
    }
    const parsed = BatchBody.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'BadRequest', `invalid body: ${parsed.error.issues[0]?.message}`);
    for (const id of parsed.data.resourceids) {
      if (!id.includes(`/subscriptions/${sub[1]}/`))
        throw new HttpError(400, 'BadRequest', `resource ${id} is not in subscription ${sub[1]}`);
    }
    return {
      values: parsed.data.resourceids.map((resourceid) => ({
        starttime: new Date(start).toISOString(),
        endtime: new Date(end).toISOString(),
        interval: q.get('interval') ?? 'PT1M',
        namespace: ONLINE_ENDPOINT_NAMESPACE,
        resourceregion: 'westeurope',
        resourceid,
        value: names.map((name) => ({
          id: `${resourceid}/providers/Microsoft.Insights/metrics/${name}`,
          type: 'Microsoft.Insights/metrics',
          name: { value: name, localizedValue: name },
          unit: 'Count',
          timeseries: this.series(resourceid, name, splitBy, aggregations as Aggregation[], start, end),
        })),
      })),
    };
  }

  /** One series per combination of the split dimensions; in each minute the samples it merges, aggregated as asked. */
  private series(resourceId: string, metric: string, splitBy: string[], aggregations: Aggregation[], start: number, end: number) {
    const groups = new Map<string, Map<string, number[]>>();
    for (const p of this.points.get(`${resourceId.toLowerCase()}|${metric}`) ?? []) {
      const t = Date.parse(p.timeStamp);
      if (t < start || t >= end) continue;
      const key = JSON.stringify(splitBy.map((d) => p.dimensions[d] ?? ''));
      const minutes = groups.get(key) ?? new Map<string, number[]>();
      minutes.set(p.timeStamp, [...(minutes.get(p.timeStamp) ?? []), p.value]);
      groups.set(key, minutes);
    }
    const aggregate = (samples: number[]): Record<string, number> => {
      const sum = samples.reduce((a, b) => a + b, 0);
      const all: Record<Aggregation, number> = {
        average: sum / samples.length,
        total: sum,
        minimum: Math.min(...samples),
        maximum: Math.max(...samples),
        count: samples.length,
      };
      return Object.fromEntries(aggregations.map((a) => [a, all[a]]));
    };
    return [...groups.entries()].map(([key, minutes]) => ({
      metadatavalues: (JSON.parse(key) as string[]).map((value, i) => ({ name: { value: splitBy[i], localizedValue: splitBy[i] }, value })),
      data: [...minutes.entries()].map(([timeStamp, samples]) => ({ timeStamp, ...aggregate(samples) })),
    }));
  }
}

/** The api-version of "Metric Definitions - List" the doctor speaks. */
export const METRIC_DEFINITIONS_API_VERSION = '2018-01-01';
const DEFINITIONS_PATH =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/onlineEndpoints\/[^/]+)\/providers\/Microsoft\.Insights\/metricDefinitions$/i;
const capitalized = (a: string) => a[0]!.toUpperCase() + a.slice(1);

/**
 * Azure Monitor's "Metric Definitions - List" for online endpoints: `GET {resourceUri}/providers/
 * Microsoft.Insights/metricDefinitions?api-version=2018-01-01` (REST reference: Azure Monitor,
 * Metric Definitions - List; spec azure-rest-api-specs specification/monitor/resource-manager/
 * Microsoft.Insights/stable/2018-01-01/metricDefinitions_API.json). It is an ARM operation
 * (management.azure.com), so it is served as a route of the ARM fake, from the METRICS table
 * above: each definition's name, unit, primaryAggregationType, supportedAggregationTypes, PT1M
 * availability and dimensions. 404 for an endpoint the ARM fake does not have.
 */
export class FakeMetricDefinitions {
  private readonly overrides = new Map<string, Aggregation[]>();
  private constructor(private readonly arm: ArmMlFake) {}

  static install(arm: ArmMlFake): FakeMetricDefinitions {
    const definitions = new FakeMetricDefinitions(arm);
    arm.addRoute(definitions.route);
    return definitions;
  }

  /** Makes the definitions list other aggregations for a metric (as if Azure changed them); the batch API is unchanged. */
  setAggregations(metric: string, aggregations: Aggregation[]): void {
    this.overrides.set(metric, aggregations);
  }

  private readonly route: ExtraRoute = (method, url) => {
    const match = DEFINITIONS_PATH.exec(url.pathname);
    if (!match) return undefined;
    const resourceId = match[1]!;
    if (method !== 'GET') throw new ArmHttpError(405, 'MethodNotAllowed', `${method} is not served here`);
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion !== METRIC_DEFINITIONS_API_VERSION)
      throw new ArmHttpError(400, 'InvalidApiVersionParameter', `api-version '${apiVersion}' is not supported here`);
    if (!this.arm.resourceAt(resourceId)) throw new ArmHttpError(404, 'ResourceNotFound', `resource ${resourceId} not found`);
    return [
      200,
      {
        value: Object.entries(METRICS).map(([name, metric]) => {
          const aggregations = (this.overrides.get(name) ?? metric.aggregations).map(capitalized);
          return {
            id: `${resourceId}/providers/microsoft.insights/metricdefinitions/${name}`,
            resourceId,
            namespace: ONLINE_ENDPOINT_NAMESPACE,
            name: { value: name, localizedValue: name },
            isDimensionRequired: false,
            unit: metric.unit,
            primaryAggregationType: aggregations[0] ?? 'None',
            supportedAggregationTypes: aggregations,
            metricAvailabilities: [{ timeGrain: 'PT1M', retention: 'P93D' }],
            dimensions: metric.dimensions.map((d) => ({ value: d, localizedValue: d })),
          };
        }),
      },
    ];
  };
}
