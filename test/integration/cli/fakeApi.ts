/**
 * A test fixture, not part of the product: a tiny node:http server speaking the HTTP API
 * contract the CLI is built against. Blobs uploaded under a pipeline prefix in the given
 * Azurite, and manual starts, become releases that advance one stage per poll and then
 * succeed, as the real host would (only faster and without timers). Seeded releases stay
 * as they are.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobServiceClient } from '@azure/storage-blob';
import { AuditEntry, Release, STAGES, type Stage } from '../../../shared/release/types';

export interface FakeApiOptions {
  /** Azurite connection string; blobs found there start releases. */
  connectionString?: string;
  /** When set, requests must carry `Bearer <token>`. */
  token?: string;
}

export interface FakeApi {
  readonly url: string;
  readonly releases: Release[];
  readonly audit: AuditEntry[];
  /** Monitor runs per pipeline, newest first; `POST /monitors/{p}/run` adds one. */
  readonly monitorRuns: Record<string, Record<string, unknown>[]>;
  readonly alerts: Record<string, unknown>[];
  readonly requests: { method: string; path: string; authorization: string | undefined; body?: unknown }[];
  /** Starts a release the fake then drives to success, as `POST /api/releases` does. */
  startRelease(pipeline: string): Release;
  close(): Promise<void>;
}

export const PIPELINES = [
  { name: 'default', container: 'training-data', prefix: 'default/', labelColumn: 'label' },
  { name: 'churn', container: 'training-data', prefix: 'churn/', labelColumn: 'churned' },
];

export const ENDPOINTS = [
  {
    name: 'default-prod',
    environment: 'prod',
    scoringUri: 'http://127.0.0.1:7072/endpoints/default-prod/score',
    traffic: { blue: 90, green: 10 },
    mirrorTraffic: {},
    deployments: [
      {
        name: 'blue',
        endpoint: 'default-prod',
        model: { name: 'default', version: 1 },
        state: 'succeeded',
        createdAt: '2025-01-01T00:00:00Z',
      },
    ],
    id: '/subscriptions/local/resourceGroups/local/providers/Microsoft.MachineLearningServices/workspaces/prod/onlineEndpoints/default-prod',
  },
  {
    name: 'default-dev',
    environment: 'dev',
    scoringUri: 'http://127.0.0.1:7072/endpoints/default-dev/score',
    traffic: { green: 100 },
    mirrorTraffic: {},
    deployments: [],
    id: '/subscriptions/local/x/default-dev',
  },
];

export function makeRelease(fields: Partial<Release> & { id: string }): Release {
  const now = new Date().toISOString();
  return Release.parse({
    pipeline: 'default',
    status: 'queued',
    stage: 'validate',
    trigger: { kind: 'manual' },
    createdAt: now,
    updatedAt: now,
    ...fields,
  });
}

/** Moves a release one stage on, recording the stage as the engine would. */
function advance(release: Release): void {
  const now = new Date().toISOString();
  const index = STAGES.indexOf(release.stage);
  const current = release.stages[release.stage];
  if (release.status === 'queued') {
    release.status = 'running';
    release.stages[release.stage] = { status: 'running', startedAt: now, attempts: 1, detail: 'started' };
  } else if (current?.status === 'running') {
    release.stages[release.stage] = { ...current, status: 'succeeded', endedAt: now, detail: `${release.stage} done` };
    const next = STAGES[index + 1] as Stage | undefined;
    if (release.stage === 'register') release.model = { name: release.pipeline, version: 7 };
    if (next) {
      release.stage = next;
      release.stages[next] = { status: 'running', startedAt: now, attempts: 1 };
    } else {
      release.status = 'succeeded';
      release.endedAt = now;
    }
  }
  release.updatedAt = now;
}

export async function startFakeApi(options: FakeApiOptions = {}): Promise<FakeApi> {
  const releases: Release[] = [];
  const audit: AuditEntry[] = [];
  const monitorRuns: Record<string, Record<string, unknown>[]> = {};
  const alerts: Record<string, unknown>[] = [];
  const requests: FakeApi['requests'] = [];
  const blobs = options.connectionString ? BlobServiceClient.fromConnectionString(options.connectionString) : undefined;
  const seenETags = new Set<string>();
  /** Releases the fake drives itself (those started by uploads). */
  const autoAdvance = new Set<string>();
  let counter = 0;

  /** The "blob trigger": each new blob under a pipeline prefix starts a release. */
  async function discoverUploads(): Promise<void> {
    if (!blobs) return;
    const container = blobs.getContainerClient('training-data');
    if (!(await container.exists())) return;
    for await (const item of container.listBlobsFlat()) {
      const pipeline = PIPELINES.find((p) => item.name.startsWith(p.prefix));
      if (!pipeline || seenETags.has(item.properties.etag)) continue;
      seenETags.add(item.properties.etag);
      const url = container.getBlobClient(item.name).url;
      // Listings carry the eTag bare; the CLI must match it against the quoted one it got.
      const id = `rel-${++counter}`;
      autoAdvance.add(id);
      releases.push(
        makeRelease({
          id,
          pipeline: pipeline.name,
          trigger: { kind: 'blob' },
          data: { container: 'training-data', blob: item.name, url, eTag: item.properties.etag },
        }),
      );
    }
  }

  function startRelease(pipeline: string): Release {
    const release = makeRelease({ id: `rel-${++counter}`, pipeline, trigger: { kind: 'manual', by: 'local-ml-engineer' } });
    releases.push(release);
    autoAdvance.add(release.id);
    return release;
  }

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const body = raw ? JSON.parse(raw) : undefined;
        requests.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization, body });
        const send = (status: number, payload: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
        if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
          return send(401, { error: { code: 'unauthorized', message: 'missing or unknown bearer token' } });
        }
        const path = url.pathname;
        if (req.method === 'GET' && path === '/api/health') {
          return send(200, {
            status: 'ok',
            version: '0.1.0',
            pipelines: PIPELINES,
            environments: { dev: { backend: 'local' }, staging: { backend: 'local' }, prod: { backend: 'local' } },
          });
        }
        if (req.method === 'GET' && path === '/api/releases') {
          await discoverUploads();
          for (const release of releases) if (autoAdvance.has(release.id)) advance(release);
          const limit = Number(url.searchParams.get('limit') ?? 20);
          const matching = releases
            .filter((r) => !url.searchParams.get('pipeline') || r.pipeline === url.searchParams.get('pipeline'))
            .filter((r) => !url.searchParams.get('status') || r.status === url.searchParams.get('status'))
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
            .slice(0, limit);
          return send(200, { releases: matching });
        }
        const one = /^\/api\/releases\/([^/]+)$/.exec(path);
        if (req.method === 'GET' && one) {
          const release = releases.find((r) => r.id === decodeURIComponent(one[1]!));
          if (!release) return send(404, { error: { code: 'not_found', message: `Release '${one[1]}' not found` } });
          if (autoAdvance.has(release.id)) advance(release);
          return send(200, { release, audit: audit.filter((a) => a.releaseId === release.id) });
        }
        if (req.method === 'POST' && path === '/api/releases') {
          if (!PIPELINES.some((p) => p.name === body?.pipeline)) {
            return send(400, { error: { code: 'bad_request', message: `unknown pipeline '${body?.pipeline}'`, where: 'body.pipeline' } });
          }
          return send(202, { release: startRelease(body.pipeline) });
        }
        if (req.method === 'GET' && path === '/api/endpoints') return send(200, { endpoints: ENDPOINTS });
        const monitor = /^\/api\/monitors\/([^/]+)(\/run)?$/.exec(path);
        if (monitor) {
          const pipeline = decodeURIComponent(monitor[1]!);
          if (!PIPELINES.some((p) => p.name === pipeline))
            return send(404, { error: { code: 'NotFound', message: `pipeline '${pipeline}' not found` } });
          const runs = (monitorRuns[pipeline] ??= []);
          if (req.method === 'POST' && monitor[2]) {
            const run = {
              id: `m-${runs.length + 1}`,
              pipeline,
              at: new Date().toISOString(),
              trigger: 'manual',
              endpoint: `${pipeline}-prod`,
              rows: 0,
              outcome: 'no-model',
              reasons: [`nothing serves on ${pipeline}-prod`],
              unreadable: { malformedLines: 0, outsideRange: 0, vanishedBlobs: 0, samples: [] },
              window: { from: '', to: '' },
            };
            runs.unshift(run);
            audit.push({ at: run.at, pipeline, actor: 'local-ml-engineer', action: 'monitor run', why: `${run.id}: no-model on 0 rows` });
            return send(200, { run });
          }
          if (req.method === 'GET' && !monitor[2]) return send(200, { runs: runs.slice(0, Number(url.searchParams.get('limit') ?? 20)) });
        }
        if (req.method === 'GET' && path === '/api/alerts')
          return send(200, { alerts: alerts.slice(0, Number(url.searchParams.get('limit') ?? 100)) });
        if (req.method === 'GET' && path === '/api/audit') {
          // Spans are the host's business; the fake takes ISO times only and defaults to everything.
          const since = url.searchParams.get('since') ?? '';
          const until = url.searchParams.get('until') ?? '9999';
          const entries = audit
            .filter((e) => (/^\d{4}-/.test(since) ? e.at >= since : true) && e.at <= until)
            .filter((e) => !url.searchParams.get('pipeline') || e.pipeline === url.searchParams.get('pipeline'))
            .filter((e) => !url.searchParams.get('release') || e.releaseId === url.searchParams.get('release'))
            .sort((a, b) => a.at.localeCompare(b.at));
          const limit = Number(url.searchParams.get('limit') ?? 1000);
          return send(200, {
            since: since || '1970-01-01T00:00:00.000Z',
            until,
            entries: entries.slice(0, limit),
            truncated: entries.length > limit,
          });
        }
        if (req.method === 'GET' && path === '/api/models') {
          return send(200, {
            models: [
              {
                name: 'default',
                version: 1,
                environment: 'prod',
                createdAt: new Date().toISOString(),
                path: '/x',
                sha256: 'ab',
                metrics: { auc: 0.91234 },
                tags: {},
                lineage: {},
                idempotencyKey: 'k',
              },
            ],
          });
        }
        return send(404, { error: { code: 'not_found', message: `no route ${req.method} ${path}` } });
      })().catch((error: unknown) => res.writeHead(500).end(JSON.stringify({ error: { code: 'fake_failed', message: String(error) } })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    releases,
    audit,
    monitorRuns,
    alerts,
    requests,
    startRelease,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
