import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';

/**
 * An envelope as the Application Insights ingestion API (Breeze, `POST /v2.1/track`)
 * documents it: a JSON array of these, each naming its telemetry type in `data.baseType`.
 */
export const Envelope = z.object({
  name: z.string().min(1),
  time: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO time'),
  iKey: z.string().min(1),
  sampleRate: z.number().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  data: z.object({
    baseType: z.enum([
      'MetricData',
      'RequestData',
      'RemoteDependencyData',
      'MessageData',
      'ExceptionData',
      'EventData',
      'PageViewData',
      'AvailabilityData',
    ]),
    baseData: z.looseObject({ ver: z.number().optional(), properties: z.record(z.string(), z.string()).optional() }),
  }),
});
export type Envelope = z.infer<typeof Envelope>;

export interface TrackCall {
  path: string;
  encoding: string | undefined;
  rawBody: string;
  status: number;
}

/**
 * A local fake of the Application Insights ingestion endpoint, over HTTPS because the
 * exporter rewrites any `http://` ingestion endpoint to `https://` (its connection string
 * parser does): the client process must trust `tls.cert` (NODE_EXTRA_CA_CERTS). Point a
 * connection string's `IngestionEndpoint` at `url`; it accepts valid batches (200 with the documented
 * `itemsReceived/itemsAccepted`), answers 400 to anything that is not an envelope array,
 * and records every call, raw, so tests can also look for what must not be there.
 */
export class AppInsightsFake {
  readonly calls: TrackCall[] = [];
  readonly envelopes: Envelope[] = [];
  private readonly waiters: { until: (f: AppInsightsFake) => boolean; resolve: () => void }[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(tls: { key: string; cert: string }): Promise<AppInsightsFake> {
    let fake: AppInsightsFake | undefined;
    const server = createServer(tls, (req, res) => void fake!.handle(req, res));
    const port = await listenLocally(server);
    fake = new AppInsightsFake(server, `https://127.0.0.1:${port}/`);
    return fake;
  }

  /** A connection string that sends everything here (no live metrics endpoint). */
  connectionString(instrumentationKey = '00000000-0000-0000-0000-000000000001'): string {
    return `InstrumentationKey=${instrumentationKey};IngestionEndpoint=${this.url}`;
  }

  /** Envelopes of custom metrics, as `{ name, value, count, properties }`. */
  metrics(): { name: string; value: number; count?: number; properties: Record<string, string> }[] {
    return this.envelopes
      .filter((e) => e.data.baseType === 'MetricData')
      .flatMap((e) => {
        const base = e.data.baseData as { metrics: { name: string; value: number; count?: number }[]; properties?: Record<string, string> };
        return base.metrics.map((m) => ({ name: m.name, value: m.value, count: m.count, properties: base.properties ?? {} }));
      });
  }

  ofType(baseType: Envelope['data']['baseType']): Envelope[] {
    return this.envelopes.filter((e) => e.data.baseType === baseType);
  }

  waitFor(until: (fake: AppInsightsFake) => boolean): Promise<void> {
    if (until(this)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const encoding = req.headers['content-encoding'];
    const raw = Buffer.concat(chunks);
    const rawBody = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    const path = new URL(req.url ?? '/', this.url).pathname;
    const answer = (status: number, body: unknown): void => {
      this.calls.push({ path, encoding, rawBody, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      for (const w of [...this.waiters])
        if (w.until(this)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
    };
    if (req.method !== 'POST' || path !== '/v2.1/track') return answer(404, { error: `no route ${req.method} ${path}` });
    let parsed: z.ZodSafeParseResult<Envelope[]>;
    try {
      parsed = z.array(Envelope).safeParse(JSON.parse(rawBody));
    } catch {
      return answer(400, { itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: 'body is not JSON' }] });
    }
    if (!parsed.success) {
      return answer(400, { itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: parsed.error.message }] });
    }
    this.envelopes.push(...parsed.data);
    answer(200, { itemsReceived: parsed.data.length, itemsAccepted: parsed.data.length, errors: [] });
  }
}
