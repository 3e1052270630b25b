import { fanOutPublisher } from '../../../adapters/fanOutPublisher';
import type { EventPublisher, Logger, OutgoingEvent } from '../../../shared/ports';
import { anEvent, releasePayload } from '../../fakes/outgoingEvents';

const event: OutgoingEvent = anEvent('autopilot.ReleaseQueued', releasePayload({ status: 'queued', stage: 'validate' }), { id: 'e1' });

/** A publisher that records what it got and fails while `failing` is set. */
function recorder(failing?: Error): EventPublisher & { got: string[] } {
  const got: string[] = [];
  return {
    got,
    async publish(events) {
      if (failing) throw failing;
      got.push(...events.map((e) => e.id));
    },
  };
}

function logger(): Logger & { warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  return { warnings, info: () => undefined, error: () => undefined, warn: (...args) => warnings.push(args) };
}

describe('fanOutPublisher', () => {
  it('publishes to the primary, then to every best-effort publisher', async () => {
    const primary = recorder();
    const a = recorder();
    const b = recorder();
    await fanOutPublisher(primary, { a, b }).publish([event]);
    expect([primary.got, a.got, b.got]).toEqual([['e1'], ['e1'], ['e1']]);
  });

  it('throws when the primary fails, before anything else saw the event', async () => {
    const other = recorder();
    await expect(fanOutPublisher(recorder(new Error('table unavailable')), { other }).publish([event])).rejects.toThrow(
      'table unavailable',
    );
    expect(other.got).toEqual([]);
  });

  it('logs and swallows a best-effort failure, and still serves the other publishers', async () => {
    const log = logger();
    const healthy = recorder();
    await fanOutPublisher(recorder(), { 'Event Grid': recorder(new Error('HTTP 503')), healthy }, { logger: log }).publish([event]);
    expect(healthy.got).toEqual(['e1']);
    expect(log.warnings).toEqual([
      [
        'publishing events to Event Grid failed; they are in the event log (GET /api/events)',
        { publisher: 'Event Grid', events: 1, eventIds: ['e1'], problem: 'HTTP 503' },
      ],
    ]);
  });
});
