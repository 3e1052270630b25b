import { z } from 'zod';

/**
 * A CloudEvent of ours as it travels or is stored (event log, queue job, release outbox),
 * before it is checked against the event map (shared/events/outgoing.ts `parseOutgoingEvent`).
 * Apart from the map so the release record's schema can hold it without an import cycle.
 */
export const EventEnvelope = z.object({
  id: z.string(),
  type: z.string(),
  source: z.string(),
  subject: z.string(),
  time: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;
