import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchWebhookTransport } from '../../../adapters/notifications/fetchWebhookTransport';

/** The webhook transport against receivers that misbehave: endless bodies, redirects, silence. */
let server: Server;
let base: string;
let redirectedTo = 0;
let endlessClosed: Promise<void>;
let markEndlessClosed: () => void;

beforeAll(async () => {
  endlessClosed = new Promise((resolve) => (markEndlessClosed = resolve));
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/endless') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      res.on('close', () => markEndlessClosed());
      pump();
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: `${base}/elsewhere` }).end();
    } else if (req.url === '/elsewhere') {
      redirectedTo += 1;
      res.writeHead(200).end();
    } else if (req.url?.startsWith('/silent')) {
      // Never answers.
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('fetchWebhookTransport against a hostile receiver', () => {
  test('an endless body after a 200 does not hold the delivery: the answer counts, the body is dropped', async () => {
    // A minute of timeout: a transport that reads the body to its end would still be reading when jest gives up.
    const answer = await fetchWebhookTransport({ timeoutMs: 60_000 }).post(`${base}/endless`, { 'content-type': 'application/json' }, '{}');
    expect(answer.status).toBe(200);
    await endlessClosed;
  }, 20_000);

  test('a redirect is not followed', async () => {
    const answer = await fetchWebhookTransport().post(`${base}/redirect`, {}, '{}');
    expect(answer.status).toBe(302);
    expect(redirectedTo).toBe(0);
  });

  test('silence and refusal name neither the URL path nor its credential', async () => {
    await expect(fetchWebhookTransport({ timeoutMs: 300 }).post(`${base}/silent/T000/B000/XXXXSECRET`, {}, '{}')).rejects.toThrow(
      /^no answer within 300 ms$/,
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = fetchWebhookTransport().post(`http://127.0.0.1:${port}/services/XXXXSECRET`, {}, '{}');
    await expect(refused).rejects.toThrow(/^no answer \(ECONNREFUSED\)$/);
  });
});
