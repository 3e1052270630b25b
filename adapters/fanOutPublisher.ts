import { ensureError } from '../shared/errors';
import type { EventPublisher, Logger, OutgoingEvent } from '../shared/ports';

export interface FanOutPublisherOptions {
  /** Receives the failures of best-effort publishers. @default none */
  logger?: Logger;
}

/**
 * Events out through several publishers. The primary (the storage event log, which feeds
 * GET /api/events) must take every event: its failure is thrown, so the
 * step retries. The others (Event Grid) are best-effort: a failure is logged and swallowed,
 * because an unreachable topic must not stop a release, and the event is in the log anyway.
 */
export function fanOutPublisher(
  primary: EventPublisher,
  bestEffort: Record<string, EventPublisher>,
  options: FanOutPublisherOptions = {},
): EventPublisher {
  const others = Object.entries(bestEffort);
  return {
    async publish(events: OutgoingEvent[]): Promise<void> {
      await primary.publish(events);
      await Promise.all(
        others.map(async ([name, publisher]) => {
          try {
            await publisher.publish(events);
          } catch (error) {
            options.logger?.warn(`publishing events to ${name} failed; they are in the event log (GET /api/events)`, {
              publisher: name,
              events: events.length,
              eventIds: events.slice(0, 10).map((e) => e.id),
              problem: ensureError(error).message,
            });
          }
        }),
      );
    },
  };
}
