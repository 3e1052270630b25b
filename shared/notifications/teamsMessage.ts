import { AutopilotError } from '../errors';
import type { NotificationMessage } from './notificationMessage';
import { truncate } from './truncate';

/**
 * The body a Teams Workflows webhook ("Post to a channel when a webhook request is
 * received", trigger "When a Teams webhook request is received") accepts: a message with
 * Adaptive Card attachments; Workflows take Adaptive Cards only, not the old MessageCard
 * (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).
 * Card version 1.4 renders on every Teams client (desktop, web, mobile; the schema:
 * https://adaptivecards.io/explorer/AdaptiveCard.html). Teams refuses messages over 28 KB
 * (same page, "rate limiting" / message size), so every text is capped and the whole body is
 * checked; a body still too large is refused here rather than by Teams.
 */
export const TEAMS_LIMITS = {
  messageBytes: 28 * 1024,
  title: 200,
  summary: 2000,
  facts: 12,
  factTitle: 100,
  factValue: 500,
  action: 1000,
} as const;

export interface TeamsPayload {
  type: 'message';
  attachments: { contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }[];
}

export interface AdaptiveCard {
  $schema: string;
  type: 'AdaptiveCard';
  version: '1.4';
  body: Record<string, unknown>[];
  actions: { type: 'Action.OpenUrl'; title: string; url: string }[];
  msteams: { width: 'Full' };
}

const COLORS = { good: 'Good', attention: 'Attention', warning: 'Warning', accent: 'Accent' } as const;

/** Not retryable: the same message would be refused again. */
export class TeamsMessageTooLargeError extends AutopilotError {
  constructor(readonly bytes: number) {
    super(`the Teams message is ${bytes} bytes; Teams accepts at most ${TEAMS_LIMITS.messageBytes}: shorten the reasons`);
  }
}

export function toTeamsPayload(message: NotificationMessage): TeamsPayload {
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: truncate(noLinks(message.title), TEAMS_LIMITS.title),
      size: 'Medium',
      weight: 'Bolder',
      color: COLORS[message.tone],
      wrap: true,
    },
    { type: 'TextBlock', text: truncate(noLinks(message.summary), TEAMS_LIMITS.summary), wrap: true },
    {
      type: 'FactSet',
      facts: message.facts.slice(0, TEAMS_LIMITS.facts).map((f) => ({
        title: truncate(noLinks(f.name), TEAMS_LIMITS.factTitle),
        value: truncate(noLinks(f.value), TEAMS_LIMITS.factValue),
      })),
    },
  ];
  if (message.action)
    body.push({ type: 'TextBlock', text: truncate(noLinks(message.action), TEAMS_LIMITS.action), wrap: true, isSubtle: true });
  const payload: TeamsPayload = {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: [{ type: 'Action.OpenUrl', title: message.link.label, url: message.link.url }],
          msteams: { width: 'Full' },
        },
      },
    ],
  };
  const bytes = new TextEncoder().encode(JSON.stringify(payload)).length;
  if (bytes > TEAMS_LIMITS.messageBytes) throw new TeamsMessageTooLargeError(bytes);
  return payload;
}

/**
 * TextBlocks and facts read Markdown, links included (`[label](url)`): a reason quoting a column
 * or blob name could plant a link in the approval card. A zero-width space between `]` and `(`
 * keeps the text readable and stops any Markdown reader from forming the link. (Teams documents
 * no escape character for card Markdown, so escaping with `\` is not relied upon.)
 */
function noLinks(text: string): string {
  return text.replaceAll('](', ']\u200b(');
}
