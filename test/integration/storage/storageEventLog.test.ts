import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { createStorage } from '../../../adapters/azure/storage';
import type { OutgoingEvent } from '../../../shared/ports';
import { anEvent, releasePayload } from '../../fakes/outgoingEvents';

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function event(id: string, time: string): OutgoingEvent {
  return anEvent('autopilot.ReleaseSucceeded', releasePayload({ status: 'succeeded', stage: 'promote' }), { id, time });
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
});
