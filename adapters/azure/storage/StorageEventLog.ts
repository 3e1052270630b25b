import { AlreadyExistsError } from '../../../shared/errors';
import type { Clock, EventEnvelope, EventPublisher, OutgoingEvent } from '../../../shared/ports';
import type { TableStateTable } from './TableStateTable';

export interface StorageEventLogOptions {
  /** How many days back `recent` looks (one partition per day). @default 30 */
  lookbackDays?: number;
  /** @default the system clock */
  clock?: Clock;
}

/** Larger than any millisecond timestamp until the year 2286, so inverted keys stay 13 digits. */
const MAX_TIME = 9_999_999_999_999;

/**
 * The local "events out": every CloudEvent is appended to a table (partition = UTC day
 * `yyyyMMdd`, row = inverted time + id so a partition lists newest first). Keys come from
 * the event's own time and id, so publishing the same event twice (an at-least-once retry)
 * stores it once. Webhooks are the notifications' job (shared/notifications), per pipeline.
 */
export class StorageEventLog implements EventPublisher {
  private readonly clock: Clock;
  private readonly lookbackDays: number;

  constructor(
    private readonly table: TableStateTable,
    options: StorageEventLogOptions = {},
  ) {
    this.clock = options.clock ?? { now: () => new Date() };
    this.lookbackDays = options.lookbackDays ?? 30;
  }

  async publish(events: OutgoingEvent[]): Promise<void> {
    for (const event of events) {
      const { partition, row } = eventKeys(event, this.clock.now());
      try {
        await this.table.insert(partition, row, event);
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
      }
    }
  }

  /** The newest `limit` events, newest first, from the last `lookbackDays` days, as stored (older versions' events included). */
  async recent(limit = 50): Promise<EventEnvelope[]> {
    const events: EventEnvelope[] = [];
    const today = this.clock.now();
    for (let back = 0; back < this.lookbackDays && events.length < limit; back++) {
      const day = new Date(today.getTime() - back * 86_400_000);
      const rows = await this.table.list<EventEnvelope>(dayPartition(day), { limit: limit - events.length });
      events.push(...rows.map((row) => row.value));
    }
    return events;
  }
}

export function eventKeys(event: OutgoingEvent, fallbackTime: Date): { partition: string; row: string } {
  const parsed = new Date(event.time);
  const time = Number.isNaN(parsed.getTime()) ? fallbackTime : parsed;
  const inverted = String(MAX_TIME - time.getTime()).padStart(13, '0');
  // Event ids are free text; percent-encoding removes the characters Table keys forbid.
  return { partition: dayPartition(time), row: `${inverted}-${encodeURIComponent(event.id)}` };
}

export function dayPartition(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}
