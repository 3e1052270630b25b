import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';

export const EVENT_GRID_API_VERSION = '2018-01-01';
/** The service refuses request bodies over 1 MB with 413. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** The CloudEvents 1.0 attributes Event Grid requires and types it checks (JSON event format). */
export const CloudEventSchema = z
  .object({
    specversion: z.literal('1.0'),
    id: z.string().min(1),
    source: z.string().min(1),
    type: z.string().min(1),
    subject: z.string().optional(),
    time: z.iso.datetime({ offset: true }).optional(),
    datacontenttype: z.string().optional(),
    dataschema: z.string().optional(),
    data: z.unknown().optional(),
    data_base64: z.string().optional(),
  })
  .catchall(z.unknown());
export type ReceivedCloudEvent = z.infer<typeof CloudEventSchema>;

export type TopicAuth = { key: string } | { bearer: (token: string) => boolean };

export interface ReceivedRequest {
  bytes: number;
  status: number;
  events: ReceivedCloudEvent[];
  /** How the caller authenticated: 'key' (`aeg-sas-key`), 'bearer' or 'none'. */
  auth: 'key' | 'bearer' | 'none';
}

/**
 * A fake of an Event Grid custom topic's data plane for the CloudEvents schema:
 * `POST /api/events?api-version=2018-01-01` with `application/cloudevents-batch+json`,
 * key (`aeg-sas-key`) or bearer auth, 1 MB request limit, every event validated. It records
 * what it took and can answer 429/503 on demand, as the service does when throttling or down.
 */
export class FakeEventGridTopic {
  readonly requests: ReceivedRequest[] = [];
  private readonly faults: { status: 429 | 503; remaining: number }[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly auth: TopicAuth,
  ) {}

  static async start(tls: { key: string; cert: string }, auth: TopicAuth): Promise<FakeEventGridTopic> {
    let fake: FakeEventGridTopic | undefined;
    const server = createServer(tls, (req, res) => void fake!.handle(req, res));
    const port = await listenLocally(server);
    fake = new FakeEventGridTopic(server, `https://127.0.0.1:${port}/api/events`, auth);
    return fake;
  }

  /** Every event accepted so far, in arrival order. */
  get events(): ReceivedCloudEvent[] {
    return this.requests.filter((r) => r.status === 200).flatMap((r) => r.events);
  }

  /** The next `times` requests answer `status` (Infinity: until `recover()`). */
  fail(status: 429 | 503, times = 1): void {
    this.faults.push({ status, remaining: times });
  }

  recover(): void {
    this.faults.length = 0;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const auth = req.headers['aeg-sas-key'] ? 'key' : /^Bearer /.test(req.headers.authorization ?? '') ? 'bearer' : 'none';
    const answer = (status: number, code?: string, message?: string, events: ReceivedCloudEvent[] = []) => {
      this.requests.push({ bytes: raw.length, status, events, auth });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(code ? JSON.stringify({ error: { code, message } }) : '');
    };

    const url = new URL(req.url ?? '/', 'https://fake');
    if (req.method !== 'POST' || url.pathname !== '/api/events') return answer(404, 'NotFound', `no route ${req.method} ${url.pathname}`);
    if (url.searchParams.get('api-version') !== EVENT_GRID_API_VERSION)
      return answer(400, 'BadRequest', `api-version must be ${EVENT_GRID_API_VERSION}`);
    if (!this.authorized(req)) return answer(401, 'Unauthorized', 'The request authorization key is not authorized');
    const fault = this.faults[0];
    if (fault) {
      if (--fault.remaining <= 0) this.faults.shift();
      // Throttling says when to come back, as Azure services do; 503 leaves it to the client's backoff.
      if (fault.status === 429) res.setHeader('retry-after', '0');
      return answer(fault.status, fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', 'injected fault');
    }
    if (!/^application\/cloudevents-batch\+json;\s*charset=utf-8$/i.test(req.headers['content-type'] ?? '')) {
      return answer(
        400,
        'BadRequest',
        `content type must be application/cloudevents-batch+json; charset=utf-8, got ${req.headers['content-type']}`,
      );
    }
    if (raw.length > MAX_REQUEST_BYTES)
      return answer(413, 'RequestEntityTooLarge', `request is ${raw.length} bytes; the limit is ${MAX_REQUEST_BYTES}`);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return answer(400, 'BadRequest', 'body is not JSON');
    }
    const parsed = z.array(CloudEventSchema).min(1).safeParse(body);
    if (!parsed.success)
      return answer(
        400,
        'BadRequest',
        `not a CloudEvents 1.0 batch: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    answer(200, undefined, undefined, parsed.data);
  }

  private authorized(req: IncomingMessage): boolean {
    if ('key' in this.auth) return req.headers['aeg-sas-key'] === this.auth.key;
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return !!match && this.auth.bearer(match[1]!);
  }
}
