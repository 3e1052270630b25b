import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook that accepts every Event Grid delivery and keeps the events' subjects. */
export async function startEventReceiver(): Promise<{ url: string; subjects: string[]; close(): Promise<void> }> {
  const subjects: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      for (const event of [JSON.parse(body)].flat() as { subject: string }[]) subjects.push(event.subject);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    subjects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
