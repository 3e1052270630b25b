import { AzureKeyCredential } from '@azure/core-auth';
import { EventGridPublisher, EventGridPublishError, eventGridPublisherFrom } from '../../../adapters/azure/events';
import { settingsFrom } from '../../../adapters/settings';
import { fanOutPublisher } from '../../../adapters/fanOutPublisher';
import type { Logger, OutgoingEvent } from '../../../shared/ports';
import { anEvent, bulkyDriftEvent, releasePayload } from '../../fakes/outgoingEvents';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { FakeEventGridTopic, MAX_REQUEST_BYTES } from '../../fakes/eventGrid/FakeEventGridTopic';
import { unsignedJwtCredential } from '../identity-storage/unsignedJwtCredential';
import { useAzuriteStorage } from '../storage/azuriteStorage';

const KEY = 'dG9waWMta2V5LW5ldmVyLWxvZ2dlZA==';
const azurite = useAzuriteStorage();
let tls: { key: string; cert: string };
const topics: FakeEventGridTopic[] = [];

beforeAll(() => {
  tls = selfSignedCert();
});
afterAll(async () => {
  await Promise.all(topics.map((t) => t.stop()));
});

async function keyTopic(): Promise<FakeEventGridTopic> {
  const topic = await FakeEventGridTopic.start(tls, { key: KEY });
  topics.push(topic);
  return topic;
}

function publisherFor(topic: FakeEventGridTopic, options: { maxBatchBytes?: number } = {}): EventGridPublisher {
  return new EventGridPublisher(topic.endpoint, new AzureKeyCredential(KEY), {
    trustedCa: tls.cert,
    maxRetries: 2,
    retryDelayMs: 5,
    ...options,
  });
}

let counter = 0;
function releaseEvent(
  type: 'autopilot.ReleaseQueued' | 'autopilot.ReleaseSucceeded' | 'autopilot.ReleaseRolledBack',
  extra: { why?: string } = {},
): OutgoingEvent {
  const id = `evt-${++counter}`;
  return anEvent(
    type,
    { ...releasePayload({ releaseId: `r${counter}` }), ...extra },
    { id, subject: `releases/r${counter}`, time: '2026-11-28T10:00:00.000Z' },
  );
}

function recordingLogger(): Logger & { warnings: { message: string; properties?: Record<string, unknown> }[] } {
  const warnings: { message: string; properties?: Record<string, unknown> }[] = [];
  return {
    warnings,
    info: () => undefined,
    error: () => undefined,
    warn: (message, properties) => warnings.push({ message, ...(properties ? { properties } : {}) }),
  };
}

describe('EventGridPublisher against a fake Event Grid custom topic', () => {
  test('delivers our events in the CloudEvents 1.0 schema, with the key in aeg-sas-key', async () => {
    const topic = await keyTopic();
    const events = [releaseEvent('autopilot.ReleaseQueued'), releaseEvent('autopilot.ReleaseRolledBack', { why: 'latency' })];
    await publisherFor(topic).publish(events);

    expect(topic.requests.map((r) => [r.status, r.auth])).toEqual([[200, 'key']]);
    expect(topic.events).toEqual(
      events.map((e) =>
        expect.objectContaining({
          specversion: '1.0',
          id: e.id,
          type: e.type,
          source: e.source,
          subject: e.subject,
          time: e.time,
          datacontenttype: 'application/json',
          data: e.data,
        }),
      ),
    );
  });

  test('authenticates with an Entra ID token for https://eventgrid.azure.net when no key is set', async () => {
    const credential = unsignedJwtCredential();
    const topic = await FakeEventGridTopic.start(tls, {
      bearer: (token) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).aud === 'https://eventgrid.azure.net',
    });
    topics.push(topic);
    const publisher = eventGridPublisherFrom(settingsFrom({ AUTOPILOT_EVENTGRID_ENDPOINT: topic.endpoint }).eventGrid, {
      createCredential: () => credential,
      trustedCa: tls.cert,
    });
    await publisher!.publish([releaseEvent('autopilot.ReleaseSucceeded')]);

    expect(topic.requests.map((r) => [r.status, r.auth])).toEqual([[200, 'bearer']]);
    expect(credential.scopes).toEqual(['https://eventgrid.azure.net/.default']);
  });

  test('splits a batch over 1 MB into requests within the limit, keeping every event in order', async () => {
    const topic = await keyTopic();
    const events = Array.from({ length: 25 }, (_, i) => bulkyDriftEvent(`drift-${i}`, 100_000));
    await publisherFor(topic).publish(events);

    expect(topic.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of topic.requests) {
      expect(request.status).toBe(200);
      expect(request.bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
    expect(topic.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  test('retries a throttled (429) and an unavailable (503) topic, then delivers once', async () => {
    const topic = await keyTopic();
    topic.fail(429);
    topic.fail(503);
    const event = releaseEvent('autopilot.ReleaseQueued');
    await publisherFor(topic).publish([event]);

    expect(topic.requests.map((r) => r.status)).toEqual([429, 503, 200]);
    expect(topic.events.map((e) => e.id)).toEqual([event.id]);
  });

  test('an event too large for any request is reported by id, and the others are still delivered', async () => {
    const topic = await keyTopic();
    const small = releaseEvent('autopilot.ReleaseQueued');
    const huge = bulkyDriftEvent('drift-huge', 5000);
    const publish = publisherFor(topic, { maxBatchBytes: 4000 }).publish([huge, small]);

    await expect(publish).rejects.toThrow(EventGridPublishError);
    await expect(publish).rejects.toThrow(
      new RegExp(`event ${huge.id} \\(autopilot.DriftDetected\\) is \\d+ bytes, over the 4000-byte limit`),
    );
    expect(topic.events.map((e) => e.id)).toEqual([small.id]);
  });
});

describe('fanOutPublisher: the storage event log first, Event Grid best-effort', () => {
  test('a down topic does not fail publishing: the event log has the event and the failure is logged without the key', async () => {
    const topic = await keyTopic();
    topic.fail(503, Infinity);
    const logger = recordingLogger();
    const log = azurite.storage().events;
    const events = fanOutPublisher(log, { 'Event Grid': publisherFor(topic) }, { logger });
    const event = releaseEvent('autopilot.ReleaseSucceeded');

    await events.publish([event]);

    expect((await log.recent(50)).map((e) => e.id)).toContain(event.id);
    expect(topic.requests.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]!.message).toMatch(/publishing events to Event Grid failed; they are in the event log/);
    expect(logger.warnings[0]!.properties).toMatchObject({
      publisher: 'Event Grid',
      events: 1,
      eventIds: [event.id],
      problem: expect.stringMatching(/HTTP 503/),
    });
    expect(JSON.stringify(logger.warnings)).not.toContain(KEY);
  });

  test('an unreachable topic does not fail publishing either', async () => {
    const topic = await keyTopic();
    await topic.stop();
    const logger = recordingLogger();
    const event = releaseEvent('autopilot.ReleaseQueued');
    await fanOutPublisher(azurite.storage().events, { 'Event Grid': publisherFor(topic) }, { logger }).publish([event]);

    expect((await azurite.storage().events.recent(50)).map((e) => e.id)).toContain(event.id);
    expect(logger.warnings.map((w) => w.properties?.['publisher'])).toEqual(['Event Grid']);
  });
});
