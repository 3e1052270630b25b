import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { createStorage, redactUrl, StorageEventLog } from '../../../adapters/azure/storage';
import type { Logger, OutgoingEvent } from '../../../shared/ports';

let azurite: RunningAzurite;
let server: Server;
let baseUrl: string;
/** Bodies the webhook receiver got, and how many requests it should fail first. */
const received: { path: string; contentType: string | undefined; body: unknown }[] = [];
let failNext = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (failNext > 0) {
      failNext--;
      res.writeHead(503).end();
      return;
    }
    received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(body) });
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await azurite?.stop();
});
beforeEach(() => {
  received.length = 0;
  failNext = 0;
});

function event(id: string, time: string): OutgoingEvent {
  return { id, type: 'Autopilot.ReleaseSucceeded', source: '/autopilot', subject: 'releases/r1', time, data: { releaseId: 'r1' } };
}

function recordingLogger(): Logger & { warnings: { message: string; properties?: Record<string, unknown> }[] } {
  const warnings: { message: string; properties?: Record<string, unknown> }[] = [];
  return { warnings, info: () => undefined, error: () => undefined, warn: (message, properties) => warnings.push({ message, properties }) };
}

describe('StorageEventLog on Azurite', () => {
  test('recent returns events newest first across days, and a republished event is stored once', async () => {
    const now = new Date('2025-03-02T12:00:00Z');
    const storage = createStorage({ connectionString: azurite.connectionString }, { eventsTable: 'eventsA', clock: { now: () => now } });
    await storage.events.publish([event('a', '2025-03-01T23:59:00Z'), event('b', '2025-03-02T08:00:00Z')]);
    await storage.events.publish([event('c/with#odd?chars', '2025-03-02T11:00:00Z')]);
    await storage.events.publish([event('b', '2025-03-02T08:00:00Z')]);

    expect((await storage.events.recent(10)).map((e) => e.id)).toEqual(['c/with#odd?chars', 'b', 'a']);
    expect((await storage.events.recent(2)).map((e) => e.id)).toEqual(['c/with#odd?chars', 'b']);
    expect((await storage.events.recent(10))[0]).toEqual(event('c/with#odd?chars', '2025-03-02T11:00:00Z'));
  });

  test('events are posted to every webhook as a CloudEvents batch', async () => {
    const storage = createStorage(
      { connectionString: azurite.connectionString },
      { eventsTable: 'eventsB', webhooks: [`${baseUrl}/hook-1`, `${baseUrl}/hook-2?code=secret`] },
    );
    await storage.events.publish([event('e1', new Date().toISOString())]);
    await storage.events.flush();

    expect(received.map((r) => r.path).sort()).toEqual(['/hook-1', '/hook-2?code=secret']);
    expect(received[0]?.contentType).toMatch(/^application\/cloudevents-batch\+json/);
    expect(received[0]?.body).toEqual([expect.objectContaining({ specversion: '1.0', id: 'e1', type: 'Autopilot.ReleaseSucceeded' })]);
  });

  test('a failing webhook is retried, and one that never answers is logged without its secret and never thrown', async () => {
    const logger = recordingLogger();
    const storage = createStorage({ connectionString: azurite.connectionString });
    // Two 503s, then success: within the 3 retries.
    failNext = 2;
    const fast = { backoffMs: 10 };
    const flakyLog = new StorageEventLog(
      storage.table('eventsC'),
      { webhooks: [`${baseUrl}/flaky`], logger, ...fast },
    );
    await flakyLog.publish([event('e2', new Date().toISOString())]);
    await flakyLog.flush();
    expect(received.map((r) => r.path)).toEqual(['/flaky']);

    const deadLog = new StorageEventLog(
      storage.table('eventsC'),
      { webhooks: ['http://127.0.0.1:1/services/T000/B000/XXXXSECRET'], logger, ...fast },
    );
    await expect(deadLog.publish([event('e3', new Date().toISOString())])).resolves.toBeUndefined();
    await deadLog.flush();
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]?.properties).toMatchObject({ webhook: 'http://127.0.0.1:1/…', events: 1 });
    expect(JSON.stringify(logger.warnings)).not.toContain('SECRET');
    // The event is in the log even though its webhook failed.
    expect((await deadLog.recent(5)).map((e) => e.id)).toContain('e3');
  });

  test('redactUrl keeps only the origin of a webhook URL', () => {
    expect(redactUrl('https://hooks.slack.com/services/T0/B0/abc?x=1')).toBe('https://hooks.slack.com/…');
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
