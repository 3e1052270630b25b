import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { hostKeys, readRecords, spawnStack, type Recorded, type StackProcess } from './stackProcess';
import { waitFor } from '../../support/waitFor';

describe('local Functions host running the fixture app', () => {
  let dir: string;
  let records: string;
  let stack: StackProcess;
  let api: string;
  let queues: QueueServiceClient;
  const recorded = (kind: string): Recorded[] => readRecords(records).filter((r) => r.kind === kind);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devhost-'));
    records = join(dir, 'records.jsonl');
    stack = await spawnStack(
      // The slow handler outlives two leases; renewal (at half a lease) has 1.5 s of slack for a loaded machine.
      { stateDir: join(dir, 'state'), eventSubscriptions: [], queueMessageLeaseSeconds: 3 },
      { FIXTURE_RECORD_FILE: records, FIXTURE_SLOW_MS: '7000' },
    );
    api = stack.info.urls.api;
    queues = QueueServiceClient.fromConnectionString(stack.info.connectionString);
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs appStart hooks and runOnStartup timers with local.settings.json values in the environment', async () => {
    expect(recorded('appStart')).toEqual([expect.objectContaining({ greeting: 'hello' })]);
    const startup = await waitFor('the startup timer', () => recorded('timer').find((r) => r['fn'] === 'startupTimer'));
    expect(startup['timer']).toMatchObject({ isPastDue: false, scheduleStatus: { next: expect.stringMatching(/-01-01T00:00:00.000Z$/) } });
  });

  it('fires an NCRONTAB timer on its schedule', async () => {
    const ticks = await waitFor('two timer ticks', () => {
      const t = recorded('timer').filter((r) => r['fn'] === 'everyTwoSeconds');
      return t.length >= 2 && t;
    });
    for (const tick of ticks) {
      const next = Date.parse((tick['timer'] as { scheduleStatus: { next: string } }).scheduleStatus.next);
      expect(next % 2000).toBe(0);
    }
  });

  it('serves route parameters, constraints, query, headers and cookies', async () => {
    const response = await fetch(`${api}/hello/world?lang=en`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ greeting: 'hello world', lang: 'en' });
    expect(response.headers.get('x-fixture')).toBe('hello');
    expect(response.headers.get('set-cookie')).toBe('seen=yes; HttpOnly');
    expect((await fetch(`${api}/hello/123`)).status).toBe(404);
    expect(await (await fetch(`${api}/items/42`)).json()).toEqual({ id: '42' });
    expect(await (await fetch(`${api}/items`)).json()).toEqual({ id: null });
    const echo = await fetch(`${api}/echo`, { method: 'POST', body: 'payload', headers: { 'x-test': 'yes' } });
    expect(echo.status).toBe(201);
    expect(await echo.json()).toEqual({ body: 'payload', header: 'yes' });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${api}/no/such/function`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.stringContaining('/api/no/such/function') });
  });

  it('enforces function and admin auth levels with keys persisted in host-keys.json (mode 0600)', async () => {
    const keys = hostKeys(stack.info);
    expect(statSync(stack.info.keysPath).mode & 0o777).toBe(0o600);
    expect((await fetch(`${api}/secret`)).status).toBe(401);
    expect((await fetch(`${api}/secret?code=wrong`)).status).toBe(401);
    expect(await (await fetch(`${api}/secret?code=${keys.functionKeys['default']}`)).text()).toBe('function-level ok');
    expect((await fetch(`${api}/secret`, { headers: { 'x-functions-key': keys.masterKey } })).status).toBe(200);
    expect((await fetch(`${api}/admin-only?code=${keys.functionKeys['default']}`)).status).toBe(401);
    expect(await (await fetch(`${api}/admin-only?code=${keys.masterKey}`)).text()).toBe('admin ok');
    const status = await fetch(`${stack.info.urls.functions}/admin/host/status?code=${keys.masterKey}`);
    expect(await status.json()).toMatchObject({ state: 'Running' });
  });

  it('turns a throwing handler into a generic 500 and logs the error instead of returning it', async () => {
    const response = await fetch(`${api}/boom`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('internal detail');
    expect(text).not.toContain('at ');
    await waitFor('the error in the host log', () => stack.output().includes('internal detail that must not reach the client'));
  });

  describe('Event Grid webhook', () => {
    const webhook = (fn: string, code?: string) =>
      `${stack.info.urls.functions}/runtime/webhooks/eventgrid?functionName=${fn}${code ? `&code=${code}` : ''}`;
    const systemKey = () => hostKeys(stack.info).systemKeys['eventgrid_extension']!;
    const storageEvent = {
      topic: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/acct',
      subject: '/blobServices/default/containers/training-data/blobs/default/a.csv',
      eventType: 'Microsoft.Storage.BlobCreated',
      eventTime: '2017-06-26T18:41:00.9584103Z',
      id: 'webhook-test-1',
      data: {
        api: 'PutBlob',
        eTag: '0x8D4BCC2E4835CD0',
        contentLength: 10,
        url: 'https://acct.blob.core.windows.net/training-data/default/a.csv',
      },
      dataVersion: '',
      metadataVersion: '1',
    };

    it('requires the eventgrid_extension system key', async () => {
      const response = await fetch(webhook('recordEvents'), {
        method: 'POST',
        headers: { 'aeg-event-type': 'Notification' },
        body: JSON.stringify([storageEvent]),
      });
      expect(response.status).toBe(401);
    });

    it('completes the subscription validation handshake', async () => {
      const response = await fetch(webhook('recordEvents', systemKey()), {
        method: 'POST',
        headers: { 'aeg-event-type': 'SubscriptionValidation', 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            id: '2d1781af-3a4c-4d7c-bd0c-e34b19da4e66',
            topic: '/subscriptions/xx/resourceGroups/yy',
            subject: '',
            data: { validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6', validationUrl: 'https://example.invalid' },
            eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
            eventTime: '2018-01-25T22:12:19.4556811Z',
            metadataVersion: '1',
            dataVersion: '1',
          },
        ]),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' });
    });

    it('answers the CloudEvents OPTIONS handshake with WebHook-Allowed-Origin', async () => {
      const response = await fetch(webhook('recordEvents', systemKey()), {
        method: 'OPTIONS',
        headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    });

    it('invokes the function once per event for Event Grid and CloudEvents schema notifications', async () => {
      const second = { ...storageEvent, id: 'webhook-test-2' };
      const notify = await fetch(webhook('recordEvents', systemKey()), {
        method: 'POST',
        headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/json' },
        body: JSON.stringify([storageEvent, second]),
      });
      expect(notify.status).toBe(200);
      const cloudEvent = {
        specversion: '1.0',
        id: 'cloud-1',
        type: 'Microsoft.Storage.BlobCreated',
        source: '/subscriptions/s',
        subject: storageEvent.subject,
        data: storageEvent.data,
      };
      const cloud = await fetch(webhook('recordEvents', systemKey()), {
        method: 'POST',
        headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/cloudevents+json; charset=utf-8' },
        body: JSON.stringify(cloudEvent),
      });
      expect(cloud.status).toBe(200);
      const ids = recorded('event').map((r) => (r['event'] as { id: string }).id);
      expect(ids).toEqual(expect.arrayContaining(['webhook-test-1', 'webhook-test-2', 'cloud-1']));
      expect(recorded('event').find((r) => (r['event'] as { id: string }).id === 'webhook-test-1')!['event']).toEqual(storageEvent);
    });

    it('returns 500 when a handler fails, 400 for a malformed body and 404 for an unknown function', async () => {
      const headers = { 'aeg-event-type': 'Notification', 'content-type': 'application/json' };
      const failed = await fetch(webhook('alwaysFailingEvents', systemKey()), {
        method: 'POST',
        headers,
        body: JSON.stringify([storageEvent]),
      });
      expect(failed.status).toBe(500);
      const malformed = await fetch(webhook('recordEvents', systemKey()), { method: 'POST', headers, body: '[{"id": "x"' });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({ error: expect.stringContaining('not valid JSON') });
      const missingType = await fetch(webhook('recordEvents', systemKey()), {
        method: 'POST',
        headers,
        body: JSON.stringify([{ id: 'x', subject: 's', eventTime: 't' }]),
      });
      expect(missingType.status).toBe(400);
      expect(await missingType.json()).toEqual({ error: expect.stringContaining('eventType') });
      const unknown = await fetch(webhook('noSuchFunction', systemKey()), {
        method: 'POST',
        headers,
        body: JSON.stringify([storageEvent]),
      });
      expect(unknown.status).toBe(404);
    });
  });

  describe('storage queue trigger', () => {
    it('decodes a base64 JSON message, passes trigger metadata and deletes the message', async () => {
      const queue = queues.getQueueClient('work-items');
      await queue.createIfNotExists();
      await queue.sendMessage(Buffer.from(JSON.stringify({ releaseId: 'r1', step: 'train' })).toString('base64'));
      await queue.sendMessage('plain text message');
      const both = await waitFor('both queue messages', () => {
        const q = recorded('queue');
        return q.length >= 2 && q;
      });
      // Handled concurrently: found by content, not by the order they finished in.
      const json = both.find((r) => typeof r['input'] === 'object');
      const plain = both.find((r) => typeof r['input'] === 'string');
      expect(both).toHaveLength(2);
      expect(json!['input']).toEqual({ releaseId: 'r1', step: 'train' });
      expect(json!['meta']).toMatchObject({
        dequeueCount: 1,
        id: expect.any(String),
        popReceipt: expect.any(String),
        insertionTime: expect.any(String),
      });
      expect(plain!['input']).toBe('plain text message');
      await waitFor('the queue to be empty', async () => (await queue.getProperties()).approximateMessagesCount === 0);
    });

    it('moves a message that keeps failing to <queue>-poison after maxDequeueCount attempts', async () => {
      const queue = queues.getQueueClient('poison-test');
      await queue.createIfNotExists();
      const text = Buffer.from('{"bad": true}').toString('base64');
      await queue.sendMessage(text);
      const poison = queues.getQueueClient('poison-test-poison');
      const moved = await waitFor('the poison queue message', async () => {
        if (!(await poison.exists())) return undefined;
        const peeked = await poison.peekMessages();
        return peeked.peekedMessageItems[0];
      });
      expect(moved.messageText).toBe(text);
      expect(recorded('poisonAttempt').map((r) => r['dequeueCount'])).toEqual([1, 2]);
      expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    });

    it('keeps a slow message invisible while its handler runs, so it is processed once', async () => {
      const queue = queues.getQueueClient('slow-items');
      await queue.createIfNotExists();
      await queue.sendMessage('slow');
      await waitFor('the slow handler to finish', () => recorded('slowDone').length === 1);
      await waitFor('the queue to be empty', async () => (await queue.getProperties()).approximateMessagesCount === 0);
      // The lease is 3 s and the handler takes 7 s: without renewal it would have run twice.
      expect(recorded('slowStart')).toHaveLength(1);
    });
  });
});
