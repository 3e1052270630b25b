import { z } from 'zod';
import { NotificationKind } from '../config/notificationsSchema';

/** One delivery of one event to one webhook: the message on the notifications queue. */
export const NotificationJob = z.object({
  pipeline: z.string().min(1),
  webhook: z.string().min(1),
  kind: NotificationKind,
  event: z.object({
    id: z.string().min(1),
    type: z.string().min(1),
    source: z.string(),
    subject: z.string(),
    time: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
  /** 1 for the first try. */
  attempt: z.int().min(1),
  digest: z.object({ folded: z.int().min(0), since: z.string() }).optional(),
});
export type NotificationJob = z.infer<typeof NotificationJob>;

/** What a webhook in autopilot.yaml resolves to at run time (URL and secret read from app settings). */
export interface ResolvedWebhook {
  pipeline: string;
  name: string;
  format: 'cloudevents' | 'teams' | 'slack';
  url: string;
  secret?: string;
}

/** The HTTP POST, as a port: the core decides what to send and what an answer means. */
export interface WebhookTransport {
  /** Resolves with the answer's status (and Retry-After); rejects when no answer came (network, timeout). */
  post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; retryAfter?: string | null }>;
}
