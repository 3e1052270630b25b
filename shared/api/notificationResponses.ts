import { z } from 'zod';

/** A notification that gave up after its retries (shared/notifications/deadLetters.ts); `target` is the receiver's origin only. */
export const DeadLetterView = z
  .looseObject({
    id: z.string(),
    at: z.string(),
    pipeline: z.string(),
    webhook: z.string(),
    format: z.string(),
    target: z.string(),
    kind: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    attempts: z.number(),
    problem: z.string(),
  })
  .meta({ id: 'DeadLetter' });
export const DeadLettersResponse = z.looseObject({ deadLetters: z.array(DeadLetterView) });

export const RedeliveredResponse = z.looseObject({
  redelivered: z.looseObject({ id: z.string(), pipeline: z.string(), webhook: z.string(), eventId: z.string() }),
});
