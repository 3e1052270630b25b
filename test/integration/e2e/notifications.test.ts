import { BlobServiceClient } from '@azure/storage-blob';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { generateCsv } from '../../../examples/tabular/generate';
import type { Release } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from './localStack';

// The sum of the deadlines below; each only bounds how long a failure takes on a loaded machine.
jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../../..');
let stack: TestStack;
let receiver: Server;
/** Bodies per chat, in arrival order. */
const chats: Record<'teams' | 'slack', Record<string, unknown>[]> = { teams: [], slack: [] };

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      chats[req.url?.startsWith('/teams') ? 'teams' : 'slack'].push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  stack = await startTestStack({
    config: join(ROOT, 'test/fixtures/e2e/notifications.yaml'),
    env: { E2E_TEAMS_URL: `${base}/teams/workflows/x?sig=S`, E2E_SLACK_URL: `${base}/slack/services/T/B/X` },
  });
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((done) => receiver?.close(done));
});

const cardText = (message: Record<string, unknown>): string =>
  JSON.stringify((message['attachments'] as { content: unknown }[])[0]!.content);

describe('notifications on the embedded stack', () => {
  it('tells Teams and Slack that a release waits for approval, with its page and how to approve, then that it was promoted', async () => {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
    await container.createIfNotExists();
    const data = generateCsv({ rows: 1500, seed: 7 });
    await container.getBlockBlobClient('default/day1.csv').upload(data, data.length);

    const waiting = await waitFor(
      'the approval request in Slack',
      async () => chats.slack.find((m) => /waits for approval/.test(String(m['text']))),
      { timeoutMs: 300_000 },
    );
    const { releases } = (await (
      await fetch(`${stack.api}/releases`, { headers: { authorization: `Bearer ${stack.token()}` } })
    ).json()) as { releases: Release[] };
    const release = releases[0]!;
    const page = `${stack.api}/dashboard/#/releases/${release.id}`;
    expect(JSON.stringify(waiting)).toContain(page);
    expect(JSON.stringify(waiting)).toContain(`autopilot approve ${release.id}`);
    const teamsWaiting = chats.teams.find((m) => /waits for approval/.test(cardText(m)));
    expect(teamsWaiting).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4' } }],
    });
    expect(cardText(teamsWaiting!)).toContain(page);

    const approved = await fetch(`${stack.api}/releases/${release.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'looks good' }),
    });
    expect(approved.status).toBeLessThan(300);
    await waitFor('the promotion in Teams', async () => chats.teams.find((m) => /promoted to prod/.test(cardText(m))), {
      timeoutMs: 240_000,
    });
    await waitFor('the promotion in Slack', async () => chats.slack.find((m) => /promoted to prod/.test(String(m['text']))), {
      timeoutMs: 60_000,
    });

    // One message per decision: Teams (default filter) heard started, waiting, promoted; Slack only what it asked for.
    const titles = chats.teams.map((m) => (m['attachments'] as { content: { body: { text: string }[] } }[])[0]!.content.body[0]!.text);
    expect(titles).toEqual([
      `Release ${release.id} started`,
      `Release ${release.id} waits for approval to go to prod`,
      `Release ${release.id} promoted to prod`,
    ]);
    expect(chats.slack).toHaveLength(2);
  });
});
