import { settingsFrom } from '../../../adapters/settings';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createStorage, decodeBase64JsonMessage, type Storage } from '../../../adapters/azure/storage';
import { createNotifications, NOTIFICATIONS_QUEUE, type Notifications } from '../../../adapters/notifications';
import { waitFor } from '../../support/waitFor';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { NotificationJob } from '../../../shared/notifications';
import type { Logger, OutgoingEvent } from '../../../shared/ports';
import { configWith } from '../../unit/notifications/fixtures';
import { anEvent, releasePayload } from '../../fakes/outgoingEvents';
import type { Stage } from '../../../shared/release/types';

/**
 * Notifications on real storage (Azurite queue and table) and real HTTP: a local receiver
 * verifies Standard Webhooks signatures and answers from a script per path; the test plays
 * the queue trigger (receive, deliver, delete), so a retry's visibility delay is the queue's own.
 */
const secret = `whsec_${randomBytes(32).toString('base64')}`;
let azurite: RunningAzurite;
let receiver: Server;
let storage: Storage;
let notifications: Notifications;
/** Per path: every request seen, and the statuses to answer with before 200. */
const seen = new Map<string, { headers: IncomingMessage['headers']; body: string; verified: boolean }[]>();
const script = new Map<string, { status: number; retryAfter?: string }[]>();
const logs: string[] = [];
const outcomes: string[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '';
      let verified = false;
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        /* Teams and Slack bodies are unsigned */
      }
      seen.set(path, [...(seen.get(path) ?? []), { headers: req.headers, body, verified }]);
      const next = script.get(path)?.shift() ?? { status: 200 };
      res.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {}).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const config = configWith(`webhooks:
  - { name: own, url: "${base}/own", secretFrom: HOOK_SECRET }
  - { name: teams, urlFrom: TEAMS_URL, format: teams, events: [waiting_for_approval] }
  - { name: slack, urlFrom: SLACK_URL, format: slack, events: [waiting_for_approval] }
  - { name: down, url: "${base}/down", secretFrom: HOOK_SECRET, events: [failed] }`);
  storage = createStorage({ connectionString: azurite.connectionString });
  const logger: Logger = {
    info: (m, p) => logs.push(`${m} ${JSON.stringify(p)}`),
    warn: (m, p) => logs.push(`${m} ${JSON.stringify(p)}`),
    error: (m, p) => logs.push(`${m} ${JSON.stringify(p)}`),
  };
  notifications = createNotifications(
    config,
    'test.yaml',
    settingsFrom({
      HOOK_SECRET: secret,
      TEAMS_URL: `${base}/teams/workflows/abc?sig=TEAMSSIG`,
      SLACK_URL: `${base}/slack/services/T0/B0/SLACKTOKEN`,
      AUTOPILOT_PUBLIC_URL: 'https://autopilot.example.net',
      AUTOPILOT_NOTIFY_BACKOFF_SECONDS: '0',
      AUTOPILOT_NOTIFY_MAX_ATTEMPTS: '3',
    }),
    storage,
    { now: () => new Date() },
    logger,
  );
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await azurite?.stop();
});

/** The queue trigger's part: take visible jobs, deliver each, delete it. */
async function pumpUntil<T>(what: string, condition: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const queue = storage.clients.queue.getQueueClient(NOTIFICATIONS_QUEUE);
  await queue.createIfNotExists();
  return waitFor(
    what,
    async () => {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: 30 });
      for (const item of receivedMessageItems) {
        outcomes.push(await notifications.deliver(NotificationJob.parse(decodeBase64JsonMessage(item.messageText))));
        await queue.deleteMessage(item.messageId, item.popReceipt);
      }
      return await condition();
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

function event(
  name: 'ReleaseQueued' | 'ApprovalRequested' | 'ReleaseFailed',
  stage: Stage,
  extra: { timeoutMinutes?: number; reason?: string } = {},
): OutgoingEvent {
  const data = {
    ...releasePayload({ releaseId: 'r-int-1', stage, model: { name: 'default', version: 3 }, reason: 'gate passed' }),
    ...extra,
  };
  return name === 'ApprovalRequested'
    ? anEvent(`autopilot.${name}`, { timeoutMinutes: 0, ...data }, { id: `r-int-1:${name}:${stage}`, time: new Date().toISOString() })
    : anEvent(`autopilot.${name}`, data, { id: `r-int-1:${name}:${stage}`, time: new Date().toISOString() });
}

describe('notification delivery on Azurite and HTTP', () => {
  test('a signed CloudEvent is retried after 500 and 429 (Retry-After) and arrives once, its signature verified', async () => {
    script.set('/own', [{ status: 500 }, { status: 429, retryAfter: '1' }]);
    await notifications.outbox.enqueue([event('ReleaseQueued', 'validate')]);
    const requests = await pumpUntil('the third attempt', () => {
      const r = seen.get('/own');
      return r && r.length >= 3 ? r : undefined;
    });
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.verified)).toBe(true);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set(['r-int-1:ReleaseQueued:validate']));
    expect(JSON.parse(requests[2]!.body)).toMatchObject({
      specversion: '1.0',
      type: 'autopilot.ReleaseQueued',
      id: 'r-int-1:ReleaseQueued:validate',
    });

    // The queue redelivers a message that was already sent (a crash after sending): nothing goes out.
    await notifications.outbox.enqueue([event('ReleaseQueued', 'validate')]);
    outcomes.length = 0;
    await pumpUntil('the redelivered job recognised', () => (outcomes.includes('duplicate') ? true : undefined));
    expect(seen.get('/own')).toHaveLength(3);
  });

  test('waiting for approval reaches Teams as an Adaptive Card and Slack as Block Kit, with the release link and the approval hint', async () => {
    await notifications.outbox.enqueue([event('ApprovalRequested', 'approval', { timeoutMinutes: 30 })]);
    const [teams, slack] = await pumpUntil('both chats', () => {
      const t = seen.get('/teams/workflows/abc?sig=TEAMSSIG')?.[0];
      const s = seen.get('/slack/services/T0/B0/SLACKTOKEN')?.[0];
      return t && s ? [t, s] : undefined;
    });
    const card = JSON.parse(teams.body) as {
      type: string;
      attachments: {
        contentType: string;
        content: { type: string; version: string; body: { type: string; text?: string }[]; actions: { url: string }[] };
      }[];
    };
    expect(card.type).toBe('message');
    expect(card.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.attachments[0]!.content.body.map((b) => b.type)).toEqual(['TextBlock', 'TextBlock', 'FactSet', 'TextBlock']);
    expect(card.attachments[0]!.content.body[3]!.text).toMatch(/autopilot approve r-int-1/);
    expect(card.attachments[0]!.content.actions[0]!.url).toBe('https://autopilot.example.net/api/dashboard/#/releases/r-int-1');
    const message = JSON.parse(slack.body) as { text: string; blocks: { type: string }[] };
    expect(message.text).toMatch(/waits for approval/);
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'actions']);
    // Slack and Teams are not told about stage changes or starts here (their filters).
    expect(seen.get('/teams/workflows/abc?sig=TEAMSSIG')).toHaveLength(1);
  });

  test('a receiver that keeps failing gets max attempts, then a dead letter without its URL path; redelivery sends it once more', async () => {
    script.set('/down', [{ status: 503 }, { status: 503 }, { status: 503 }]);
    await notifications.outbox.enqueue([event('ReleaseFailed', 'train', { reason: 'training job failed' })]);
    const letter = await pumpUntil('the dead letter', async () => (await notifications.deadLetters())[0]);
    expect(seen.get('/down')).toHaveLength(3);
    expect(letter).toMatchObject({
      webhook: 'down',
      attempts: 3,
      problem: 'HTTP 503',
      target: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…$/),
    });
    expect(logs.join('\n')).not.toMatch(/TEAMSSIG|SLACKTOKEN|whsec_/);

    await notifications.redeliver(letter.id);
    await pumpUntil('the redelivered notification', () => (seen.get('/down')!.length === 4 ? true : undefined));
    expect(seen.get('/down')!.every((r) => r.verified)).toBe(true);
    expect(await notifications.deadLetters()).toEqual([]);
  });
});
